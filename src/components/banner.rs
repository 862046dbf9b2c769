//! The one-line reminder of what this is and where to start.

use yew::prelude::*;

/// The lesson's first command (course notes, lesson 9, step 1).
const FIRST_COMMAND: &str = "KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)";

#[function_component]
pub fn Banner() -> Html {
    html! {
        <p class="banner">
            <span>{"Simulation: one machine, virtual time. Type the lesson's commands below."}</span>
            <span class="banner-hint">{"Start with "}<code>{FIRST_COMMAND}</code></span>
        </p>
    }
}
