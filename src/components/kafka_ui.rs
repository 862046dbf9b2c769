//! The Kafka UI view: the cluster as the web consoles Kafka users know show it, tabs
//! Brokers · Topics · Consumers · Streams, over the cluster and topic panels' place. The
//! topics tab and a topic's detail are in `kafka_ui_topics.rs`, the Streams tab (Kafka
//! Streams applications and ksqlDB queries) in `kafka_ui_streams.rs`.

use std::rc::Rc;

use ksim::ClusterView;
use yew::prelude::*;

use crate::components::groups_panel::partition_table;
use crate::components::kafka_ui_streams::streams_tab;
use crate::components::kafka_ui_topics::TopicsTab;
use crate::view_model::groups::{GroupModel, LEADER_TOOLTIP};
use crate::view_model::kafka_ui::{brokers, group_detail, group_rows};
use crate::view_model::streams::streams_apps;
use crate::view_model::topics::UNDER_REPLICATED_TOOLTIP;

pub const KAFKA_UI_ID: &str = "kafka-ui";

#[derive(Properties, PartialEq)]
pub struct KafkaUiProps {
    pub view: Rc<ClusterView>,
    /// The × button, or Escape inside the view.
    pub on_close: Callback<()>,
}

const TABS: [&str; 4] = ["Brokers", "Topics", "Consumers", "Streams"];

#[function_component]
pub fn KafkaUi(props: &KafkaUiProps) -> Html {
    let tab = use_state(|| 0usize);
    let select = {
        let tab = tab.clone();
        Callback::from(move |i: usize| tab.set(i))
    };
    let escape = {
        let close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                close.emit(());
            }
        })
    };
    let view = &props.view;
    let panel = match *tab {
        0 => brokers_tab(view),
        1 => html! { <TopicsTab view={view.clone()} /> },
        2 => html! { <ConsumersTab view={view.clone()} /> },
        _ => streams_tab(&streams_apps(&view.streams)),
    };
    html! {
        <section id={KAFKA_UI_ID} class="panel kafka-ui" role="region" aria-label="Kafka UI" onkeydown={escape}>
            <div class="panel-head">
                <h2>{"Kafka UI"}</h2>
                {tabs("kafka-ui", "Kafka UI", &TABS, *tab, select)}
                <span class="panel-note">{"the cluster as Kafka's web consoles show it"}</span>
                <button type="button" class="close" aria-label="Close Kafka UI" title="Close" onclick={props.on_close.reform(|_: MouseEvent| ())}>
                    {"×"}
                </button>
            </div>
            <div
                class="panel-body kafka-ui-body"
                role="tabpanel"
                id={format!("kafka-ui-panel-{}", *tab)}
                aria-labelledby={format!("kafka-ui-tab-{}", *tab)}
            >
                {panel}
            </div>
        </section>
    }
}

/// ARIA tabs with a roving tabindex: ←/→ (and Home/End) move between them and select.
/// Each tab's id is `{prefix}-tab-{i}` and controls `{prefix}-panel-{i}`.
pub fn tabs(prefix: &str, label: &str, names: &[&str], selected: usize, on_select: Callback<usize>) -> Html {
    let count = names.len();
    let keydown = {
        let (prefix, on_select) = (prefix.to_owned(), on_select.clone());
        Callback::from(move |e: KeyboardEvent| {
            let next = match e.key().as_str() {
                "ArrowRight" => (selected + 1) % count,
                "ArrowLeft" => (selected + count - 1) % count,
                "Home" => 0,
                "End" => count - 1,
                _ => return,
            };
            // Not the page's ←/→ (step back, step).
            e.prevent_default();
            e.stop_propagation();
            on_select.emit(next);
            focus(&format!("{prefix}-tab-{next}"));
        })
    };
    html! {
        <div class="tabs" role="tablist" aria-label={label.to_owned()} onkeydown={keydown}>
            { for names.iter().enumerate().map(|(i, name)| {
                let click = on_select.reform(move |_: MouseEvent| i);
                let on = i == selected;
                html! {
                    <button
                        type="button"
                        role="tab"
                        class={classes!("tab", on.then_some("selected"))}
                        id={format!("{prefix}-tab-{i}")}
                        aria-selected={if on { "true" } else { "false" }}
                        aria-controls={format!("{prefix}-panel-{i}")}
                        tabindex={if on { "0" } else { "-1" }}
                        onclick={click}
                    >
                        {*name}
                    </button>
                }
            }) }
        </div>
    }
}

fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

