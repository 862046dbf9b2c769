//! The classroom bar in the top bar: `Exercises` (opens the exercise panel), `Share` (a
//! link that replays this session), and the session menu (export / import JSON, export as
//! Kafka commands). It also boots from the address (`?s=`, `?exercise=`), restores the
//! autosave after a reload, and autosaves after each command.

use std::rc::Rc;

use ksim::{Exercise, Replay};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;

use crate::classroom::ClassroomAction;
use crate::components::exercise_panel::ExercisePanel;
use crate::playground::{Action, Playground};

const AUTOSAVE_KEY: &str = "kafka-playground.autosave";
const SOLVED_KEY: &str = "kafka-playground.solved";
const AUTOSAVE_DEBOUNCE_MS: u32 = 1000;

#[derive(Properties)]
pub struct ClassroomBarProps {
    pub state: UseReducerHandle<Playground>,
    /// The playground's version: each reduced state has a new one, so the bar re-renders
    /// when anything changed. (The handle itself cannot tell: an old handle already reads
    /// the new state, so comparing through it always finds the props equal.)
    pub version: u64,
}

impl PartialEq for ClassroomBarProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn solved_ids() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(SOLVED_KEY).ok()?)
        .map(|v| v.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

fn mark_solved(id: &str) {
    let mut ids = solved_ids();
    if !ids.iter().any(|i| i == id) {
        ids.push(id.to_owned());
        if let Some(s) = storage() {
            let _ = s.set_item(SOLVED_KEY, &ids.join(","));
        }
    }
}

fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let value = search.trim_start_matches('?').split('&').find_map(|p| p.strip_prefix(&format!("{name}=")))?;
    js_sys::decode_uri_component(value).ok()?.as_string()
}

fn is_reload() -> bool {
    let Some(perf) = web_sys::window().and_then(|w| w.performance()) else { return false };
    perf.get_entries_by_type("navigation")
        .get(0)
        .dyn_into::<web_sys::PerformanceNavigationTiming>()
        .is_ok_and(|n| n.type_() == web_sys::NavigationType::Reload)
}

/// Offers `text` as a file download.
fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(a) =
        document.and_then(|d| d.create_element("a").ok()).and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The first file of a file input, as text.
async fn file_text(input: &web_sys::HtmlInputElement) -> Option<(String, String)> {
    let file = input.files()?.get(0)?;
    let text = JsFuture::from(file.text()).await.ok()?.as_string()?;
    Some((file.name(), text))
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| format!("{e:?}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response".to_owned())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = response.text().map_err(|e| format!("{e:?}"))?;
    JsFuture::from(text).await.map_err(|e| format!("{e:?}"))?.as_string().ok_or_else(|| "not text".to_owned())
}

fn restore(state: &UseReducerHandle<Playground>, replay: Replay) {
    state.dispatch(Action::Classroom(ClassroomAction::Restore(Rc::new(replay))));
}

fn notice(state: &UseReducerHandle<Playground>, text: impl Into<String>) {
    state.dispatch(Action::Classroom(ClassroomAction::Notice(Some(text.into()))));
}

fn load_exercise_into(state: &UseReducerHandle<Playground>, name: &str, text: &str) {
    match ksim::load_exercise(name, text) {
        Ok(e) => state.dispatch(Action::Classroom(ClassroomAction::StartExercise(Rc::new(e)))),
        Err(e) => notice(state, format!("This exercise file cannot be loaded: {e}")),
    }
}

