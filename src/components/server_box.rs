//! One Kafka server in the diagram. A combined node is the box `Broker N` holding a
//! nested group `Controller N`, so both names exist for tests and screen readers. The box
//! is a button (click, Enter or Space) that opens or closes the node's inspector.

use yew::prelude::*;

use crate::playground::Action;
use crate::view_model::diagram::{ControllerPart, ServerBox as ServerModel};
use crate::view_model::glossary;

/// The node inspector's element id, for `aria-controls`.
pub const INSPECTOR_ID: &str = "node-inspector";

#[derive(Properties, PartialEq)]
pub struct ServerBoxProps {
    pub server: ServerModel,
    /// Its inspector is open.
    pub selected: bool,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn ServerBox(props: &ServerBoxProps) -> Html {
    let s = &props.server;
    let w = s.rect.w;
    let node_id = s.node_id;
    let onclick = props.on_action.reform(move |_: MouseEvent| Action::Inspect(node_id));
    let on_action = props.on_action.clone();
    let onkeydown = move |e: KeyboardEvent| {
        if matches!(e.key().as_str(), "Enter" | " ") {
            // Space would otherwise scroll the page.
            e.prevent_default();
            on_action.emit(Action::Inspect(node_id));
        }
    };
    if s.compact {
        return html! {
            <g
                class={classes!(s.class.clone(), "tile", props.selected.then_some("selected"))}
                role="button"
                tabindex="0"
                aria-label={s.label.clone()}
                aria-expanded={props.selected.to_string()}
                aria-controls={props.selected.then_some(INSPECTOR_ID)}
                transform={format!("translate({:.1} {:.1})", s.rect.x, s.rect.y)}
                {onclick}
                {onkeydown}
            >
                <title>{format!("{}\n{}\nClick for details (and Kill/Restart)", s.tooltip, glossary::node_state(s.state))}</title>
                <rect class="ring" x="-4" y="-4" width={format!("{:.0}", w + 8.0)} height={format!("{:.0}", s.rect.h + 8.0)} rx="8" />
                <rect class="box" width={format!("{w:.0}")} height={format!("{:.0}", s.rect.h)} rx="5" />
                <text class="tile-name" x={format!("{:.0}", w / 2.0)} y="15" text-anchor="middle">{node_id}</text>
                <text class="tile-state" x={format!("{:.0}", w / 2.0)} y="28" text-anchor="middle">{s.state}</text>
            </g>
        };
    }
    html! {
        <g
            class={classes!(s.class.clone(), props.selected.then_some("selected"))}
            role="button"
            tabindex="0"
            aria-label={s.label.clone()}
            aria-expanded={props.selected.to_string()}
            aria-controls={props.selected.then_some(INSPECTOR_ID)}
            transform={format!("translate({:.1} {:.1})", s.rect.x, s.rect.y)}
            {onclick}
            {onkeydown}
        >
            <title>{format!("{}\nClick for details", s.tooltip)}</title>
            // Drawn around the box when it is selected or focused from the keyboard.
            <rect
                class="ring"
                x="-5"
                y="-5"
                width={format!("{:.0}", w + 10.0)}
                height={format!("{:.0}", s.rect.h + 10.0)}
                rx="12"
            />
            <rect class="box" width={format!("{w:.0}")} height={format!("{:.0}", s.rect.h)} rx="8" />
            <text class="name" x="14" y="27">
                <title>{if s.label.starts_with("Broker") { glossary::BROKER.sentence } else { glossary::CONTROLLER.sentence }}</title>
                {&s.label}
            </text>
            <text class="state" x={format!("{:.0}", w - 14.0)} y="26" text-anchor="end">
                <title>{glossary::node_state(s.state)}</title>
                <tspan class="state-dot" aria-hidden="true">{"● "}</tspan>{s.state}
            </text>
            if let Some(replicas) = &s.replicas {
                <text class="detail" x="14" y="52">
                    <title>{format!("{}\n{}", glossary::PARTITION.sentence, glossary::LEADER.sentence)}</title>
                    {replicas}
                </text>
            }
            if let Some(c) = &s.controller {
                { controller_part(c, w) }
            }
        </g>
    }
}

fn controller_part(c: &ControllerPart, w: f64) -> Html {
    let y = c.band_y;
    let text_y = format!("{:.0}", y + if c.nested_label.is_some() { 22.0 } else { 16.0 });
    let leader = c.leader.then(|| {
        html! {
            <g class="leader-badge" transform={format!("translate({:.0} -11)", w - 86.0)}>
                <title>{glossary::ACTIVE_CONTROLLER.sentence}</title>
                <rect width="72" height="22" rx="11" />
                <text x="36" y="15" text-anchor="middle">{"leader"}</text>
            </g>
        }
    });
    // A controller-only box: `Leader · epoch 3 · votedFor 2` then the log on its own line
    // (left of the Kill button). A combined node's band: the role badge and the state, then
    // votedFor and the log; both end with the Raft countdown.
    let combined = c.nested_label.is_some();
    let voted = c.voted_for.clone().unwrap_or_default();
    let log = c.log.clone().unwrap_or_default();
    let detail = if combined { [voted.as_str(), log.as_str()].join(" · ") } else { log };
    let raft_x = if combined { 100.0 } else { 14.0 };
    let detail_y = if combined { y + 42.0 } else { y + 41.0 };
    let raft = html! {
        <>
            <text class="raft" x={format!("{raft_x:.0}")} y={text_y.clone()}>
                <title>{&c.raft_help}</title>
                {&c.raft}
                if !combined && !voted.is_empty() {
                    <tspan class="voted">{format!(" · {voted}")}</tspan>
                }
            </text>
            if c.log.is_some() {
                <text class="raft-log" x="14" y={format!("{detail_y:.0}")}>
                    <title>{format!("{}\n{}", glossary::VOTED_FOR.sentence, glossary::METADATA_LOG.sentence)}</title>
                    {detail}
                </text>
            }
            if let Some(deadline) = &c.deadline {
                <text class="raft-deadline" x="14" y={format!("{:.0}", detail_y + 16.0)}>{deadline}</text>
            }
        </>
    };
    match &c.nested_label {
        Some(label) => html! {
            <g class="controller-part" role="group" aria-label={label.clone()}>
                <title>{&c.tooltip}</title>
                <line class="band-rule" x1="0" x2={format!("{w:.0}")} y1={format!("{y:.0}")} y2={format!("{y:.0}")} />
                <rect class="role-badge" x="12" y={format!("{:.0}", y + 8.0)} width="80" height="20" rx="10" />
                <text class="role-badge-text" x="52" y={text_y} text-anchor="middle">
                    <title>{glossary::COMBINED.sentence}</title>
                    {"controller"}
                </text>
                { raft }
                { for leader }
            </g>
        },
        None => html! {
            <g class="controller-part">
                <title>{&c.tooltip}</title>
                { raft }
                { for leader }
            </g>
        },
    }
}
