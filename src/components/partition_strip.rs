//! One partition: its leader, the log strip with the high watermark and log end offset
//! marked, and under it one row per replica's copy (whose offsets then stand in for the
//! partition's, which move to the heading's tooltip).

use yew::prelude::*;

use crate::view_model::glossary;
use crate::view_model::log_strip::StripItem;
use crate::view_model::topics::{PartitionModel, UNDER_REPLICATED_TOOLTIP};

const BAR_TOOLTIP: &str = "The bar is the leader's log: this copy has it up to its LEO (light) \
                           and has committed it up to its HW (solid)";

#[derive(Properties, PartialEq)]
pub struct PartitionStripProps {
    pub partition: PartitionModel,
}

#[function_component]
pub fn PartitionStrip(props: &PartitionStripProps) -> Html {
    let p = &props.partition;
    html! {
        <div class="partition">
            <div class="partition-head">
                <span class="partition-name" title={format!("{}: {}\n{}\n{}", p.name, p.offsets, glossary::PARTITION.sentence, glossary::LOG_START_OFFSET.sentence)}>{&p.name}</span>
                <span class="partition-leader" title={format!("{}\n{}", glossary::LEADER.sentence, glossary::LEADER_EPOCH.sentence)}>{&p.leader}</span>
                <span
                    class={classes!("in-sync", p.under_replicated.then_some("under-replicated"))}
                    title={if p.under_replicated { format!("{}\n{}", glossary::ISR.sentence, UNDER_REPLICATED_TOOLTIP) } else { glossary::ISR.sentence.to_owned() }}
                >
                    {&p.in_sync}
                </span>
                if p.replicas.is_empty() {
                    <span class="offsets">{&p.offsets}</span>
                }
            </div>
            // The reversed outer flex box keeps the scroll position at the newest records.
            <div class="strip-scroll">
                <ol class="strip" aria-label={format!("{} log", p.name)}>
                    if p.strip.earlier > 0 {
                        <li class="earlier">{format!("… {} earlier records", p.strip.earlier)}</li>
                    }
                    { for p.strip.items.iter().map(|item| match item {
                        StripItem::Record(r) => html! {
                            <li
                                key={format!("r{}", r.offset)}
                                class={classes!(
                                    "record",
                                    if r.committed { "committed" } else { "uncommitted" },
                                    r.tombstone.then_some("tombstone"),
                                )}
                                title={r.tooltip.clone()}
                            >
                                <span class="offset">{r.offset}</span>
                                <span class="value">{&r.text}</span>
                            </li>
                        },
                        StripItem::Compacted(n) => html! {
                            <li
                                class="compacted"
                                title={format!("{n} offset(s): {}", glossary::COMPACTED.sentence)}
                            >
                                {format!("{n} compacted")}
                            </li>
                        },
                        StripItem::Segment(s) => html! {
                            <li key={format!("s{}", s.base_offset)} class="segment-mark" title={s.tooltip.clone()}>
                                <span class="segment-name">{"segment"}</span>
                                <span class="segment-offset">{s.base_offset}</span>
                            </li>
                        },
                        StripItem::Consumer(c) => html! {
                            <li
                                key={format!("c{}-{}", c.group_id, c.kind)}
                                class={classes!("consumer-mark", c.kind)}
                                title={c.tooltip.clone()}
                            >
                                <span class="consumer-group">{&c.group_id}</span>
                                <span class="consumer-kind">{format!("{} {}", c.label, c.offset)}</span>
                            </li>
                        },
                        StripItem::Marker(m) => html! {
                            <li key={format!("m{}", m.class)} class={classes!("marker", m.class)} title={m.tooltip}>
                                <span class="marker-name">{m.name}</span>
                                <span class="marker-offset">{m.offset}</span>
                            </li>
                        },
                    }) }
                </ol>
            </div>
            if !p.replicas.is_empty() {
                <div class="replica-rows">
                    { for p.replicas.iter().map(|r| html! {
                        <div
                            key={r.broker}
                            class={classes!("replica-row", r.class)}
                            role="group"
                            aria-label={r.aria_label.clone()}
                            title={r.tooltip.clone()}
                        >
                            <span class="replica-label">{&r.label}</span>
                            <span class="replica-bar" aria-hidden="true" title={BAR_TOOLTIP}>
                                <span class="replica-leo" style={format!("width: {}%", r.leo_pct)}></span>
                                <span class="replica-hw" style={format!("width: {}%", r.hw_pct)}></span>
                            </span>
                            <span class="replica-offsets">{&r.offsets}</span>
                        </div>
                    }) }
                </div>
            }
        </div>
    }
}
