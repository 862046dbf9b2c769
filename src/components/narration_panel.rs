//! The narration: what changed and why, newest first.

use yew::prelude::*;

use crate::view_model::narration::NarrationItem;

#[derive(Properties, PartialEq)]
pub struct NarrationPanelProps {
    pub items: Vec<NarrationItem>,
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
                    { for props.items.iter().map(|n| html! {
                        <li key={n.index}>
                            <span class="time">{&n.time}</span>
                            <span class="actor">{&n.actor}</span>
                            <span class="text">{&n.text}</span>
                        </li>
                    }) }
                </ol>
            </div>
        </section>
    }
}
