//! Topics and their partitions' logs; a topic with many partitions a page at a time under
//! its summary line.

use yew::prelude::*;

use crate::components::partition_strip::PartitionStrip;
use crate::view_model::topics::{Pages, TopicModel};

#[derive(Properties, PartialEq)]
pub struct TopicPanelProps {
    pub topics: Vec<TopicModel>,
    /// The node inspector is shown in its place.
    pub covered: bool,
    /// Opens the Kafka UI view.
    pub on_kafka_ui: Callback<MouseEvent>,
    /// A strip scrolled: (partition name, first offset, or `None` for the newest).
    pub on_scroll: Callback<(String, Option<u64>)>,
    /// Another page of a topic's partitions: (topic, page).
    pub on_page: Callback<(String, usize)>,
}

/// The summary line and Previous/Next over a topic's pages of partitions.
fn pages_nav(topic: &str, pages: &Pages, on_page: &Callback<(String, usize)>) -> Html {
    let go = |index: usize| {
        let topic = topic.to_owned();
        on_page.reform(move |_: MouseEvent| (topic.clone(), index))
    };
    html! {
        <div class="partition-pages" role="navigation" aria-label={format!("Partitions of {topic}")}>
            <span class="topic-summary">{&pages.summary}</span>
            <span class="pager">
                <button type="button" disabled={pages.index == 0} onclick={go(pages.index.saturating_sub(1))} aria-label={format!("Previous partitions of {topic}")}>
                    {"‹ Previous"}
                </button>
                <span class="page-label">{&pages.label}</span>
                <button type="button" disabled={pages.index + 1 >= pages.count} onclick={go(pages.index + 1)} aria-label={format!("Next partitions of {topic}")}>
                    {"Next ›"}
                </button>
            </span>
        </div>
    }
}

#[function_component]
pub fn TopicPanel(props: &TopicPanelProps) -> Html {
    html! {
        <section class={classes!("panel", "topics", props.covered.then_some("covered"))} aria-labelledby="topics-heading">
            <div class="panel-head">
                <h2 id="topics-heading">{"Topics"}</h2>
                <span class="panel-note">{"newest on the right · hover a record for details"}</span>
                <button type="button" class="kafka-ui-open" title="Brokers, topics, messages and consumer groups as Kafka's web consoles show them" onclick={props.on_kafka_ui.clone()}>
                    {"Kafka UI"}
                </button>
            </div>
            <div class="panel-body">
                if props.topics.is_empty() {
                    <p class="empty">
                        {"No topics yet. Create one with "}
                        <code>{"bin/kafka-topics.sh --create --topic heart-rate-measures --bootstrap-server localhost:9092"}</code>
                    </p>
                }
                { for props.topics.iter().map(|t| if t.internal { internal(t, props) } else { html! {
                    <article class="topic" key={t.name.clone()}>
                        <h3 title={format!("topic id {}\n{}", t.topic_id, crate::view_model::glossary::TOPIC.sentence)}>
                            {&t.name}
                            <span class="count">{&t.partition_count}</span>
                        </h3>
                        if let Some(pages) = &t.pages {
                            { pages_nav(&t.name, pages, &props.on_page) }
                        }
                        { for t.partitions.iter().map(|p| html! {
                            <PartitionStrip key={p.name.clone()} partition={p.clone()} on_scroll={props.on_scroll.clone()} />
                        }) }
                    </article>
                } }) }
            </div>
        </section>
    }
}

/// Kafka's own topics, collapsed: `__consumer_offsets` has 50 partitions, mostly empty.
fn internal(t: &TopicModel, props: &TopicPanelProps) -> Html {
    html! {
        <details class="topic internal" key={t.name.clone()}>
            <summary title={format!("topic id {}: an internal topic Kafka manages itself", t.topic_id)}>
                {format!("{} · {} · internal", t.name, t.partition_count)}
            </summary>
            if let Some(pages) = &t.pages {
                { pages_nav(&t.name, pages, &props.on_page) }
            }
            { for t.partitions.iter().map(|p| html! {
                <PartitionStrip key={p.name.clone()} partition={p.clone()} on_scroll={props.on_scroll.clone()} />
            }) }
            if t.empty_partitions > 0 {
                <p class="empty-partitions">{format!("{} empty partitions not shown", t.empty_partitions)}</p>
            }
        </details>
    }
}
