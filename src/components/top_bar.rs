//! The top bar: title, seed, the simulated clock and the time controls; under them the
//! timeline and the theme select.

use yew::prelude::*;

use crate::components::theme_picker::ThemePicker;
use crate::components::time_controls::TimeControls;
use crate::components::timeline::Timeline;
use crate::playground::{Action, Speed};
use crate::view_model::timeline::Timeline as TimelineModel;

#[derive(Properties, PartialEq)]
pub struct TopBarProps {
    pub seed: u64,
    /// The simulated wall clock, `2024-06-25 14:06:00.000`.
    pub wall_clock: String,
    /// Simulated time since the start, `t+12.345 s`.
    pub offset: String,
    pub playing: bool,
    pub speed: Speed,
    pub latency_ms: u64,
    pub can_step_back: bool,
    pub timeline: TimelineModel,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn TopBar(props: &TopBarProps) -> Html {
    html! {
        <header class="top-bar">
          <div class="top-bar-main">
            <div class="brand">
                <svg class="logo" viewBox="0 0 24 24" aria-hidden="true">
                    <rect x="2" y="4" width="20" height="4" rx="1.5" />
                    <rect x="2" y="10" width="14" height="4" rx="1.5" />
                    <rect x="2" y="16" width="8" height="4" rx="1.5" />
                </svg>
                <h1>{"Kafka Playground"}</h1>
                <span class="seed" title="The seed fixes every random choice; add ?seed=N to the address to change it">
                    {format!("seed {}", props.seed)}
                </span>
            </div>
            <div class="clock" role="timer" aria-label="Simulated time">
                <span class="wall-clock">{&props.wall_clock}</span>
                <span class="sim-offset">{&props.offset}</span>
            </div>
            <TimeControls
                playing={props.playing}
                speed={props.speed}
                latency_ms={props.latency_ms}
                can_step_back={props.can_step_back}
                on_action={props.on_action.clone()}
            />
          </div>
          <div class="top-bar-sub">
            <Timeline timeline={props.timeline.clone()} on_action={props.on_action.clone()} />
            <ThemePicker />
          </div>
        </header>
    }
}
