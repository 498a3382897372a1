//! The domain: types and rules of multi-channel partner management.
//! No SQL, HTTP or GraphQL here; the other layers call these rules and never restate them.

pub mod access;
pub mod audit;
pub mod bulk;
pub mod clock;
pub mod credentials;
pub mod delegated_admin;
pub mod email;
pub mod enums;
pub mod error;
pub mod feed;
pub mod idempotency;
pub mod inputs;
pub mod invitation;
pub mod language;
pub mod mfa;
pub mod partnership;
pub mod people;
pub mod reseller_relationship;
pub mod subscription;
pub mod support;
pub mod viewer;
pub mod webhook;

pub use clock::{Clock, SystemClock, TestClock};
pub use enums::*;
pub use error::{AppError, AppResult, Code, transient_sqlstate};
pub use language::Language;
pub use viewer::Viewer;

/// A provider's partnership link works this many days, then expires unused.
pub use partnership::LINK_DAYS as PARTNERSHIP_LINK_DAYS;
