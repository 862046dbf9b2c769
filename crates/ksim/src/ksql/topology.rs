//! The Kafka Streams topology ksqlDB builds for a persistent query, as `EXPLAIN` prints
//! it in `TopologyDescription#toString`'s layout: ksqlDB's processor names (`WhereFilter`,
//! `Project`, `Aggregate-GroupBy`, `Aggregate-Aggregate-Materialize`, `Join`, …) and
//! Kafka's generated ones, numbered by one counter that every processor advances
//! (`KSTREAM-SOURCE-0000000000` … `KSTREAM-SINK-0000000004` for a filter), with the
//! `Aggregate-GroupBy-repartition` topic splitting an aggregation in two sub-topologies.

use super::plan::Plan;

/// One node: its kind, name, stores, and the topic of a source or sink.
struct Node {
    kind: &'static str,
    name: String,
    stores: Vec<String>,
    topic: Option<String>,
}

/// A chain of nodes where each feeds the next (a sub-topology as ksqlDB builds it).
#[derive(Default)]
struct Chain {
    nodes: Vec<Node>,
}

impl Chain {
    fn push(&mut self, kind: &'static str, name: String, stores: &[&str], topic: Option<&str>) {
        self.nodes.push(Node { kind, name, stores: stores.iter().map(|s| s.to_string()).collect(), topic: topic.map(str::to_string) });
    }

    fn render(&self, id: usize, out: &mut String) {
        out.push_str(&format!("   Sub-topology: {id}\n"));
        for (i, n) in self.nodes.iter().enumerate() {
            let next = self.nodes.get(i + 1).map_or("none".to_string(), |x| x.name.clone());
            let prev = if i == 0 { "none".to_string() } else { self.nodes[i - 1].name.clone() };
            match n.kind {
                "Source" => out.push_str(&format!("    Source: {} (topics: [{}])\n      --> {next}\n", n.name, n.topic.clone().unwrap_or_default())),
                "Sink" => out.push_str(&format!("    Sink: {} (topic: {})\n      <-- {prev}\n", n.name, n.topic.clone().unwrap_or_default())),
                _ => out.push_str(&format!("    Processor: {} (stores: [{}])\n      --> {next}\n      <-- {prev}\n", n.name, n.stores.join(", "))),
            }
        }
        out.push('\n');
    }
}

/// Kafka Streams' generated names: a prefix and the counter, ten digits.
struct Names(u32);

impl Names {
    fn next(&mut self, prefix: &str) -> String {
        let name = format!("{prefix}{:010}", self.0);
        self.0 += 1;
        name
    }

    /// A named processor still advances the counter.
    fn named(&mut self, name: &str) -> String {
        self.0 += 1;
        name.to_string()
    }
}

/// The topology text of a persistent query writing `sink_topic`.
pub(crate) fn describe(plan: &Plan, application_id: &str, sink_topic: &str) -> String {
    let mut names = Names(0);
    let mut chains: Vec<Chain> = Vec::new();
    let mut main = Chain::default();
    let left_topic = plan.left.source.topic.as_str();
    main.push("Source", names.next("KSTREAM-SOURCE-"), &[], Some(left_topic));
    main.push("Processor", names.next("KSTREAM-TRANSFORMVALUES-"), &[], None);
    if let Some(j) = &plan.join {
        // The table side's source and its materialization, then the lookup.
        let right = &j.right.source.topic;
        let mut table = Chain::default();
        table.push("Source", names.next("KSTREAM-SOURCE-"), &[], Some(right));
        let store = format!("{application_id}-KafkaTopic_Right-Reduce");
        table.push("Processor", names.next("KTABLE-SOURCE-"), &[&store], None);
        chains.push(table);
        main.push("Processor", names.named("PrependAliasLeft"), &[], None);
        let join_store = "KafkaTopic_Right-Reduce".to_string();
        main.push("Processor", names.named("Join"), &[&join_store], None);
    }
    if plan.filter.is_some() && plan.aggregate.is_none() {
        main.push("Processor", names.named("WhereFilter"), &[], None);
    }
    match &plan.aggregate {
        None => {
            main.push("Processor", names.named("Project"), &[], None);
            if plan.result_is_table() {
                main.push("Processor", names.next("KTABLE-TOSTREAM-"), &[], None);
            }
            main.push("Sink", names.next("KSTREAM-SINK-"), &[], Some(sink_topic));
            chains.insert(0, main);
        }
        Some(a) => {
            if plan.filter.is_some() {
                main.push("Processor", names.named("WhereFilter"), &[], None);
            }
            main.push("Processor", names.named("Aggregate-GroupBy"), &[], None);
            main.push("Processor", "Aggregate-GroupBy-repartition-filter".to_string(), &[], None);
            let repartition = "Aggregate-GroupBy-repartition".to_string();
            main.push("Sink", "Aggregate-GroupBy-repartition-sink".to_string(), &[], Some(&repartition));
            chains.insert(0, main);
            let mut agg = Chain::default();
            agg.push("Source", "Aggregate-GroupBy-repartition-source".to_string(), &[], Some(&repartition));
            let prefix = match a.window {
                None => "KSTREAM-AGGREGATE-",
                Some(super::ast::WindowSpec::Session { .. }) => "KSTREAM-SESSION-WINDOWED-AGGREGATE-",
                Some(_) => "KSTREAM-WINDOWED-AGGREGATE-",
            };
            agg.push("Processor", names.next(prefix), &["Aggregate-Aggregate-Materialize"], None);
            agg.push("Processor", names.named("Aggregate-Aggregate-ToOutputSchema"), &[], None);
            if a.window.is_some() {
                agg.push("Processor", names.named("Aggregate-WindowSelect"), &[], None);
            }
            if a.having.is_some() {
                agg.push("Processor", names.named("Aggregate-HavingFilter-ApplyPredicate"), &[], None);
            }
            agg.push("Processor", names.named("Aggregate-Project"), &[], None);
            agg.push("Processor", names.next("KTABLE-TOSTREAM-"), &[], None);
            agg.push("Sink", names.next("KSTREAM-SINK-"), &[], Some(sink_topic));
            chains.push(agg);
        }
    }
    let mut out = String::from("Topologies:\n");
    for (i, c) in chains.iter().enumerate() {
        c.render(i, &mut out);
    }
    out
}
