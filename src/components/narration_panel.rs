//! The narration: what changed and why, newest first. A click on a line takes the session
//! back to just after it happened (Step or Play go on from there).

use yew::prelude::*;

use crate::playground::Action;
use crate::view_model::narration::NarrationItem;

#[derive(Properties, PartialEq)]
pub struct NarrationPanelProps {
    pub items: Vec<NarrationItem>,
    /// Said at the end once the oldest narration was dropped (`dropped_note`).
    pub dropped: Option<String>,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn NarrationPanel(props: &NarrationPanelProps) -> Html {
    html! {
        <section class="panel narration" aria-labelledby="narration-heading">
            <div class="panel-head">
                <h2 id="narration-heading">{"Narration"}</h2>
                <span class="panel-note">{"newest first"}</span>
            </div>
            <div class="panel-body">
                if props.items.is_empty() {
                    <p class="empty">{"Nothing has happened yet. Each state change inside Kafka is explained here."}</p>
                }
                <ol class="narration-list">
                    { for props.items.iter().map(|n| {
                        let event = n.event;
                        let click = props.on_action.reform(move |_: MouseEvent| Action::TravelTo(event));
                        let keys = props.on_action.clone();
                        let key = Callback::from(move |e: KeyboardEvent| {
                            if e.key() == "Enter" || e.key() == " " {
                                e.prevent_default();
                                keys.emit(Action::TravelTo(event));
                            }
                        });
                        html! {
                        <li
                            key={n.index}
                            role="button"
                            tabindex="0"
                            title="Go back to just after this happened"
                            onclick={click}
                            onkeydown={key}
                        >
                            <span class="time">{&n.time}</span>
                            <span class="actor">{&n.actor}</span>
                            <span class="text">{&n.text}</span>
                        </li>
                        }
                    }) }
                </ol>
                if let Some(note) = &props.dropped {
                    <p class="empty narration-dropped">{note}</p>
                }
            </div>
        </section>
    }
}
