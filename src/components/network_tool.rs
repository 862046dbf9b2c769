//! The Network tool: a button in the cluster panel's head opening a small panel that cuts
//! the network between two groups of nodes (both ways, or one way from A to B) and heals
//! it, by running the same `ksim partition` / `ksim heal` lines the console takes.

use ksim::vec_map::VecSet;

use yew::prelude::*;

use crate::playground::Action;
use crate::view_model::network::{cuts_summary, partition_command};

const PANEL_ID: &str = "network-tool";

#[derive(Properties, PartialEq)]
pub struct NetworkToolProps {
    /// Every server, `(node id, accessible name)`: `(4, "Broker 4")`.
    pub nodes: Vec<(u32, String)>,
    /// The active cuts, directed pairs.
    pub cuts: Vec<(u32, u32)>,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn NetworkTool(props: &NetworkToolProps) -> Html {
    let open = use_state(|| false);
    let group_a = use_state(VecSet::<u32>::new);
    let group_b = use_state(VecSet::<u32>::new);
    let one_way = use_state(|| false);

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    let a: Vec<u32> = group_a.iter().copied().collect();
    let b: Vec<u32> = group_b.iter().copied().collect();
    let command = partition_command(&a, &b, *one_way);
    // Both close the panel, so the diagram underneath shows what changed.
    let cut = {
        let (command, on_action, open) = (command.clone(), props.on_action.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = &command {
                on_action.emit(Action::Control(c.clone()));
                open.set(false);
            }
        })
    };
    let heal = {
        let (on_action, open) = (props.on_action.clone(), open.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Control("ksim heal".to_owned()));
            open.set(false);
        })
    };
    let checkbox =
        |group: &UseStateHandle<VecSet<u32>>, other: &UseStateHandle<VecSet<u32>>, side: &str, id: u32, name: &str| {
            let handle = group.clone();
            let onchange = Callback::from(move |_: Event| {
                let mut set = (*handle).clone();
                if !set.remove(&id) {
                    set.insert(id);
                }
                handle.set(set);
            });
            html! {
                <label class="node-check">
                    <input
                        type="checkbox"
                        aria-label={format!("Group {side} {name}")}
                        checked={group.contains(&id)}
                        disabled={other.contains(&id)}
                        {onchange}
                    />
                    {name.to_owned()}
                </label>
            }
        };
    let one_way_change = {
        let one_way = one_way.clone();
        Callback::from(move |_: Event| one_way.set(!*one_way))
    };
    let summary = cuts_summary(&props.cuts);
    html! {
        <div class="network-tool" {onkeydown}>
            <button
                type="button"
                class={classes!("network-toggle", (!props.cuts.is_empty()).then_some("active"))}
                aria-label="Network"
                aria-expanded={open.to_string()}
                aria-controls={PANEL_ID}
                title={if props.cuts.is_empty() {
                    "Cut the network between groups of nodes, or heal it".to_owned()
                } else {
                    format!("Network cut now: {} (open to heal)", summary.join(", "))
                }}
                onclick={toggle}
            >
                <span aria-hidden="true">{"✂ "}</span>{"Network"}
            </button>
            if *open {
                <div id={PANEL_ID} class="network-panel" role="group" aria-label="Network cuts">
                    if props.nodes.is_empty() {
                        <p class="empty">{"Start some servers first."}</p>
                    } else {
                        <div class="groups-pick">
                            <fieldset>
                                <legend>{"Group A"}</legend>
                                { for props.nodes.iter().map(|(id, name)| checkbox(&group_a, &group_b, "A", *id, name)) }
                            </fieldset>
                            <span class="between" aria-hidden="true">{if *one_way { "→" } else { "⇹" }}</span>
                            <fieldset>
                                <legend>{"Group B"}</legend>
                                { for props.nodes.iter().map(|(id, name)| checkbox(&group_b, &group_a, "B", *id, name)) }
                            </fieldset>
                        </div>
                        <label class="one-way">
                            <input type="checkbox" checked={*one_way} onchange={one_way_change} />
                            {"one-way (only A → B is dropped)"}
                        </label>
                    }
                    <div class="network-actions">
                        <button
                            type="button"
                            class="cut"
                            aria-label="Cut"
                            disabled={command.is_none()}
                            title={command.clone().map_or("Pick nodes for both groups".to_owned(), |c| format!("Runs `{c}` (shown in the console)"))}
                            onclick={cut}
                        >
                            {"Cut"}
                        </button>
                        <button
                            type="button"
                            aria-label="Heal"
                            disabled={props.cuts.is_empty()}
                            title="Runs `ksim heal` (shown in the console)"
                            onclick={heal}
                        >
                            {"Heal"}
                        </button>
                        <code class="network-command">{command.unwrap_or_default()}</code>
                    </div>
                    <p class="cuts-now">
                        if summary.is_empty() {
                            {"No cuts: every server reaches every other."}
                        } else {
                            {format!("Cut now: {}", summary.join(", "))}
                        }
                    </p>
                </div>
            }
        </div>
    }
}
