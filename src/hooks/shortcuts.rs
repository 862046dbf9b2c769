//! Page-wide keyboard shortcuts for the time controls (space, →, ←).

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::{hook, use_effect_with, Callback};

use crate::keys::{shortcut, Modifiers, Target};
use crate::playground::Action;

#[hook]
pub fn use_shortcuts(playing: bool, on_action: Callback<Action>) {
    use_effect_with((playing, on_action), |(playing, on_action)| {
        let (playing, on_action) = (*playing, on_action.clone());
        let listener = web_sys::window().and_then(|w| w.document()).map(|document| {
            EventListener::new(&document, "keydown", move |event| {
                let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let modifiers = Modifiers {
                    ctrl: event.ctrl_key(),
                    alt: event.alt_key(),
                    meta: event.meta_key(),
                    shift: event.shift_key(),
                };
                let target = target_kind(event.target().and_then(|t| t.dyn_into::<Element>().ok()));
                if let Some(action) = shortcut(&event.key(), modifiers, target, playing) {
                    // Space would also scroll the page.
                    event.prevent_default();
                    on_action.emit(action);
                }
            })
        });
        move || drop(listener)
    });
}

fn target_kind(element: Option<Element>) -> Target {
    let Some(element) = element else {
        return Target::Other;
    };
    match element.tag_name().as_str() {
        "INPUT" | "TEXTAREA" | "SELECT" => Target::Field,
        "BUTTON" => Target::Button,
        // A server box in the diagram acts as a button: space opens its inspector.
        _ if element.closest("[role=button]").ok().flatten().is_some() => Target::Button,
        _ if element.closest("[contenteditable]").ok().flatten().is_some() => Target::Field,
        _ => Target::Other,
    }
}
