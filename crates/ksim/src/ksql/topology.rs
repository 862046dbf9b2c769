//! The Kafka Streams topology ksqlDB builds for a persistent query, as `EXPLAIN` prints
//! it in `TopologyDescription#toString`'s layout: ksqlDB's processor names (`WhereFilter`,
//! `Project`, `PrependAliasLeft`, `Join`, `Aggregate-GroupBy`, …) and Kafka's generated
//! ones from one counter that every processor advances (`KSTREAM-SOURCE-0000000000`),
//! sub-topologies split at the `Aggregate-GroupBy-repartition` topic and joined by a
//! shared store, and nodes ordered as Kafka orders them (larger subtree first, then name).

use super::ast::WindowSpec;
use super::plan::Plan;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Source,
    Processor,
    Sink,
}

struct Node {
    kind: Kind,
    name: String,
    stores: Vec<String>,
    topic: String,
    successors: Vec<usize>,
    predecessors: Vec<usize>,
    subtopology: usize,
}

#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
    /// Kafka Streams' name counter.
    counter: u32,
}

impl Graph {
    /// Adds a node after `parent`; `generated` names get the counter's ten digits, and
    /// every processor advances the counter (repartition plumbing does not).
    fn add(&mut self, kind: Kind, name: &str, generated: bool, parent: Option<usize>, subtopology: usize) -> usize {
        let name = if generated { format!("{name}{:010}", self.counter) } else { name.to_string() };
        if generated || !name.contains("-repartition") {
            self.counter += 1;
        }
        let index = self.nodes.len();
        self.nodes.push(Node {
            kind,
            name,
            stores: Vec::new(),
            topic: String::new(),
            successors: Vec::new(),
            predecessors: Vec::new(),
            subtopology,
        });
        if let Some(p) = parent {
            self.nodes[p].successors.push(index);
            self.nodes[index].predecessors.push(p);
        }
        index
    }

    fn size(&self, i: usize) -> usize {
        1 + self.nodes[i].successors.iter().map(|s| self.size(*s)).sum::<usize>()
    }

    fn names(&self, list: &[usize]) -> String {
        if list.is_empty() {
            return "none".to_string();
        }
        let mut sorted = list.to_vec();
        sorted.sort_by(|a, b| {
            self.size(*b).cmp(&self.size(*a)).then_with(|| self.nodes[*a].name.cmp(&self.nodes[*b].name))
        });
        sorted.iter().map(|i| self.nodes[*i].name.as_str()).collect::<Vec<_>>().join(", ")
    }

    fn render(&self) -> String {
        let mut out = String::from("Topologies:\n");
        let count = self.nodes.iter().map(|n| n.subtopology + 1).max().unwrap_or(0);
        for id in 0..count {
            out.push_str(&format!("   Sub-topology: {id}\n"));
            let mut members: Vec<usize> = (0..self.nodes.len()).filter(|i| self.nodes[*i].subtopology == id).collect();
            members.sort_by(|a, b| {
                self.size(*b).cmp(&self.size(*a)).then_with(|| self.nodes[*a].name.cmp(&self.nodes[*b].name))
            });
            for i in members {
                let n = &self.nodes[i];
                let next = self.names(&n.successors);
                let prev = self.names(&n.predecessors);
                match n.kind {
                    Kind::Source => {
                        out.push_str(&format!("    Source: {} (topics: [{}])\n      --> {next}\n", n.name, n.topic))
                    }
                    Kind::Sink => {
                        out.push_str(&format!("    Sink: {} (topic: {})\n      <-- {prev}\n", n.name, n.topic))
                    }
                    Kind::Processor => out.push_str(&format!(
                        "    Processor: {} (stores: [{}])\n      --> {next}\n      <-- {prev}\n",
                        n.name,
                        n.stores.join(", ")
                    )),
                }
            }
            out.push('\n');
        }
        out
    }
}

