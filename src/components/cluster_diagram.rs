//! The cluster as inline SVG: links, server and client boxes, messages in flight.

use yew::prelude::*;

use crate::components::client_box::ClientBox;
use crate::components::legend::Legend;
use crate::components::message_inspector::MESSAGE_PANEL_ID;
use crate::components::network_tool::NetworkTool;
use crate::components::server_box::ServerBox;
use crate::playground::Action;
use crate::view_model::diagram::{Diagram, FaultButton, MessageDot};

#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    pub diagram: Diagram,
    /// The node whose inspector is open.
    pub inspected: Option<u32>,
    /// The message whose details are shown.
    pub selected_message: Option<u64>,
    /// Active network cuts, directed node pairs, for the Network tool.
    pub cuts: Vec<(u32, u32)>,
    pub on_action: Callback<Action>,
}

/// A message dot is a button: click, Enter or Space shows its details.
fn message_dot(m: &MessageDot, selected: bool, on_action: &Callback<Action>) -> Html {
    let id = m.id;
    let onclick = on_action.reform(move |_: MouseEvent| Action::SelectMessage(id));
    let on_key = on_action.clone();
    let onkeydown = move |e: KeyboardEvent| {
        if matches!(e.key().as_str(), "Enter" | " ") {
            e.prevent_default();
            on_key.emit(Action::SelectMessage(id));
        }
    };
    html! {
        <g
            key={m.id}
            class={classes!("msg", m.kind.class, selected.then_some("selected"))}
            transform={format!("translate({:.1} {:.1})", m.at.x, m.at.y)}
            role="button"
            tabindex="0"
            aria-label={format!("{} message {}", m.kind.name, m.id)}
            aria-expanded={selected.to_string()}
            aria-controls={selected.then_some(MESSAGE_PANEL_ID)}
            {onclick}
            {onkeydown}
        >
            <title>{format!("{}\nClick for details (pause first to catch it)", m.tooltip)}</title>
            // A larger, invisible hit area: the dot is small and moving.
            <circle class="hit" r="14" />
            <circle class="dot" r="8" />
            <text text-anchor="middle" dy="0.35em">{m.kind.letter}</text>
            if m.count > 1 {
                <text class="msg-count" x="10" y="-7">{format!("×{}", m.count)}</text>
            }
        </g>
    }
}

/// One Kill/Restart button, placed in percent of the drawing so it sits on its box.
fn fault_button(f: &FaultButton, d: &Diagram, on_action: &Callback<Action>) -> Html {
    let command = f.command.clone();
    // Runs beside whatever holds the console, as from a second terminal.
    let onclick = on_action.reform(move |_: MouseEvent| Action::Control(command.clone()));
    let style = format!(
        "left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%;font-size:calc(100cqw * {:.5})",
        f.rect.x / d.width * 100.0,
        f.rect.y / d.height * 100.0,
        f.rect.w / d.width * 100.0,
        f.rect.h / d.height * 100.0,
        12.0 / d.width,
    );
    let title = format!("Runs `{}` (shown in the console)", f.command);
    html! {
        <button
            key={f.name.clone()}
            type="button"
            class={classes!("fault-button", f.verb.to_lowercase())}
            aria-label={f.name.clone()}
            {title}
            {style}
            {onclick}
        >
            {f.verb}
        </button>
    }
}

#[function_component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let d = &props.diagram;
    let empty = d.servers.is_empty() && d.clients.is_empty();
    html! {
        <section class="panel cluster" aria-labelledby="cluster-heading">
            <div class="panel-head">
                <h2 id="cluster-heading">{"Cluster"}</h2>
                <NetworkTool
                    nodes={d.servers.iter().map(|s| (s.node_id, s.label.clone())).collect::<Vec<_>>()}
                    cuts={props.cuts.clone()}
                    on_action={props.on_action.clone()}
                />
                <Legend />
            </div>
            <div class="diagram">
              <div class="diagram-canvas">
                <div
                    class="diagram-stage"
                    style={format!(
                        "aspect-ratio:{w:.0} / {h:.0};width:min(100cqw, calc(100cqh * {w:.0} / {h:.0}))",
                        w = d.width,
                        h = d.height
                    )}
                >
                <svg
                    viewBox={format!("0 0 {:.0} {:.0}", d.width, d.height)}
                    preserveAspectRatio="xMidYMid meet"
                    role="group"
                    aria-label="Cluster diagram"
                >
                    if let Some((summary, at)) = &d.summary {
                        <text class="diagram-summary" x={format!("{:.0}", at.x)} y={format!("{:.0}", at.y)} text-anchor="middle">
                            {summary}
                        </text>
                    }
                    <g class="links">
                        { for d.links.iter().map(|l| html! {
                            <path key={format!("{:?}-{:?}", l.a, l.b)} class={l.class.clone()} d={l.curve.path()} />
                        }) }
                    </g>
                    <g class="cuts">
                        { for d.links.iter().filter_map(|l| l.cut.as_ref().map(|c| html! {
                            <g
                                key={format!("cut {:?}-{:?}", l.a, l.b)}
                                class="cut-mark"
                                role="img"
                                aria-label={c.title.clone()}
                                transform={format!("translate({:.1} {:.1})", c.at.x, c.at.y)}
                            >
                                <title>{&c.title}</title>
                                <circle r="10" />
                                <text text-anchor="middle" dy="0.35em">{"✂"}</text>
                            </g>
                        })) }
                    </g>
                    { for d.servers.iter().map(|s| html! {
                        <ServerBox
                            key={s.node_id}
                            server={s.clone()}
                            selected={props.inspected == Some(s.node_id)}
                            on_action={props.on_action.clone()}
                        />
                    }) }
                    { for d.clients.iter().map(|c| html! { <ClientBox key={c.id} client={c.clone()} /> }) }
                    <g class="messages">
                        { for d.messages.iter().map(|m| message_dot(m, props.selected_message == Some(m.id), &props.on_action)) }
                    </g>
                </svg>
                // A big cluster's tiles are too small for a button: their inspector has it.
                { for d.servers.iter().filter(|s| !s.compact).map(|s| fault_button(&s.fault, d, &props.on_action)) }
                </div>
              </div>
                if empty {
                    <p class="empty">
                        {"No Kafka process is running. Format the storage and start a server from the console, \
                          or try "}<code>{"ksim start-cluster --brokers 3 --controllers 3 --combined"}</code>
                    </p>
                }
            </div>
        </section>
    }
}
