//! The node inspector: a panel over the topic panel's place with one server's Raft state
//! and partition replicas, opened by clicking its box in the diagram.

use yew::prelude::*;

use crate::components::server_box::INSPECTOR_ID;
use crate::playground::Action;
use crate::view_model::inspector::{Fact, Inspector};
use crate::view_model::topics::UNDER_REPLICATED_TOOLTIP;

#[derive(Properties, PartialEq)]
pub struct NodeInspectorProps {
    pub inspector: Inspector,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn NodeInspector(props: &NodeInspectorProps) -> Html {
    let i = &props.inspector;
    let close = props.on_action.reform(|_: MouseEvent| Action::CloseInspector);
    let command = i.fault_command.clone();
    // Runs beside whatever holds the console, as the diagram's button does.
    let fault = props.on_action.reform(move |_: MouseEvent| Action::Control(command.clone()));
    html! {
        <section id={INSPECTOR_ID} class="panel inspector" role="region" aria-label={i.name.clone()}>
            <div class="panel-head">
                <h2>{"Node details"}</h2>
                <span class="panel-note">{"click the box again to close"}</span>
                <button
                    type="button"
                    class="close"
                    aria-label="Close node details"
                    title="Close (Esc)"
                    onclick={close}
                >
                    {"×"}
                </button>
            </div>
            <div class="panel-body">
                <div class="inspector-title">
                    <h3>{&i.title}</h3>
                    <span class={classes!("node-state", i.state)} title={i.state_tooltip}>
                        <span class="state-dot" aria-hidden="true">{"● "}</span>{i.state}
                    </span>
                    <button
                        type="button"
                        class={classes!("fault-action", i.fault_verb.to_lowercase())}
                        title={format!("Runs `{}` (shown in the console)", i.fault_command)}
                        onclick={fault}
                    >
                        {&i.fault_label}
                    </button>
                </div>
                <p class="inspector-subtitle">{&i.subtitle}</p>
                if let Some(c) = &i.controller {
                    <h4 class="kraft">{"KRaft metadata quorum"}</h4>
                    if let Some(note) = c.note {
                        <p class="inspector-note">{note}</p>
                    }
                    <dl class="facts">
                        { for c.facts.iter().map(fact) }
                    </dl>
                }
                if let Some(b) = &i.broker {
                    <h4>
                        {"Partition replicas"}
                        <span class="count">{&b.summary}</span>
                    </h4>
                    if let Some(under) = &b.under_replicated {
                        <p class="inspector-note under-replicated" title={UNDER_REPLICATED_TOOLTIP}>{under}</p>
                    }
                    if b.stopped {
                        <p class="inspector-note">{"Stopped: its copies as last written to disk."}</p>
                    }
                    if b.replicas.is_empty() {
                        <p class="empty">{"No partition replicas assigned to this broker."}</p>
                    } else {
                        <table class="hosted">
                            <thead>
                                <tr>
                                    <th scope="col">{"Partition"}</th>
                                    <th scope="col">{"Role"}</th>
                                    <th scope="col">{"ISR"}</th>
                                    <th scope="col" class="num" title={crate::view_model::glossary::LOG_START_OFFSET.sentence}>{"Start"}</th>
                                    <th scope="col" class="num" title={crate::view_model::glossary::LOG_END_OFFSET.sentence}>{"LEO"}</th>
                                    <th scope="col" class="num" title={crate::view_model::glossary::HIGH_WATERMARK.sentence}>{"HW"}</th>
                                    <th scope="col" class="num" title="Offsets behind the leader's LEO">{"Behind"}</th>
                                </tr>
                            </thead>
                            <tbody>
                                { for b.replicas.iter().map(|r| html! {
                                    <tr key={r.name.clone()} class={r.class.clone()} title={r.tooltip.clone()}>
                                        <th scope="row">
                                            {&r.name}
                                            if r.under_replicated {
                                                <span class="tag">{"under-replicated"}</span>
                                            }
                                        </th>
                                        <td class="role">{r.role}</td>
                                        <td class="isr">{r.isr}</td>
                                        <td class="num">{&r.log_start}</td>
                                        <td class="num">{&r.leo}</td>
                                        <td class="num">{&r.hw}</td>
                                        <td class="num">{&r.behind}</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    }
                }
            </div>
        </section>
    }
}

fn fact(f: &Fact) -> Html {
    html! {
        <div class="fact" title={f.tooltip}>
            <dt>{f.term}</dt>
            <dd>{&f.value}</dd>
        </div>
    }
}
