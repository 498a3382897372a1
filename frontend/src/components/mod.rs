//! Pieces shared by pages, and the parts a page is built from: one file each.

pub mod badges;
pub mod copy_button;
pub mod draft_form;
pub mod grant_form;
pub mod header;
pub mod message_editor;
pub mod order_form;
pub mod pager;
pub mod reason;
pub mod removal_preview;
pub mod show;
pub mod sign_in_form;
pub mod stage_assignment;
pub mod support_request;

pub use badges::{channel_badge, stage};
pub use copy_button::CopyButton;
pub use draft_form::DraftForm;
pub use grant_form::GrantForm;
pub use header::Header;
pub use message_editor::MessageEditor;
pub use order_form::OrderForm;
pub use pager::{ListState, Pager, SearchBox, SortHeader, use_pages};
pub(crate) use reason::offer;
pub use reason::{Offer, reason, refusals};
pub use removal_preview::RemovalPreview;
pub use show::show;
pub use sign_in_form::{SignInForm, sign_in_for};
pub use stage_assignment::StageAssignment;
pub use support_request::SupportRequest;
