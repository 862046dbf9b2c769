//! One partition: its leader, the log strip with the high watermark and log end offset
//! marked, and under it one row per replica's copy (whose offsets then stand in for the
//! partition's, which move to the heading's tooltip). A log longer than the strip's window
//! gets a scroll bar (a range over its offsets: arrows, Page Up/Down, Home, End), a
//! `Newest` button and a `Go to offset` field; only the window's records are drawn.

use yew::prelude::*;

use crate::view_model::log_strip::StripScroll;

use crate::view_model::glossary;
use crate::view_model::log_strip::{thousands, StripItem};
use crate::view_model::topics::{PartitionModel, UNDER_REPLICATED_TOOLTIP};

const BAR_TOOLTIP: &str = "The bar is the leader's log: this copy has it up to its LEO (light) \
                           and has committed it up to its HW (solid)";

#[derive(Properties, PartialEq)]
pub struct PartitionStripProps {
    pub partition: PartitionModel,
    /// The strip moved: (partition name, first offset to show, or `None` to follow the
    /// newest records).
    pub on_scroll: Callback<(String, Option<u64>)>,
}

/// The scroll bar, the window's place in the log, `Newest`, and `Go to offset`.
fn strip_nav(name: &str, s: &StripScroll, on_scroll: &Callback<(String, Option<u64>)>) -> Html {
    let max = s.max;
    let to = {
        let name = name.to_owned();
        // The range's end (End, or dragged all the way) follows the newest records again.
        on_scroll.reform(move |offset: u64| (name.clone(), (offset < max).then_some(offset)))
    };
    let oninput = {
        let to = to.clone();
        move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                if let Ok(offset) = input.value().parse::<u64>() {
                    to.emit(offset);
                }
            }
        }
    };
    let goto = {
        let to = to.clone();
        move |e: KeyboardEvent| {
            if e.key() != "Enter" {
                return;
            }
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                if let Ok(offset) = input.value().trim().parse::<u64>() {
                    to.emit(offset);
                }
            }
        }
    };
    let newest = {
        let name = name.to_owned();
        on_scroll.reform(move |_: MouseEvent| (name.clone(), None))
    };
    html! {
        <div class="strip-nav">
            <input
                type="range"
                class="strip-range"
                min={s.min.to_string()}
                max={s.max.to_string()}
                step="1"
                value={s.first.to_string()}
                aria-label={format!("Scroll the log of {name}")}
                aria-valuetext={s.label.clone()}
                title="Scroll through the log: arrows move one record, Page Up/Down more, Home the oldest, End the newest"
                {oninput}
            />
            <span class="strip-pos" aria-live="off">{&s.label}</span>
            <button type="button" class="strip-newest" disabled={s.following} onclick={newest} title="Back to the newest records; the strip follows them again">
                {"Newest"}
            </button>
            <input
                type="number"
                class="strip-goto"
                min={s.min.to_string()}
                placeholder="offset"
                aria-label={format!("Go to offset in {name}")}
                title="Type an offset and press Enter to show the log from there"
                onkeydown={goto}
            />
        </div>
    }
}

#[function_component]
pub fn PartitionStrip(props: &PartitionStripProps) -> Html {
    let p = &props.partition;
    // A log that fits the window needs no scroll bar.
    let scrollable = p.strip.earlier > 0 || !p.strip.scroll.following;
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
            if scrollable {
                { strip_nav(&p.name, &p.strip.scroll, &props.on_scroll) }
            }
            // The reversed outer flex box keeps the scroll position at the newest records;
            // a window scrolled back starts at its first record.
            <div class={classes!("strip-scroll", (!p.strip.scroll.following).then_some("anchored"))}>
                <ol class="strip" aria-label={format!("{} log", p.name)}>
                    if p.strip.earlier > 0 {
                        <li class="earlier">{format!("… {} earlier records", thousands(p.strip.earlier))}</li>
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
                        StripItem::Newer(n) => html! {
                            <li key="newer" class="earlier newer">{format!("{} newer records …", thousands(*n))}</li>
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