/// The topology text of a persistent query writing `sink_topic`.
pub(crate) fn describe(plan: &Plan, sink_topic: &str) -> String {
    let mut g = Graph::default();
    let source = g.add(Kind::Source, "KSTREAM-SOURCE-", true, None, 0);
    g.nodes[source].topic = plan.left.source.topic.clone();
    let mut last = g.add(Kind::Processor, "KSTREAM-TRANSFORMVALUES-", true, Some(source), 0);
    if let Some(j) = &plan.join {
        let store = "KafkaTopic_Right-Reduce".to_string();
        let right = g.add(Kind::Source, "KSTREAM-SOURCE-", true, None, 0);
        g.nodes[right].topic = j.right.source.topic.clone();
        let table = g.add(Kind::Processor, "KTABLE-SOURCE-", true, Some(right), 0);
        g.nodes[table].stores.push(store.clone());
        last = g.add(Kind::Processor, "PrependAliasLeft", false, Some(last), 0);
        last = g.add(Kind::Processor, "Join", false, Some(last), 0);
        g.nodes[last].stores.push(store);
    }
    match &plan.aggregate {
        None => {
            if plan.filter.is_some() {
                last = g.add(Kind::Processor, "WhereFilter", false, Some(last), 0);
            }
            last = g.add(Kind::Processor, "Project", false, Some(last), 0);
            if plan.result_is_table() {
                last = g.add(Kind::Processor, "KTABLE-TOSTREAM-", true, Some(last), 0);
            }
            let sink = g.add(Kind::Sink, "KSTREAM-SINK-", true, Some(last), 0);
            g.nodes[sink].topic = sink_topic.to_string();
        }
        Some(a) => {
            if plan.filter.is_some() {
                last = g.add(Kind::Processor, "WhereFilter", false, Some(last), 0);
            }
            last = g.add(Kind::Processor, "Aggregate-GroupBy", false, Some(last), 0);
            // Grouping by anything but the key moves each row to its group's partition.
            let mut sub = 0;
            if needs_repartition(plan) {
                last = g.add(Kind::Processor, "Aggregate-GroupBy-repartition-filter", false, Some(last), 0);
                let repartition = g.add(Kind::Sink, "Aggregate-GroupBy-repartition-sink", false, Some(last), 0);
                g.nodes[repartition].topic = "Aggregate-GroupBy-repartition".to_string();
                last = g.add(Kind::Source, "Aggregate-GroupBy-repartition-source", false, None, 1);
                g.nodes[last].topic = "Aggregate-GroupBy-repartition".to_string();
                sub = 1;
            }
            let prefix = match a.window {
                None => "KSTREAM-AGGREGATE-",
                Some(WindowSpec::Session { .. }) => "KSTREAM-SESSION-WINDOWED-AGGREGATE-",
                Some(_) => "KSTREAM-WINDOWED-AGGREGATE-",
            };
            last = g.add(Kind::Processor, prefix, true, Some(last), sub);
            g.nodes[last].stores.push("Aggregate-Aggregate-Materialize".to_string());
            last = g.add(Kind::Processor, "Aggregate-Aggregate-ToOutputSchema", false, Some(last), sub);
            if a.window.is_some() {
                last = g.add(Kind::Processor, "Aggregate-WindowSelect", false, Some(last), sub);
            }
            if a.having.is_some() {
                last = g.add(Kind::Processor, "Aggregate-HavingFilter", false, Some(last), sub);
            }
            last = g.add(Kind::Processor, "Aggregate-Project", false, Some(last), sub);
            last = g.add(Kind::Processor, "KTABLE-TOSTREAM-", true, Some(last), sub);
            let sink = g.add(Kind::Sink, "KSTREAM-SINK-", true, Some(last), sub);
            g.nodes[sink].topic = sink_topic.to_string();
        }
    }
    g.render()
}

/// Whether an aggregation regroups rows (its GROUP BY is not the source's key column),
/// which Kafka Streams does through a repartition topic.
pub(crate) fn needs_repartition(plan: &Plan) -> bool {
    let Some(a) = &plan.aggregate else { return false };
    let keys = plan.left.source.key_columns();
    !(plan.join.is_none()
        && keys.len() == 1
        && matches!(&a.group_by, super::ast::Expr::Column { name, .. } if *name == keys[0].0))
}

/// `<application.id>-Aggregate-Aggregate-Materialize-changelog`: the aggregation store's
/// changelog, which ksqlDB creates (compacted) next to the sink.
pub(crate) fn changelog_topic(plan: &Plan, application_id: &str) -> Option<String> {
    plan.aggregate.as_ref().map(|_| format!("{application_id}-Aggregate-Aggregate-Materialize-changelog"))
}
