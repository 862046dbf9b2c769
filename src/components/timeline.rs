//! The timeline: a scrubber (`Timeline`) from event 0 to the present that travels in time
//! as it moves, the past indicator, and `Fork from here`. Home and End on the scrubber go
//! to the start and the present (a range input's own keys).

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::playground::Action;
use crate::view_model::timeline::{Timeline as Model, PAST_NOTICE};

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub timeline: Model,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn Timeline(props: &TimelineProps) -> Html {
    let t = &props.timeline;
    let current = t.value;
    let oninput = props.on_action.reform(move |e: InputEvent| {
        let value = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).map(|i| i.value());
        Action::TravelTo(value.and_then(|v| v.parse().ok()).unwrap_or(current))
    });
    let fork = props.on_action.reform(|_: MouseEvent| Action::ForkHere);
    // The scrubber's fill up to the thumb, so the recorded future reads as a lighter track.
    let fill = if t.max == 0 { 100.0 } else { t.value as f64 / t.max as f64 * 100.0 };
    html! {
        <div class={classes!("timeline", t.in_past.then_some("past"))} role="group" aria-label="Time travel">
            <label class="timeline-label" for="timeline">{"Timeline"}</label>
            <input
                id="timeline"
                type="range"
                min="0"
                max={t.max.to_string()}
                step="1"
                value={t.value.to_string()}
                aria-valuetext={t.value_text.clone()}
                title="Drag to travel in time (Home: the start, End: the present)"
                style={format!("--fill:{fill:.2}%")}
                {oninput}
            />
            <span class="timeline-present" aria-hidden="true" title="The present: the newest event">{"▸ now"}</span>
            <span class="timeline-position">{&t.position}</span>
            <p class="past-notice" role="status" aria-live="polite" title={t.in_past.then_some(PAST_NOTICE)}>
                if t.in_past {
                    <svg class="past-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M11 5v14L2 12zM22 5v14l-9-7z" /></svg>
                    {PAST_NOTICE}
                }
            </p>
            <button
                type="button"
                class="fork"
                aria-label="Fork from here"
                title="Make this moment the present: the recorded future is dropped"
                hidden={!t.in_past}
                onclick={fork}
            >
                {"Fork from here"}
            </button>
        </div>
    }
}
