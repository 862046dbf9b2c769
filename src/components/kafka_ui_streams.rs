//! The Kafka UI's Streams tab: per Kafka Streams application (a ksqlDB persistent query
//! is one) its state and tasks, its topology as a graph with the record count on every
//! edge, and its state stores' rows, live as the simulation runs.

use yew::prelude::*;

use crate::view_model::streams::{
    StreamsAppModel, TableModel, TopologyGraph, NODE_HEIGHT, NODE_WIDTH, STORE_TOOLTIP, TASK_TOOLTIP,
};

const EMPTY_HINT: &str = "bin/kafka-run-class.sh org.apache.kafka.streams.examples.wordcount.WordCountDemo &";

pub fn streams_tab(apps: &[StreamsAppModel]) -> Html {
    if apps.is_empty() {
        return html! {
            <p class="empty">
                {"No Kafka Streams application runs yet. Start the quickstart's "}
                <code>{EMPTY_HINT}</code>
                {", or a persistent query from "}<code>{"ksql"}</code>{" (CREATE STREAM … AS SELECT)."}
            </p>
        };
    }
    html! { { for apps.iter().enumerate().map(|(i, a)| app(i, a)) } }
}

fn app(index: usize, a: &StreamsAppModel) -> Html {
    html! {
        <article class="streams-app" aria-label={format!("Streams application {}", a.application_id)}>
            <div class="streams-app-head">
                <h3>{&a.application_id}</h3>
                <span class={classes!("group-state", a.state_class)} title={a.state_tooltip}>{&a.state}</span>
                <span class="streams-client" title="The instance's client id: its consumers and producer are named after it">{&a.client_id}</span>
            </div>
            <p class="streams-tasks" title={TASK_TOOLTIP}>
                <span class="label">{"Tasks"}</span>
                if a.tasks.is_empty() {
                    {"none assigned yet"}
                } else {
                    {a.tasks.join(" · ")}
                }
            </p>
            {graph(index, &a.application_id, &a.graph)}
            { for a.tables.iter().map(table) }
        </article>
    }
}

fn graph(index: usize, app_id: &str, g: &TopologyGraph) -> Html {
    // One arrowhead per graph: ids must be unique in the document.
    let marker = format!("streams-arrow-{index}");
    html! {
        <div class="streams-graph">
            <svg
                viewBox={format!("0 0 {} {}", g.width, g.height)}
                width={g.width.to_string()}
                height={g.height.to_string()}
                role="img"
                aria-label={format!("Topology of {app_id}")}
            >
                <defs>
                    <marker id={marker.clone()} viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,0 L8,4 L0,8 z" class="streams-arrowhead" />
                    </marker>
                </defs>
                { for g.blocks.iter().map(|b| html! {
                    <g class="streams-block">
                        <rect x={b.x.to_string()} y={b.y.to_string()} width={b.width.to_string()} height={b.height.to_string()} rx="6" />
                        <text x={(b.x + 8).to_string()} y={(b.y + 15).to_string()}>{&b.label}</text>
                    </g>
                }) }
                { for g.edges.iter().map(|e| html! {
                    <g class={classes!("streams-edge", e.through_topic.then_some("through-topic"))}>
                        <title>{&e.title}</title>
                        <path d={e.path.clone()} marker-end={format!("url(#{marker})")} />
                        <text x={e.label_x.to_string()} y={e.label_y.to_string()} text-anchor="middle">{&e.count}</text>
                    </g>
                }) }
                { for g.nodes.iter().map(|n| html! {
                    <g class={classes!("streams-node", n.class)} transform={format!("translate({},{})", n.x, n.y)}>
                        <title>{&n.title}</title>
                        <rect width={NODE_WIDTH.to_string()} height={NODE_HEIGHT.to_string()} rx="5" />
                        <text class="streams-node-label" x="8" y="17">{&n.label}</text>
                        <text class="streams-node-detail" x="8" y="34">{&n.detail}</text>
                        <text class="streams-node-count" x={(NODE_WIDTH - 8).to_string()} y="17" text-anchor="end">{&n.records}</text>
                    </g>
                }) }
            </svg>
        </div>
    }
}

fn table(t: &TableModel) -> Html {
    html! {
        <section class="streams-table" aria-label={format!("State store {}", t.store)}>
            <h4 title={STORE_TOOLTIP}>
                {"Table "}<code>{&t.store}</code>
                <span class="panel-note">{&t.changelog}</span>
            </h4>
            if t.rows.is_empty() {
                <p class="empty">{"No rows yet."}</p>
            } else {
                <table class="kafka-ui-table">
                    <thead>
                        <tr>
                            <th scope="col">{"Key"}</th>
                            if t.windowed {
                                <th scope="col" title="The window [start, end) the row aggregates, in simulated UTC time">{"Window"}</th>
                            }
                            <th scope="col">{"Value"}</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for t.rows.iter().map(|(key, window, value)| html! {
                            <tr>
                                <th scope="row">{key}</th>
                                if t.windowed {
                                    <td>{window}</td>
                                }
                                <td>{value}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if t.more > 0 {
                    <p class="panel-note">{format!("and {} more rows", t.more)}</p>
                }
            }
        </section>
    }
}
