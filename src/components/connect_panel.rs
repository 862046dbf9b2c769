//! Kafka Connect: per connector of the running workers its type and class, connector and
//! task state, where its data flows, a source's offset or a sink's group lag, and a table
//! sink's rows. Shown only while a worker runs; collapses to its heading.

use yew::prelude::*;

use crate::components::panel_toggle::panel_toggle;

use crate::view_model::connect::{ConnectorModel, TableModel};

#[derive(Properties, PartialEq)]
pub struct ConnectPanelProps {
    pub connectors: Vec<ConnectorModel>,
}

#[function_component]
pub fn ConnectPanel(props: &ConnectPanelProps) -> Html {
    let open = use_state(|| true);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let note = match props.connectors.len() {
        1 => "1 connector".to_owned(),
        n => format!("{n} connectors"),
    };
    html! {
        <section class={classes!("panel", "connect", open.then_some("open"))} aria-labelledby="connect-heading">
            <div class="panel-head">
                <h2 id="connect-heading">{"Kafka Connect"}</h2>
                <span class="panel-note">{note}</span>
                {panel_toggle(*open, "connect-body", "Kafka Connect", toggle)}
            </div>
            if *open {
                <div class="panel-body" id="connect-body">
                    { for props.connectors.iter().map(connector) }
                </div>
            }
        </section>
    }
}

fn connector(c: &ConnectorModel) -> Html {
    html! {
        <article class="connector" key={c.name.clone()} aria-label={format!("Connector {}", c.name)}>
            <div class="connector-head">
                <h3 class="connector-name">{&c.name}</h3>
                <span class="connector-kind">{&c.kind}</span>
                <span class={classes!("connector-state", c.state_class)} title={format!("connector {}, task {}", c.state, c.task_state)}>
                    {&c.task_state}
                </span>
                <code class="connector-class">{&c.class}</code>
            </div>
            <div class="connector-meta">
                <span class="connector-flow">{&c.flow}</span>
                <span title={c.progress_tooltip.clone()}>{&c.progress}</span>
                <span>{&c.records}</span>
            </div>
            if let Some(t) = &c.table {
                { table(t) }
            }
        </article>
    }
}

fn table(t: &TableModel) -> Html {
    html! {
        <table class="connect-table">
            <caption>{&t.caption}</caption>
            <thead>
                <tr>{ for t.columns.iter().map(|c| html! { <th scope="col">{c}</th> }) }</tr>
            </thead>
            <tbody>
                { for t.rows.iter().map(|r| html! {
                    <tr>{ for r.iter().enumerate().map(|(i, v)| if i == 0 {
                        html! { <th scope="row">{v}</th> }
                    } else {
                        html! { <td>{v}</td> }
                    }) }</tr>
                }) }
            </tbody>
        </table>
    }
}
