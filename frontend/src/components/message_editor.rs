//! Changes a pending invitation's message (the link stays the same); the email text follows.

use crate::api::ApiError;
use crate::form::field_value;
use crate::hooks::use_mutation;
use crate::queries::*;
use crate::t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MessageProps {
    pub id: String,
    pub message: String,
    pub on_saved: Callback<Result<(), ApiError>>,
}

#[function_component(MessageEditor)]
pub fn message_editor(props: &MessageProps) -> Html {
    let update = use_mutation::<UpdateInvitationMessage>();
    let text = use_node_ref();
    let save = {
        let (update, id, text, done) =
            (update.clone(), props.id.clone(), text.clone(), props.on_saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = update_invitation_message::UpdateInvitationMessageInput {
                id: id.clone(),
                message: field_value(&text),
            };
            let done = done.clone();
            update.send(update_invitation_message::Variables { input }, move |r| done.emit(r));
        })
    };
    let field = format!("message-{}", props.id);
    html! {
        <details>
            <summary>{ t!("message-edit") }</summary>
            <form onsubmit={save}>
                <crate::components::TextField id={field} label={t!("message-label")} max={crate::text::limits::MESSAGE}
                    multiline=true node_ref={text} value={props.message.clone()} />
                <button type="submit">{ t!("message-save") }</button>
            </form>
        </details>
    }
}
