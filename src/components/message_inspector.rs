//! One message in flight, selected by clicking its dot: what it is, between whom, when it
//! was sent and arrives, and `Drop message` to make the network lose it.

use yew::prelude::*;

use crate::playground::Action;
use crate::view_model::message::MessageDetails;

/// The panel's element id, for the dots' `aria-controls`.
pub const MESSAGE_PANEL_ID: &str = "message-details";

#[derive(Properties, PartialEq)]
pub struct MessageInspectorProps {
    /// `None` once the selected message has arrived or been dropped.
    pub details: Option<MessageDetails>,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn MessageInspector(props: &MessageInspectorProps) -> Html {
    let close = props.on_action.reform(|_: MouseEvent| Action::CloseInspector);
    let body = match &props.details {
        Some(d) => {
            let id = d.id;
            let drop = props.on_action.reform(move |_: MouseEvent| Action::DropMessage(id));
            let fact = |term: &'static str, value: &str| {
                html! { <div class="fact"><dt>{term}</dt><dd>{value.to_owned()}</dd></div> }
            };
            html! {
                <>
                    <div class="inspector-title">
                        <h3>
                            <span class={classes!("msg-chip", d.kind_class)} aria-hidden="true"></span>
                            {format!("{} message", d.kind)}
                        </h3>
                        <button
                            type="button"
                            class="fault-action kill"
                            aria-label="Drop message"
                            title="The network loses this message: it never arrives (a replayable input, narrated)"
                            onclick={drop}
                        >
                            {"Drop message"}
                        </button>
                    </div>
                    <p class="inspector-subtitle message-label">{&d.label}</p>
                    <dl class="facts">
                        {fact("Kind", d.kind)}
                        {fact("From", &d.from)}
                        {fact("To", &d.to)}
                        {fact("Sent at", &d.sent_at)}
                        {fact("Arrives at", &format!("{} ({})", d.arrives_at, d.eta))}
                    </dl>
                    <p class="inspector-note">
                        {"Step (→) to watch it arrive, or drop it to see how Kafka copes with a lost request."}
                    </p>
                </>
            }
        }
        None => html! {
            <p class="empty">{"No longer on the wire: it arrived, or the network dropped it (see the narration). Pause and click another dot."}</p>
        },
    };
    html! {
        <section id={MESSAGE_PANEL_ID} class="panel inspector message-inspector" role="region" aria-label="Message details">
            <div class="panel-head">
                <h2>{"Message in flight"}</h2>
                <span class="panel-note">{"click the dot again to close"}</span>
                <button type="button" class="close" aria-label="Close message details" title="Close (Esc)" onclick={close}>
                    {"×"}
                </button>
            </div>
            <div class="panel-body">{body}</div>
        </section>
    }
}
