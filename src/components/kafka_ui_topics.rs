//! The Kafka UI's Topics tab: the topics table, and a topic's detail with sub-tabs
//! Overview · Messages · Consumers · Settings.

use std::rc::Rc;

use ksim::{ClusterView, TopicView};
use yew::prelude::*;

use crate::components::kafka_ui::{group_view, tabs};
use crate::view_model::kafka_ui::{messages, overview, topic_consumers, topic_rows, MessageFilter};
use crate::view_model::topics::UNDER_REPLICATED_TOOLTIP;

#[derive(Properties, PartialEq)]
pub struct TopicsTabProps {
    pub view: Rc<ClusterView>,
}

const TOPIC_TABS: [&str; 4] = ["Overview", "Messages", "Consumers", "Settings"];

#[function_component]
pub fn TopicsTab(props: &TopicsTabProps) -> Html {
    let selected = use_state(|| None::<String>);
    let show_internal = use_state(|| false);
    let sub_tab = use_state(|| 0usize);
    let filter = use_state(MessageFilter::default);
    if let Some(name) = &*selected {
        let back = {
            let selected = selected.clone();
            Callback::from(move |_: MouseEvent| selected.set(None))
        };
        let select = {
            let sub_tab = sub_tab.clone();
            Callback::from(move |i: usize| sub_tab.set(i))
        };
        let topic = props.view.topics.iter().find(|t| &t.name == name);
        let body = match (topic, *sub_tab) {
            (None, _) => html! { <p class="empty">{"This topic does not exist (at this point in time)."}</p> },
            (Some(t), 0) => overview_table(t),
            (Some(t), 1) => messages_view(t, &filter),
            (Some(t), 2) => {
                let groups = topic_consumers(&props.view, &t.name);
                if groups.is_empty() {
                    html! { <p class="empty">{"No consumer group has read or been assigned this topic."}</p> }
                } else {
                    html! { <>{ for groups.iter().map(|g| html! {
                        <section class="kafka-ui-topic-group" key={g.group_id.clone()}>
                            <h4>{&g.group_id}</h4>
                            {group_view(g)}
                        </section>
                    }) }</> }
                }
            }
            (Some(t), _) => settings(t),
        };
        return html! {
            <>
                <div class="kafka-ui-crumbs">
                    <button type="button" class="kafka-ui-link" onclick={back}>{"Topics"}</button>
                    <span aria-hidden="true">{" / "}</span>
                    <h3>{name}</h3>
                    {tabs("kafka-ui-topic", &format!("Topic {name}"), &TOPIC_TABS, *sub_tab, select)}
                </div>
                <div
                    role="tabpanel"
                    class="kafka-ui-topic-panel"
                    id={format!("kafka-ui-topic-panel-{}", *sub_tab)}
                    aria-labelledby={format!("kafka-ui-topic-tab-{}", *sub_tab)}
                >
                    {body}
                </div>
            </>
        };
    }
    let model = topic_rows(&props.view, *show_internal);
    let toggle = {
        let show_internal = show_internal.clone();
        Callback::from(move |_: Event| show_internal.set(!*show_internal))
    };
    html! {
        <>
            <div class="kafka-ui-toolbar">
                <label>
                    <input type="checkbox" checked={*show_internal} onchange={toggle} />
                    {"Show internal topics"}
                    if model.internal_hidden > 0 {
                        <span class="faint">{format!(" ({} hidden)", model.internal_hidden)}</span>
                    }
                </label>
            </div>
            if model.rows.is_empty() {
                <p class="empty">{"No topics yet. Create one with "}<code>{"bin/kafka-topics.sh --create --topic vitals --bootstrap-server localhost:9092"}</code></p>
            } else {
                <table class="kafka-ui-table topics-table" aria-label="Topics">
                    <thead>
                        <tr>
                            <th scope="col">{"Topic"}</th>
                            <th scope="col" class="num">{"Partitions"}</th>
                            <th scope="col" class="num">{"Replication factor"}</th>
                            <th scope="col" title="ISR members over replicas, all partitions">{"In sync replicas"}</th>
                            <th scope="col" class="num" title="Sum over partitions of high watermark minus log start">{"Messages"}</th>
                            <th scope="col" class="num" title="The leaders' segments">{"Size"}</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for model.rows.iter().map(|r| {
                            let open = {
                                let (selected, sub_tab, filter, name) = (selected.clone(), sub_tab.clone(), filter.clone(), r.name.clone());
                                Callback::from(move |_: MouseEvent| {
                                    sub_tab.set(0);
                                    filter.set(MessageFilter::default());
                                    selected.set(Some(name.clone()));
                                })
                            };
                            html! {
                                <tr key={r.name.clone()} class={classes!(r.internal.then_some("internal"))}>
                                    <th scope="row"><button type="button" class="kafka-ui-link" onclick={open}>{&r.name}</button></th>
                                    <td class="num">{r.partitions}</td>
                                    <td class="num">{r.replication_factor}</td>
                                    <td class={classes!(r.under_replicated.then_some("alert"))} title={r.under_replicated.then_some(UNDER_REPLICATED_TOOLTIP)}>{&r.in_sync}</td>
                                    <td class="num">{r.messages}</td>
                                    <td class="num">{&r.size}</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </>
    }
}

fn overview_table(t: &TopicView) -> Html {
    html! {
        <table class="kafka-ui-table" aria-label={format!("Partitions of {}", t.name)}>
            <thead>
                <tr>
                    <th scope="col" class="num">{"Partition"}</th>
                    <th scope="col" class="num">{"Leader"}</th>
                    <th scope="col">{"Replicas"}</th>
                    <th scope="col">{"ISR"}</th>
                    <th scope="col" class="num">{"Log start"}</th>
                    <th scope="col" class="num" title={crate::view_model::glossary::HIGH_WATERMARK.sentence}>{"HW"}</th>
                    <th scope="col" class="num" title={crate::view_model::glossary::LOG_END_OFFSET.sentence}>{"LEO"}</th>
                </tr>
            </thead>
            <tbody>
                { for overview(t).iter().map(|p| html! {
                    <tr key={p.partition} class={classes!(p.under_replicated.then_some("under-replicated"))} title={p.under_replicated.then_some(UNDER_REPLICATED_TOOLTIP)}>
                        <th scope="row" class="num">{p.partition}</th>
                        <td class="num">{&p.leader}</td>
                        <td>{&p.replicas}</td>
                        <td class="isr">{&p.isr}</td>
                        <td class="num">{p.log_start}</td>
                        <td class="num">{p.high_watermark}</td>
                        <td class="num">{p.log_end}</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn messages_view(t: &TopicView, filter: &UseStateHandle<MessageFilter>) -> Html {
    let model = messages(t, filter);
    let on_partition = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else { return };
            filter.set(MessageFilter { partition: select.value().parse().ok(), ..(*filter).clone() });
        })
    };
    let on_text = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            filter.set(MessageFilter { text: input.value(), ..(*filter).clone() });
        })
    };
    let chosen = filter.partition;
    html! {
        <>
            <div class="kafka-ui-toolbar">
                <label>
                    {"Partition "}
                    <select aria-label="Partition" onchange={on_partition}>
                        <option value="all" selected={chosen.is_none()}>{"All"}</option>
                        { for t.partitions.iter().map(|p| html! {
                            <option value={p.partition.to_string()} selected={chosen == Some(p.partition)}>{p.partition}</option>
                        }) }
                    </select>
                </label>
                <input
                    type="search"
                    class="kafka-ui-search"
                    placeholder="Filter by key or value"
                    aria-label="Filter messages by key or value"
                    value={filter.text.clone()}
                    oninput={on_text}
                />
                if let Some(note) = &model.note {
                    <span class="panel-note">{note}</span>
                }
            </div>
            if model.rows.is_empty() {
                <p class="empty">{"No messages match."}</p>
            } else {
                <table class="kafka-ui-table messages-table" aria-label={format!("Messages of {}", t.name)}>
                    <thead>
                        <tr>
                            <th scope="col" class="num">{"Offset"}</th>
                            <th scope="col" class="num">{"Partition"}</th>
                            <th scope="col">{"Timestamp"}</th>
                            <th scope="col">{"Key"}</th>
                            <th scope="col">{"Value"}</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for model.rows.iter().map(|m| html! {
                            <tr key={format!("{}-{}", m.partition, m.offset)}>
                                <td class="num">{m.offset}</td>
                                <td class="num">{m.partition}</td>
                                <td class="timestamp">{&m.timestamp}</td>
                                <td class={classes!("key", m.null_key.then_some("null"))} title={m.key.clone()}>{&m.key}</td>
                                <td class={classes!("value", m.null_value.then_some("null"))} title={m.value.clone()}>{&m.value}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </>
    }
}

fn settings(t: &TopicView) -> Html {
    if t.configs.is_empty() {
        return html! { <p class="empty">{"Every config has its broker default. Change one with "}<code>{format!("bin/kafka-configs.sh --alter --entity-type topics --entity-name {} --add-config retention.ms=60000 --bootstrap-server localhost:9092", t.name)}</code></p> };
    }
    html! {
        <>
            <p class="panel-note">{"Configs that differ from the broker defaults (kafka-configs.sh --describe)."}</p>
            <table class="kafka-ui-table" aria-label={format!("Settings of {}", t.name)}>
                <thead>
                    <tr>
                        <th scope="col">{"Name"}</th>
                        <th scope="col">{"Value"}</th>
                    </tr>
                </thead>
                <tbody>
                    { for t.configs.iter().map(|(k, v)| html! {
                        <tr key={k.clone()}>
                            <th scope="row">{k}</th>
                            <td>{v}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </>
    }
}
