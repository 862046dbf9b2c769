//! Browser smoke tests, run in headless Chromium (`wasm-bindgen-test`): the page mounts
//! with its accessible names, a typed command prints, controllers count down and a
//! replicated topic shows a row per replica, a broker's box opens its inspector, and the
//! core gives the same transcript in wasm as natively.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};
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
    let groups = root.query_selector("section[aria-labelledby=\"groups-heading\"] h2").ok().flatten();
    assert_eq!(groups.and_then(|h| h.text_content()).as_deref(), Some("Consumer groups"));
    app.destroy();
}

/// Types `line` into the console input and presses Enter.
async fn type_line(root: &Element, line: &str) -> HtmlInputElement {
    let input: HtmlInputElement =
        labelled(root, "Console input").and_then(|e| e.dyn_into().ok()).expect("the console input");
    input.set_value(line);
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let enter = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("an event");
    input.dispatch_event(&enter).expect("dispatched");
    sleep(SETTLE).await;
    input
}

fn console_lines(root: &Element) -> Vec<String> {
    let output = labelled(root, "Console output").expect("the console output");
    let lines = output.query_selector_all(".line").expect("a valid selector");
    (0..lines.length()).filter_map(|i| lines.item(i)?.text_content()).collect()
}

#[wasm_bindgen_test]
async fn fault_buttons_type_kill_and_restart() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    assert!(labelled(&root, "Network latency").is_some_and(|e| e.tag_name() == "SELECT"));
    type_line(&root, "ksim start-cluster --brokers 3 --controllers 3").await;
    for name in ["Kill Controller 1", "Kill Broker 4", "Kill Broker 6"] {
        assert!(labelled(&root, name).is_some_and(|e| e.tag_name() == "BUTTON"), "no button {name:?}");
    }
    let kill: HtmlElement = labelled(&root, "Kill Broker 5").and_then(|e| e.dyn_into().ok()).expect("Kill Broker 5");
    kill.click();
    sleep(SETTLE).await;
    assert!(console_lines(&root).iter().any(|t| t == "$ ksim kill 5"), "{:?}", console_lines(&root));
    let broker = labelled(&root, "Broker 5").expect("Broker 5");
    let state = broker.query_selector(".state").ok().flatten().and_then(|s| s.text_content());
    assert!(state.is_some_and(|s| s.contains("stopped")), "Broker 5 is not shown as stopped");
    assert!(labelled(&root, "Kill Broker 5").is_none());
    let restart: HtmlElement =
        labelled(&root, "Restart Broker 5").and_then(|e| e.dyn_into().ok()).expect("Restart Broker 5");
    restart.click();
    sleep(SETTLE).await;
    assert!(console_lines(&root).iter().any(|t| t == "$ ksim restart 5"), "{:?}", console_lines(&root));
    assert!(labelled(&root, "Kill Broker 5").is_some());
    app.destroy();
}

/// Waits up to `tries` × `SETTLE` for an element labelled `name`.
async fn wait_for_label(root: &Element, name: &str, tries: u32) -> Option<Element> {
    for _ in 0..tries {
        if let Some(e) = labelled(root, name) {
            return Some(e);
        }
        sleep(SETTLE).await;
    }
    None
}

