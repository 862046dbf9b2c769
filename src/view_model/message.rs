//! The details of one message in flight, shown when its dot in the diagram is clicked.

use ksim::{ClusterView, EndpointView};

use super::diagram::kind_style;
use super::time_format::sim_offset;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageDetails {
    pub id: u64,
    /// `Produce`, `Fetch`, … as in the legend.
    pub kind: &'static str,
    pub kind_class: &'static str,
    pub from: String,
    pub to: String,
    /// What it carries: `ProduceRequest vitals-0 (1 record, acks=all)`.
    pub label: String,
    /// `t+12.345 s`.
    pub sent_at: String,
    pub arrives_at: String,
    /// `arrives in 3 ms`, or `arriving now` once due.
    pub eta: String,
}

/// An endpoint as the diagram names it: `Broker 4`, `Controller 1`, `console-producer`.
pub fn endpoint_name(view: &ClusterView, endpoint: EndpointView) -> String {
    match endpoint {
        EndpointView::Node(id) => match view.nodes.iter().find(|n| n.node_id == id) {
            Some(n) if !n.is_broker => format!("Controller {id}"),
            _ => format!("Broker {id}"),
        },
        EndpointView::Client(id) => {
            view.clients.iter().find(|c| c.id == id).map_or_else(|| format!("client {id}"), |c| c.client_id.clone())
        }
    }
}

/// `None` once the message has arrived (or was dropped): it is no longer on the wire.
pub fn message_details(view: &ClusterView, id: u64) -> Option<MessageDetails> {
    let m = view.in_flight.iter().find(|m| m.id == id)?;
    let style = kind_style(m.kind);
    let left = m.arrives_at_ms.saturating_sub(view.now_ms);
    Some(MessageDetails {
        id,
        kind: style.name,
        kind_class: style.class,
        from: endpoint_name(view, m.from),
        to: endpoint_name(view, m.to),
        label: m.label.clone(),
        sent_at: sim_offset(m.sent_at_ms),
        arrives_at: sim_offset(m.arrives_at_ms),
        eta: if left == 0 { "arriving now".to_owned() } else { format!("arrives in {left} ms") },
    })
}

#[cfg(test)]
mod tests {
    use ksim::{ClientKind, ClientView, MessageKind, MessageView, NodeView, ProcessState};

    use super::*;

    fn view() -> ClusterView {
        let node = |node_id, is_broker| NodeView {
            node_id,
            is_broker,
            is_controller: !is_broker,
            state: ProcessState::Running,
            listeners: Vec::new(),
            raft: None,
            replicas: Vec::new(),
        };
        ClusterView {
            now_ms: 1002,
            nodes: vec![node(1, false), node(4, true)],
            clients: vec![ClientView {
                id: 2,
                kind: ClientKind::Producer,
                client_id: "console-producer".to_owned(),
                alive: true,
                producer: None,
            }],
            in_flight: vec![MessageView {
                id: 7,
                from: EndpointView::Client(2),
                to: EndpointView::Node(4),
                kind: MessageKind::Produce,
                label: "ProduceRequest vitals-0 (1 record, acks=all)".to_owned(),
                sent_at_ms: 1000,
                arrives_at_ms: 1005,
            }],
            ..ClusterView::default()
        }
    }

    #[test]
    fn names_both_ends_and_the_times() {
        let d = message_details(&view(), 7).expect("in flight");
        assert_eq!(
            (d.kind, d.from.as_str(), d.to.as_str(), d.sent_at.as_str(), d.arrives_at.as_str(), d.eta.as_str()),
            ("Produce", "console-producer", "Broker 4", "t+1.000 s", "t+1.005 s", "arrives in 3 ms")
        );
        assert_eq!(d.label, "ProduceRequest vitals-0 (1 record, acks=all)");
        assert_eq!(endpoint_name(&view(), EndpointView::Node(1)), "Controller 1");
        assert_eq!(message_details(&view(), 8), None, "arrived or dropped");
    }
}
