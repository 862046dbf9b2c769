//! The emulated shell: scrollback and a one-line input with the current prompt.
//! Enter submits, ↑/↓ walk the history, Ctrl-C interrupts, Ctrl-D ends input, Ctrl-L clears.

use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use crate::history::History;
use crate::keys::{console_key, ConsoleKey, Modifiers};
use crate::playground::Action;
use crate::view_model::console_lines::{input_hint, Scrollback};

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub lines: Scrollback,
    pub prompt: &'static str,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn Console(props: &ConsoleProps) -> Html {
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();
    let history = use_mut_ref(History::default);

    {
        // Focused on load, so a student can type straight away.
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| focus(&input_ref));
    }
    {
        // Like a terminal, new output scrolls into view.
        let output_ref = output_ref.clone();
        let count = (props.lines.start, props.lines.lines.len());
        use_effect_with(count, move |_| {
            if let Some(output) = output_ref.cast::<Element>() {
                output.set_scroll_top(output.scroll_height());
            }
        });
    }

    let onkeydown = {
        let (input_ref, on_action) = (input_ref.clone(), props.on_action.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(input) = input_ref.cast::<HtmlInputElement>() else {
                return;
            };
            let modifiers =
                Modifiers { ctrl: e.ctrl_key(), alt: e.alt_key(), meta: e.meta_key(), shift: e.shift_key() };
            let Some(key) = console_key(&e.key(), modifiers) else {
                return;
            };
            match key {
                ConsoleKey::Submit => {
                    let line = input.value();
                    input.set_value("");
                    history.borrow_mut().push(&line);
                    on_action.emit(Action::Input(line));
                }
                ConsoleKey::Older | ConsoleKey::Newer => {
                    let mut history = history.borrow_mut();
                    let recalled =
                        if key == ConsoleKey::Older { history.older(&input.value()) } else { history.newer() };
                    if let Some(line) = recalled {
                        // Otherwise the caret jumps to the start of the line.
                        e.prevent_default();
                        input.set_value(&line);
                    }
                }
                // With text selected, Ctrl-C copies it, as in a terminal emulator.
                ConsoleKey::Interrupt if has_selection(&input) => {}
                ConsoleKey::Interrupt => {
                    e.prevent_default();
                    input.set_value("");
                    history.borrow_mut().push("");
                    on_action.emit(Action::Interrupt);
                }
                ConsoleKey::EndOfInput => {
                    // The browser would otherwise bookmark the page.
                    e.prevent_default();
                    on_action.emit(Action::EndOfInput);
                }
                ConsoleKey::Clear => {
                    // The browser would otherwise focus the address bar.
                    e.prevent_default();
                    on_action.emit(Action::ClearConsole);
                }
            }
        })
    };

    let onclick = {
        let input_ref = input_ref.clone();
        // A click that ends a text selection must not destroy it by moving focus.
        Callback::from(move |_: MouseEvent| {
            if !page_has_selection() {
                focus(&input_ref);
            }
        })
    };

    let lines = &props.lines;
    html! {
        <section class="panel console" aria-labelledby="console-heading" {onclick}>
            <div class="panel-head">
                <h2 id="console-heading">{"Console"}</h2>
                <span class="panel-note">{"↑↓ history · Ctrl-C interrupt · Ctrl-D end input · Ctrl-L clear"}</span>
            </div>
            <div
                class="console-output"
                ref={output_ref}
                role="log"
                aria-live="polite"
                aria-label="Console output"
            >
                if lines.hidden > 0 {
                    <div class="line note">{format!("… {} earlier lines", lines.hidden)}</div>
                }
                { for lines.lines.iter().enumerate().map(|(i, line)| html! {
                    <div key={lines.start + i} class={classes!("line", line.class)}>
                        if !line.prompt.is_empty() {
                            <span class="prompt">{line.prompt}</span>
                        }
                        {&line.text}
                    </div>
                }) }
            </div>
            <div class="console-input">
                <span class="prompt" aria-hidden="true">{props.prompt}</span>
                <input
                    ref={input_ref}
                    type="text"
                    aria-label="Console input"
                    placeholder={input_hint(props.prompt, lines.lines.is_empty())}
                    autofocus=true
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    {onkeydown}
                />
            </div>
        </section>
    }
}

fn focus(input_ref: &NodeRef) {
    if let Some(input) = input_ref.cast::<HtmlInputElement>() {
        // Focus can only fail on a detached element; then there is nothing to type into.
        let _ = input.focus();
    }
}

/// Text selected inside the input or anywhere on the page.
fn has_selection(input: &HtmlInputElement) -> bool {
    let in_input = matches!(
        (input.selection_start(), input.selection_end()),
        (Ok(Some(start)), Ok(Some(end))) if start != end
    );
    in_input || page_has_selection()
}

fn page_has_selection() -> bool {
    web_sys::window().and_then(|w| w.get_selection().ok().flatten()).is_some_and(|s| !s.is_collapsed())
}
