//! The first visit's welcome card: what the page is in three lines and a one-click start
//! of the lesson (the banner's). Dismissed for good once used or closed.

use yew::prelude::*;

use crate::components::banner::FIRST_COMMAND;
use crate::playground::Action;
use crate::theme::{store, stored, WELCOMED_KEY};

#[derive(Properties, PartialEq)]
pub struct WelcomeProps {
    /// True while the console waits for a shell command (the start button types one).
    pub ready: bool,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn Welcome(props: &WelcomeProps) -> Html {
    let shown = use_state(|| stored(WELCOMED_KEY).is_none());
    if !*shown {
        return html! {};
    }
    let dismiss = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| {
            store(WELCOMED_KEY, "1");
            shown.set(false);
        })
    };
    let start = {
        let (shown, on_action) = (shown.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            store(WELCOMED_KEY, "1");
            shown.set(false);
            on_action.emit(Action::Input(FIRST_COMMAND.to_owned()));
        })
    };
    html! {
        <aside class="welcome" role="region" aria-label="Welcome">
            <h2>{"Welcome to Kafka Playground"}</h2>
            <ul>
                <li>{"Type the real Kafka commands into the console; a simulated cluster runs them in your browser."}</li>
                <li>{"Watch every message travel between brokers, controllers and clients in the diagram."}</li>
                <li>{"Pause, step, scrub the timeline back, and break things: kill a broker, cut the network."}</li>
            </ul>
            <div class="welcome-actions">
                <button type="button" class="primary" disabled={!props.ready} onclick={start}
                    title={format!("Types `{FIRST_COMMAND}` into the console")}>
                    {"Start the lesson"}
                </button>
                <button type="button" aria-label="Dismiss welcome" onclick={dismiss}>{"Explore on my own"}</button>
            </div>
        </aside>
    }
}