#[wasm_bindgen_test]
async fn replicas_and_raft_countdowns_are_shown() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    type_line(&root, "ksim start-cluster --brokers 3 --controllers 3").await;
    type_line(&root, "ksim advance 5s").await;
    let countdowns = root.query_selector_all(".raft-deadline").expect("a valid selector");
    let first = countdowns.item(0).and_then(|n| n.text_content()).unwrap_or_default();
    assert!(countdowns.length() == 3 && first.ends_with(" s"), "{} countdowns, first {first:?}", countdowns.length());
    type_line(
        &root,
        "kafka-topics.sh --create --topic icu-vitals --partitions 3 --replication-factor 3 \
         --bootstrap-server localhost:9092",
    )
    .await;
    assert!(wait_for_label(&root, "Replica on broker 5", 50).await.is_some(), "no row labelled Replica on broker 5");
    // Three partitions on three brokers each, once every broker has created its copies.
    let rows = || {
        let rows = root.query_selector_all(".replica-row").expect("a valid selector");
        (0..rows.length()).filter_map(|i| rows.item(i)?.text_content()).collect::<Vec<_>>()
    };
    for _ in 0..50 {
        if rows().iter().all(|r| r.contains("LEO 0 · HW 0")) {
            break;
        }
        sleep(SETTLE).await;
    }
    let rows = rows();
    assert_eq!(rows.len(), 9, "{rows:?}");
    assert!(rows.iter().all(|r| r.contains("LEO 0 · HW 0")), "{rows:?}");
    let row = labelled(&root, "Replica on broker 5").and_then(|r| r.text_content()).unwrap_or_default();
    assert!(row.starts_with("Broker 5 · "), "{row:?}");
    app.destroy();
}

#[wasm_bindgen_test]
async fn typed_command_prints_its_output() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    let input = type_line(&root, "echo hello").await;
    let texts = console_lines(&root);
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

/// Consumer groups hash group ids, draw member ids and run assignors; the idempotent
/// producer draws producer ids: the browser must agree with the native golden files.
#[wasm_bindgen_test]
fn group_and_idempotence_transcripts_are_the_same_in_wasm() {
    let scripts = [
        (include_str!("scripts/consumer-groups.ksim"), include_str!("scripts/consumer-groups.out")),
        (include_str!("scripts/consumer-protocol.ksim"), include_str!("scripts/consumer-protocol.out")),
        (include_str!("scripts/idempotent-producer.ksim"), include_str!("scripts/idempotent-producer.out")),
    ];
    for (script, expected) in scripts {
        assert_eq!(ksim::run_script(script, 1), expected);
    }
}

/// A bubbling `click`, as a pointer would send it (SVG elements have no `click()`).
fn click(element: &Element) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("click", &init).expect("an event");
    element.dispatch_event(&event).expect("dispatched");
}

#[wasm_bindgen_test]
async fn clicking_a_broker_opens_its_inspector() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    type_line(&root, "ksim start-cluster --brokers 3 --controllers 3").await;
    type_line(&root, "ksim advance 5s").await;
    type_line(
        &root,
        "kafka-topics.sh --create --topic icu-vitals --partitions 1 --replication-factor 3 \
         --bootstrap-server localhost:9092",
    )
    .await;
    assert!(wait_for_label(&root, "Replica on broker 4", 50).await.is_some(), "no row labelled Replica on broker 4");

    let broker = labelled(&root, "Broker 4").expect("Broker 4");
    assert_eq!(broker.get_attribute("role").as_deref(), Some("button"));
    click(&broker);
    sleep(SETTLE).await;
    let panel = labelled(&root, "Node 4 details").expect("a panel labelled Node 4 details");
    // The panel follows the simulation: broker 4 creates its copy a moment later.
    for _ in 0..50 {
        if panel.text_content().is_some_and(|t| t.contains("in ISR")) {
            break;
        }
        sleep(SETTLE).await;
    }
    let text = panel.text_content().unwrap_or_default();
    for part in ["Broker 4", "running", "Partition replicas", "icu-vitals-0", "in ISR", "Kill Broker 4"] {
        assert!(text.contains(part), "no {part:?} in {text:?}");
    }
    assert!(text.contains("leads 1 of 1 replica") || text.contains("leads 0 of 1 replica"), "{text:?}");
    assert_eq!(labelled(&root, "Broker 4").and_then(|b| b.get_attribute("aria-expanded")).as_deref(), Some("true"));

    // Enter on the box closes it again; the close button closes another node's.
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let enter = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("an event");
    labelled(&root, "Broker 4").expect("Broker 4").dispatch_event(&enter).expect("dispatched");
    sleep(SETTLE).await;
    assert!(labelled(&root, "Node 4 details").is_none(), "Enter on Broker 4 did not close its inspector");
    click(&labelled(&root, "Controller 1").expect("Controller 1"));
    sleep(SETTLE).await;
    let text = labelled(&root, "Node 1 details").and_then(|p| p.text_content()).unwrap_or_default();
    assert!(text.contains("Raft state") && text.contains("Metadata log end"), "{text:?}");
    let close: HtmlElement =
        labelled(&root, "Close node details").and_then(|e| e.dyn_into().ok()).expect("Close node details");
    close.click();
    sleep(SETTLE).await;
    assert!(labelled(&root, "Node 1 details").is_none(), "the close button did not close the inspector");
    app.destroy();
}

