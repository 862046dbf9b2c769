//! One partition: leader, replicas with their ISR status, and the log strip with the
//! high watermark and log end offset marked.

use yew::prelude::*;

use crate::view_model::log_strip::StripItem;
use crate::view_model::topics::PartitionModel;

#[derive(Properties, PartialEq)]
pub struct PartitionStripProps {
    pub partition: PartitionModel,
}

#[function_component]
pub fn PartitionStrip(props: &PartitionStripProps) -> Html {
    let p = &props.partition;
    html! {
        <div class="partition">
            // Two groups that wrap as units: who leads, then the replicas and offsets.
            <div class="partition-head">
                <span class="partition-title">
                    <span class="partition-name">{&p.name}</span>
                    <span class="partition-leader">{&p.leader}</span>
                </span>
                <span class="partition-state">
                <span class="replicas">
                    {"Replicas "}
                    { for p.replicas.iter().map(|r| html! {
                        <span class={classes!("replica", r.class)} title={format!("Broker {}: {}", r.broker_id, r.role)}>
                            <b>{r.broker_id}</b>{" "}{r.role}
                        </span>
                    }) }
                </span>
                <span class="offsets">{&p.offsets}</span>
                </span>
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
                        StripItem::Marker(m) => html! {
                            <li key={format!("m{}", m.class)} class={classes!("marker", m.class)} title={m.tooltip}>
                                <span class="marker-name">{m.name}</span>
                                <span class="marker-offset">{m.offset}</span>
                            </li>
                        },
                    }) }
                </ol>
            </div>
        </div>
    }
}
