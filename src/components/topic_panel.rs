//! Topics and their partitions' logs.

use yew::prelude::*;

use crate::components::partition_strip::PartitionStrip;
use crate::view_model::topics::TopicModel;

#[derive(Properties, PartialEq)]
pub struct TopicPanelProps {
    pub topics: Vec<TopicModel>,
    /// The node inspector is shown in its place.
    pub covered: bool,
}

#[function_component]
pub fn TopicPanel(props: &TopicPanelProps) -> Html {
    html! {
        <section class={classes!("panel", "topics", props.covered.then_some("covered"))} aria-labelledby="topics-heading">
            <div class="panel-head">
                <h2 id="topics-heading">{"Topics"}</h2>
                <span class="panel-note">{"newest on the right · hover a record for details"}</span>
            </div>
            <div class="panel-body">
                if props.topics.is_empty() {
                    <p class="empty">
                        {"No topics yet. Create one with "}
                        <code>{"bin/kafka-topics.sh --create --topic heart-rate-measures --bootstrap-server localhost:9092"}</code>
                    </p>
                }
                { for props.topics.iter().map(|t| html! {
                    <article class="topic" key={t.name.clone()}>
                        <h3 title={format!("topic id {}", t.topic_id)}>
                            {&t.name}
                            <span class="count">{partitions(t.partitions.len())}</span>
                        </h3>
                        { for t.partitions.iter().map(|p| html! {
                            <PartitionStrip key={p.name.clone()} partition={p.clone()} />
                        }) }
                    </article>
                }) }
            </div>
        </section>
    }
}

fn partitions(n: usize) -> String {
    if n == 1 {
        "1 partition".to_owned()
    } else {
        format!("{n} partitions")
    }
}
