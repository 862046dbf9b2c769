//! The keyboard shortcuts, shown with `?` (Escape or `?` again hides them).

use yew::prelude::*;

use crate::playground::Action;

/// Each shortcut and what it does, as the page handles them (`keys.rs`).
const SHORTCUTS: [(&str, &str); 10] = [
    ("Space", "play or pause the simulation"),
    ("→", "step: process the next event"),
    ("←", "step back: the state just before the last event"),
    ("Home / End", "on the timeline: the beginning of time / the present"),
    ("?", "show or hide this help"),
    ("Escape", "close the inspector, a message's details, or this help"),
    ("↑ / ↓", "in the console: the previous / next command"),
    ("Ctrl-C / Ctrl-D / Ctrl-L", "in the console: interrupt, end of input, clear"),
    ("← → / Page Up / Page Down", "on a long log's scroll bar: one record / a stretch back or forward"),
    ("Home / End", "on a long log's scroll bar: the oldest record / the newest (the strip follows them)"),
];

#[derive(Properties, PartialEq)]
pub struct HelpOverlayProps {
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn HelpOverlay(props: &HelpOverlayProps) -> Html {
    let close = props.on_action.reform(|_: MouseEvent| Action::ToggleHelp);
    html! {
        <div class="help-overlay" role="dialog" aria-modal="true" aria-labelledby="help-heading">
            <div class="help-card">
                <div class="panel-head">
                    <h2 id="help-heading">{"Keyboard shortcuts"}</h2>
                    <button class="close" aria-label="Close help" onclick={close}>{"×"}</button>
                </div>
                <dl>
                    { for SHORTCUTS.iter().map(|(keys, what)| html! {
                        <>
                            <dt><kbd>{*keys}</kbd></dt>
                            <dd>{*what}</dd>
                        </>
                    }) }
                </dl>
            </div>
        </div>
    }
}
