//! The ▾/▸ button that collapses a side panel to its heading (consumer groups, Kafka
//! Connect), with the accessible name and state screen readers and tests rely on.

use yew::prelude::*;

/// `name` completes the label (`Collapse consumer groups`); `body_id` is the element it hides.
pub fn panel_toggle(open: bool, body_id: &str, name: &str, onclick: Callback<MouseEvent>) -> Html {
    html! {
        <button
            class="panel-toggle"
            aria-expanded={if open { "true" } else { "false" }}
            aria-controls={body_id.to_owned()}
            aria-label={format!("{} {name}", if open { "Collapse" } else { "Expand" })}
            title={if open { "Collapse" } else { "Expand" }}
            {onclick}
        >
            {if open { "▾" } else { "▸" }}
        </button>
    }
}