#[function_component]
pub fn ClassroomBar(props: &ClassroomBarProps) -> Html {
    let state = props.state.clone();
    let panel_open = use_state(|| false);
    let share_url = use_state(|| None::<String>);
    let exercises = use_memo((), |()| ksim::builtin_exercises().unwrap_or_default());

    // Boot: a share link, a teacher's exercise, or the autosave after a reload.
    {
        let state = state.clone();
        let panel_open = panel_open.clone();
        use_effect_with((), move |()| {
            if let Some(code) = query_param("s") {
                match Replay::from_share_code(&code) {
                    Ok(replay) => restore(&state, replay),
                    Err(e) => notice(&state, e.to_string()),
                }
            } else if let Some(url) = query_param("exercise") {
                panel_open.set(true);
                wasm_bindgen_futures::spawn_local(async move {
                    match fetch_text(&url).await {
                        Ok(text) => load_exercise_into(&state, &url, &text),
                        Err(e) => notice(&state, format!("The exercise at {url} could not be fetched: {e}")),
                    }
                });
            } else if is_reload() {
                if let Some(json) = storage().and_then(|s| s.get_item(AUTOSAVE_KEY).ok()?) {
                    if let Ok(replay) = Replay::from_json(&json) {
                        restore(&state, replay);
                    }
                }
            }
        });
    }

    // Autosave after each command (new console lines), debounced.
    let lines = state.session().output().len();
    {
        let state = state.clone();
        use_effect_with(lines, move |_| {
            let timer = gloo_timers::callback::Timeout::new(AUTOSAVE_DEBOUNCE_MS, move || {
                let json = crate::classroom::export(&state).to_json();
                if let Some(s) = storage() {
                    let _ = s.set_item(AUTOSAVE_KEY, &json);
                }
            });
            move || drop(timer)
        });
    }

    // Progress: a solved exercise is remembered.
    let solved_now = state
        .classroom
        .exercise
        .as_ref()
        .filter(|r| !r.results.is_empty() && r.results.iter().all(|c| c.passed))
        .map(|r| r.exercise.id.clone());
    use_effect_with(solved_now, |id| {
        if let Some(id) = id {
            mark_solved(id);
        }
    });

    let toggle = {
        let panel_open = panel_open.clone();
        Callback::from(move |_: MouseEvent| panel_open.set(!*panel_open))
    };
    let share = {
        let state = state.clone();
        let share_url = share_url.clone();
        Callback::from(move |_: MouseEvent| {
            let code = crate::classroom::export(&state).to_share_code();
            let location = web_sys::window().map(|w| w.location());
            let base = location
                .map(|l| format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default()))
                .unwrap_or_default();
            let url = format!("{base}?s={code}");
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&url);
            }
            share_url.set(Some(url));
        })
    };
    let export_json = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            download("kafka-playground-session.json", "application/json", &crate::classroom::export(&state).to_json())
        })
    };
    let export_commands = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            download("kafka-commands.sh", "text/x-shellscript", &state.session().export_kafka_commands())
        })
    };
    let import = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            let state = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Some((_, text)) = file_text(&input).await {
                    match Replay::from_json(&text) {
                        Ok(replay) => restore(&state, replay),
                        Err(e) => notice(&state, e.to_string()),
                    }
                }
                input.set_value("");
            });
        })
    };
    let load_exercise = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            let state = state.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Some((name, text)) = file_text(&input).await {
                    load_exercise_into(&state, &name, &text);
                }
                input.set_value("");
            });
        })
    };
    let dismiss = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Classroom(ClassroomAction::Notice(None))))
    };
    let on_action = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    let start = {
        let state = state.clone();
        let exercises = exercises.clone();
        Callback::from(move |index: usize| {
            if let Some(e) = exercises.get(index) {
                state.dispatch(Action::Classroom(ClassroomAction::StartExercise(Rc::new(Exercise::clone(e)))));
            }
        })
    };
    let close_share = {
        let share_url = share_url.clone();
        Callback::from(move |_: MouseEvent| share_url.set(None))
    };

    html! {
        <div class="classroom-bar">
            <button class={classes!("classroom-button", panel_open.then_some("active"))} aria-label="Exercises" aria-expanded={panel_open.to_string()} onclick={toggle.clone()}>
                {"Exercises"}
            </button>
            <button class="classroom-button" aria-label="Share" onclick={share} title="A link that replays this session">{"Share"}</button>
            <details class="session-menu">
                <summary>{"Session"}</summary>
                <div class="session-menu-body">
                    <button onclick={export_json}>{"Export session (JSON)"}</button>
                    <label class="file-button">
                        {"Import session…"}
                        <input type="file" accept=".json,application/json" aria-label="Import session" onchange={import} />
                    </label>
                    <button onclick={export_commands} title="A shell script of your commands for a real Kafka 4">{"Export as Kafka commands"}</button>
                </div>
            </details>
            if let Some(url) = (*share_url).clone() {
                <div class="share-popover" role="dialog" aria-label="Share link">
                    <label>{"Link copied — it replays this session:"}
                        <input type="text" readonly=true aria-label="Share URL" value={url} onfocus={Callback::from(|e: FocusEvent| {
                            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { i.select(); }
                        })} />
                    </label>
                    <button class="close" aria-label="Close share link" onclick={close_share}>{"×"}</button>
                </div>
            }
            if let Some(text) = state.classroom.notice.clone() {
                <div class="classroom-notice" role="alert">
                    <span>{text}</span>
                    <button class="close" aria-label="Dismiss" onclick={dismiss}>{"×"}</button>
                </div>
            }
            if *panel_open {
                <ExercisePanel
                    exercises={exercises.clone()}
                    run={state.classroom.exercise.clone()}
                    solved={solved_ids()}
                    {on_action}
                    on_start={start}
                    on_load={load_exercise}
                    on_close={toggle}
                />
            }
        </div>
    }
}