#[wasm_bindgen_test]
async fn the_timeline_goes_back_and_forks() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    type_line(&root, "ksim start-cluster --brokers 1 --controllers 1").await;
    type_line(&root, "ksim advance 2s").await;
    button(&root, "Pause").and_then(|b| b.dyn_into::<HtmlElement>().ok()).expect("Pause").click();
    sleep(SETTLE).await;
    let timeline: HtmlInputElement = root
        .query_selector("input[type=range]#timeline")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("the timeline");
    assert!(timeline.max().parse::<u64>().expect("a number") > 10);
    timeline.set_value("5");
    let input = web_sys::Event::new_with_event_init_dict("input", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("an event");
    timeline.dispatch_event(&input).expect("dispatched");
    sleep(SETTLE).await;
    let notice =
        || root.query_selector(".past-notice").ok().flatten().and_then(|n| n.text_content()).unwrap_or_default();
    assert!(notice().contains("Viewing the past"), "{:?}", notice());
    button(&root, "Fork from here").and_then(|b| b.dyn_into::<HtmlElement>().ok()).expect("Fork from here").click();
    sleep(SETTLE).await;
    assert_eq!(notice(), "");
    let timeline: HtmlInputElement =
        root.query_selector("#timeline").ok().flatten().and_then(|e| e.dyn_into().ok()).expect("the timeline");
    assert_eq!((timeline.value(), timeline.max()), ("5".to_owned(), "5".to_owned()));
    app.destroy();
}

/// The exercise panel follows the playground's state (the classroom bar re-renders on
/// every reduced state).
#[wasm_bindgen_test]
async fn picking_an_exercise_shows_its_steps() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    click(&button(&root, "Exercises").expect("the Exercises button"));
    sleep(SETTLE).await;
    let pick = root.query_selector("button[data-exercise=\"topics\"]").ok().flatten().expect("the topics exercise");
    click(&pick);
    sleep(SETTLE).await;
    let panel = root.query_selector(".exercise-panel").ok().flatten().map(|p| p.inner_html()).unwrap_or_default();
    assert!(root.query_selector(".exercise-step").ok().flatten().is_some(), "no steps in the panel: {panel}");
    app.destroy();
}

/// `?` (with Shift, as typed) opens the keyboard-shortcut help; Escape closes it.
#[wasm_bindgen_test]
async fn question_mark_shows_the_shortcuts() {
    let root = fresh_root();
    let app = kafka_playground::mount(root.clone(), 1);
    sleep(SETTLE).await;
    let press = |key: &str, shift: bool| {
        let init = KeyboardEventInit::new();
        init.set_key(key);
        init.set_shift_key(shift);
        init.set_bubbles(true);
        let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("an event");
        let body = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()).expect("a body");
        body.dispatch_event(&event).expect("dispatched");
    };
    press("?", true);
    sleep(SETTLE).await;
    let heading = root.query_selector("#help-heading").ok().flatten().and_then(|h| h.text_content());
    assert_eq!(heading.as_deref(), Some("Keyboard shortcuts"));
    press("Escape", false);
    sleep(SETTLE).await;
    assert!(root.query_selector("#help-heading").ok().flatten().is_none(), "Escape closes the help");
    app.destroy();
}
