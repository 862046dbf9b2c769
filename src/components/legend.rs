//! The legend for message dots: each kind's colour, letter and name.

use yew::prelude::*;

use crate::view_model::diagram::{kind_style, MESSAGE_KINDS};
use crate::view_model::glossary;

#[function_component]
pub fn Legend() -> Html {
    html! {
        <ul class="legend" aria-label="Message kinds">
            { for MESSAGE_KINDS.into_iter().map(kind_style).map(|k| html! {
                <li title={glossary::message_kind(k.name)}>
                    <svg viewBox="-9 -9 18 18" aria-hidden="true">
                        <g class={classes!("msg", k.class)}>
                            <circle r="8" />
                            <text text-anchor="middle" dy="0.35em">{k.letter}</text>
                        </g>
                    </svg>
                    {k.name}
                </li>
            }) }
        </ul>
    }
}
