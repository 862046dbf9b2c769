//! Browser smoke tests, run in headless Chromium (`wasm-bindgen-test`): the page mounts
//! with its accessible names, a typed command prints, and the core gives the same
//! transcript in wasm as natively.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement, KeyboardEvent, KeyboardEventInit};
use yew::platform::time::sleep;

wasm_bindgen_test_configure!(run_in_browser);

/// Long enough for Yew's scheduler and a few animation frames.
const SETTLE: Duration = Duration::from_millis(100);

fn fresh_root() -> Element {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    let root = document.create_element("div").expect("a div");
    document.body().expect("a body").append_child(&root).expect("attached");
    root
}

fn labelled(root: &Element, name: &str) -> Option<Element> {
    root.query_selector(&format!("[aria-label=\"{name}\"]")).ok().flatten()
}

/// A `<button>` whose accessible name (here, its text) is exactly `name`.
fn button(root: &Element, name: &str) -> Option<Element> {
    let buttons = root.query_selector_all("button").expect("a valid selector");
    (0..buttons.length())
        .filter_map(|i| buttons.item(i)?.dyn_into::<Element>().ok())
        .find(|b| b.text_content().is_some_and(|t| t.trim() == name))
}

#[wasm_bindgen_test]
async fn app_mounts_with_its_accessible_names() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    for name in ["Console input", "Console output", "Simulated time"] {
        assert!(labelled(&root, name).is_some(), "no element labelled {name:?}");
    }
    for name in ["Step", "Step back"] {
        assert!(button(&root, name).is_some(), "no button {name:?}");
    }
    // The page starts playing, so the toggle offers Pause.
    assert!(button(&root, "Pause").is_some(), "no button \"Pause\"");
    app.destroy();
}

#[wasm_bindgen_test]
async fn typed_command_prints_its_output() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    let input: HtmlInputElement =
        labelled(&root, "Console input").and_then(|e| e.dyn_into().ok()).expect("the console input");
    input.set_value("echo hello");
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let enter = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("an event");
    input.dispatch_event(&enter).expect("dispatched");
    sleep(SETTLE).await;

    let output = labelled(&root, "Console output").expect("the console output");
    let lines = output.query_selector_all(".line").expect("a valid selector");
    let texts: Vec<String> = (0..lines.length()).filter_map(|i| lines.item(i)?.text_content()).collect();
    assert!(texts.iter().any(|t| t == "$ echo hello"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "hello"), "{texts:?}");
    assert_eq!(input.value(), "", "Enter clears the input");
    app.destroy();
}

#[wasm_bindgen_test]
fn lesson_transcript_is_the_same_in_wasm() {
    let transcript = ksim::run_script(include_str!("scripts/lesson-workflow.ksim"), 1);
    assert_eq!(transcript, include_str!("scripts/lesson-workflow.out"));
}
