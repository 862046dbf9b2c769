//! The theme select in the top bar: System, Light or Dark, remembered across visits.

use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::theme::{apply, set_theme, stored_theme, Theme};

#[function_component]
pub fn ThemePicker() -> Html {
    let theme = use_state(stored_theme);
    {
        let theme = *theme;
        use_effect_with((), move |_| apply(theme));
    }
    let onchange = {
        let theme = theme.clone();
        Callback::from(move |e: Event| {
            let value = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()).map(|s| s.value());
            let chosen = Theme::from_value(value.as_deref());
            set_theme(chosen);
            theme.set(chosen);
        })
    };
    html! {
        <label class="speed theme" title="Colour theme: follow the system, or always light or dark">
            <span aria-hidden="true">{"◐"}</span>
            <select aria-label="Theme" {onchange}>
                { for Theme::ALL.into_iter().map(|t| html! {
                    <option value={t.value()} selected={t == *theme}>{t.label()}</option>
                }) }
            </select>
        </label>
    }
}
