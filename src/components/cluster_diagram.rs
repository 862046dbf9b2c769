//! The cluster as inline SVG: links, server and client boxes, messages in flight.

use yew::prelude::*;

use crate::components::client_box::ClientBox;
use crate::components::legend::Legend;
use crate::components::server_box::ServerBox;
use crate::view_model::diagram::Diagram;

#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    pub diagram: Diagram,
}

#[function_component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let d = &props.diagram;
    let empty = d.servers.is_empty() && d.clients.is_empty();
    html! {
        <section class="panel cluster" aria-labelledby="cluster-heading">
            <div class="panel-head">
                <h2 id="cluster-heading">{"Cluster"}</h2>
                <Legend />
            </div>
            <div class="diagram">
                <svg
                    viewBox={format!("0 0 {:.0} {:.0}", d.width, d.height)}
                    preserveAspectRatio="xMidYMid meet"
                    role="group"
                    aria-label="Cluster diagram"
                >
                    <g class="links">
                        { for d.links.iter().map(|l| html! {
                            <path key={format!("{:?}-{:?}", l.a, l.b)} class={l.class.clone()} d={l.curve.path()} />
                        }) }
                    </g>
                    { for d.servers.iter().map(|s| html! { <ServerBox key={s.node_id} server={s.clone()} /> }) }
                    { for d.clients.iter().map(|c| html! { <ClientBox key={c.id} client={c.clone()} /> }) }
                    <g class="messages">
                        { for d.messages.iter().map(|m| html! {
                            <g
                                key={m.id}
                                class={classes!("msg", m.kind.class)}
                                transform={format!("translate({:.1} {:.1})", m.at.x, m.at.y)}
                            >
                                <title>{&m.tooltip}</title>
                                <circle r="8" />
                                <text text-anchor="middle" dy="0.35em">{m.kind.letter}</text>
                            </g>
                        }) }
                    </g>
                </svg>
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
