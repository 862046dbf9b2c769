//! Step back, Play/Pause, Step and the speed select. The buttons' accessible names are
//! exactly `Step back`, `Play`, `Pause` and `Step`: tests and screen readers rely on them.

use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::playground::{Action, Speed, LATENCIES_MS};

#[derive(Properties, PartialEq)]
pub struct TimeControlsProps {
    pub playing: bool,
    pub speed: Speed,
    /// The network latency in ms, for the "Network latency" select.
    pub latency_ms: u64,
    pub can_step_back: bool,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn TimeControls(props: &TimeControlsProps) -> Html {
    let emit = |action: Action| props.on_action.reform(move |_: MouseEvent| action.clone());
    let current = props.speed;
    let on_speed = props.on_action.reform(move |e: Event| {
        let value = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()).map(|s| s.value());
        // Only the four offered values can arrive; anything else keeps the speed as it was.
        Action::SetSpeed(value.as_deref().and_then(Speed::from_value).unwrap_or(current))
    });
    let current_latency = props.latency_ms;
    let on_latency = props.on_action.reform(move |e: Event| {
        let value = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()).map(|s| s.value());
        Action::SetLatency(value.and_then(|v| v.parse().ok()).unwrap_or(current_latency))
    });
    let mut latencies = LATENCIES_MS.to_vec();
    if !latencies.contains(&props.latency_ms) {
        latencies.push(props.latency_ms);
        latencies.sort_unstable();
    }
    let (toggle_name, toggle_action, toggle_icon) = if props.playing {
        ("Pause", Action::Pause, html! { <path d="M6 4h4v16H6zM14 4h4v16h-4z" /> })
    } else {
        ("Play", Action::Play, html! { <path d="M7 4l13 8-13 8z" /> })
    };

    html! {
        <div class="time-controls" role="group" aria-label="Time controls">
            <button
                type="button"
                title="Step back one event (←)"
                disabled={!props.can_step_back}
                onclick={emit(Action::StepBack)}
            >
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 4h3v16H5zM20 4L9 12l11 8z" /></svg>
                <span>{"Step back"}</span>
            </button>
            <button
                type="button"
                class="primary"
                title="Play or pause simulated time (space)"
                onclick={emit(toggle_action)}
            >
                <svg viewBox="0 0 24 24" aria-hidden="true">{toggle_icon}</svg>
                <span>{toggle_name}</span>
            </button>
            <button type="button" title="Process the next event (→)" onclick={emit(Action::Step)}>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16 4h3v16h-3zM4 4l11 8-11 8z" /></svg>
                <span>{"Step"}</span>
            </button>
            <label class="speed">
                <span>{"Speed"}</span>
                <select onchange={on_speed}>
                    { for Speed::ALL.into_iter().map(|s| html! {
                        <option value={s.value()} selected={s == props.speed}>{s.label()}</option>
                    }) }
                </select>
            </label>
            <label
                class="speed latency"
                title="Slow motion: 2 ms is about real; a longer network latency makes each message easy to follow (runs `ksim latency …`)"
            >
                <span>{"Slow motion"}</span>
                <select aria-label="Network latency" onchange={on_latency}>
                    { for latencies.into_iter().map(|ms| html! {
                        <option
                            value={ms.to_string()}
                            selected={ms == props.latency_ms}
                            title={(ms == LATENCIES_MS[0]).then_some("about real: loopback is under 1 ms")}
                        >
                            {format!("{ms} ms")}
                        </option>
                    }) }
                </select>
            </label>
        </div>
    }
}