fn brokers_tab(view: &ClusterView) -> Html {
    let b = brokers(view);
    html! {
        <>
            <p class="kafka-ui-quorum">
                <span class="label">{"Controller quorum"}</span>{&b.quorum}
            </p>
            if b.rows.is_empty() {
                <p class="empty">{"No servers yet. Start a cluster with "}<code>{"ksim start-cluster --brokers 3 --controllers 3"}</code></p>
            } else {
                <table class="kafka-ui-table brokers-table" aria-label="Brokers">
                    <thead>
                        <tr>
                            <th scope="col" class="num">{"Broker ID"}</th>
                            <th scope="col">{"Role(s)"}</th>
                            <th scope="col">{"State"}</th>
                            <th scope="col" class="num" title="Partition replicas hosted">{"Partitions"}</th>
                            <th scope="col" class="num" title="Partitions it leads">{"Leaders"}</th>
                            <th scope="col" class="num" title={UNDER_REPLICATED_TOOLTIP}>{"Under-replicated"}</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for b.rows.iter().map(|r| html! {
                            <tr key={r.node_id}>
                                <th scope="row" class="num">{r.node_id}</th>
                                <td>{r.roles}</td>
                                <td><span class={classes!("node-state", r.state_class)}><span class="state-dot" aria-hidden="true">{"● "}</span>{r.state}</span></td>
                                <td class="num">{r.partitions}</td>
                                <td class="num">{r.leaders}</td>
                                <td class={classes!("num", (r.under_replicated > 0).then_some("alert"))}>{r.under_replicated}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ConsumersTabProps {
    view: Rc<ClusterView>,
}

#[function_component]
fn ConsumersTab(props: &ConsumersTabProps) -> Html {
    let selected = use_state(|| None::<String>);
    if let Some(id) = &*selected {
        let back = {
            let selected = selected.clone();
            Callback::from(move |_: MouseEvent| selected.set(None))
        };
        return html! {
            <>
                <div class="kafka-ui-crumbs">
                    <button type="button" class="kafka-ui-link" onclick={back}>{"Consumers"}</button>
                    <span aria-hidden="true">{" / "}</span>
                    <h3>{id}</h3>
                </div>
                { match group_detail(&props.view, id) {
                    Some(g) => group_view(&g),
                    None => html! { <p class="empty">{"This group is gone (at this point in time)."}</p> },
                } }
            </>
        };
    }
    let rows = group_rows(&props.view);
    if rows.is_empty() {
        return html! { <p class="empty">{"No consumer groups yet. Start a consumer with --group."}</p> };
    }
    html! {
        <table class="kafka-ui-table groups-table" aria-label="Consumer groups">
            <thead>
                <tr>
                    <th scope="col">{"Group"}</th>
                    <th scope="col">{"State"}</th>
                    <th scope="col" class="num">{"Members"}</th>
                    <th scope="col">{"Topics"}</th>
                    <th scope="col" class="num" title="Sum over partitions of log end minus committed">{"Total lag"}</th>
                </tr>
            </thead>
            <tbody>
                { for rows.iter().map(|r| {
                    let open = {
                        let (selected, id) = (selected.clone(), r.group_id.clone());
                        Callback::from(move |_: MouseEvent| selected.set(Some(id.clone())))
                    };
                    html! {
                        <tr key={r.group_id.clone()}>
                            <th scope="row"><button type="button" class="kafka-ui-link" onclick={open}>{&r.group_id}</button></th>
                            <td><span class={classes!("group-state", r.state_class)} title={r.state_tooltip}>{&r.state}</span></td>
                            <td class="num">{r.members}</td>
                            <td>{&r.topics}</td>
                            <td class={classes!("num", (r.total_lag > 0).then_some("lagging"))}>{r.total_lag}</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// A group's members and its partitions with lag (also a topic's Consumers sub-tab).
pub fn group_view(g: &GroupModel) -> Html {
    html! {
        <div class="kafka-ui-group" aria-label={format!("Group {}", g.group_id)} role="group">
            <p class="kafka-ui-meta">
                <span class={classes!("group-state", g.state_class)} title={g.state_tooltip}>{&g.state}</span>
                <span>{&g.generation}</span>
                <span>{&g.assignor}</span>
                <span title={g.coordinator_tooltip.clone()}>{&g.coordinator}</span>
                <span class={classes!("lag-total", (g.total_lag > 0).then_some("lagging"))}>{format!("total lag {}", g.total_lag)}</span>
            </p>
            { partition_table("kafka-ui-table", Some(format!("Partitions of {}", g.group_id)), &g.partitions) }
            if g.members.is_empty() {
                <p class="empty">{"No members: the group keeps its committed offsets."}</p>
            } else {
                <table class="kafka-ui-table" aria-label={format!("Members of {}", g.group_id)}>
                    <thead>
                        <tr>
                            <th scope="col">{"Member"}</th>
                            <th scope="col">{"Client ID"}</th>
                            <th scope="col">{"Assigned partitions"}</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for g.members.iter().map(|m| html! {
                            <tr key={m.member_id.clone()} class="kafka-ui-member">
                                <th scope="row">
                                    <code title={format!("member id {}", m.member_id)}>{&m.short_id}</code>
                                    if m.leader { <span class="leader-tag" title={LEADER_TOOLTIP}>{"leader"}</span> }
                                </th>
                                <td>{&m.client_id}</td>
                                <td>
                                    if m.partitions.is_empty() { <span class="faint">{"none"}</span> }
                                    { for m.partitions.iter().map(|p| html! { <span class="chip">{p}</span> }) }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </div>
    }
}
