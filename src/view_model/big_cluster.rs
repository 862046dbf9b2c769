//! The cluster diagram of a big cluster, summarised: what cannot be drawn one by one is
//! drawn as a whole. Brokers become a grid of small tiles (state in colour and in the
//! tile's name, every tile still a button for its inspector) under a line that counts them
//! by state; clients become one box per kind (consumers one per group) with a count; links
//! join those boxes, not every pair; and messages in flight on one link are one dot per
//! kind and direction carrying their count, at their average progress. Messages between two
//! brokers of the grid (replication) are counted in the summary line.

use ksim::vec_map::VecMap;

use ksim::{ClientKind, ClientView, ClusterView, EndpointView, MessageView, NodeView, ProcessState};

use super::diagram::{
    curve_between, kind_style, server_box, state_word, ClientBox, Diagram, Link, MessageDot, Point, Rect, ServerBox,
    BADGE_OVERHANG, CLIENT_H, CLIENT_W, CONTROLLER_H, GAP_X, PAD, ROW_GAP, SERVER_W, WIDTH_MIN,
};
use super::glossary;

/// More brokers than this, or more clients than `CLIENTS_DRAWN_MAX`, and the diagram is
/// summarised: beyond it boxes and links no longer fit a projector's width.
pub const BROKERS_DRAWN_MAX: usize = 9;
pub const CLIENTS_DRAWN_MAX: usize = 8;
const TILE_W: f64 = 64.0;
const TILE_H: f64 = 34.0;
const TILE_GAP: f64 = 8.0;
const TILE_COLUMNS: usize = 10;
/// Room for the summary line above the grid.
const SUMMARY_H: f64 = 22.0;

pub fn is_big(brokers: usize, clients: usize) -> bool {
    brokers > BROKERS_DRAWN_MAX || clients > CLIENTS_DRAWN_MAX
}

/// One client box standing for several clients: a kind, or a consumer group.
struct Aggregate<'a> {
    kind: &'static str,
    /// `group monitors`, `no group`, or empty for producers and admin clients.
    what: String,
    members: Vec<&'a ClientView>,
}

pub fn big_diagram(
    view: &ClusterView,
    controllers: &[&NodeView],
    brokers: &[&NodeView],
    clients: &[&ClientView],
) -> Diagram {
    let columns = brokers.len().clamp(1, TILE_COLUMNS);
    let rows = brokers.len().div_ceil(columns);
    let grid_w = columns as f64 * (TILE_W + TILE_GAP) - TILE_GAP;
    let aggregates = aggregates(view, clients);
    let width = [
        controllers.len() as f64 * (SERVER_W + GAP_X) - GAP_X,
        grid_w,
        aggregates.len() as f64 * (CLIENT_W + GAP_X) - GAP_X,
        WIDTH_MIN - 2.0 * PAD,
    ]
    .into_iter()
    .fold(0.0, f64::max)
        + 2.0 * PAD;

    let mut y = PAD + BADGE_OVERHANG;
    let mut servers: Vec<ServerBox> = Vec::with_capacity(view.nodes.len());
    if !controllers.is_empty() {
        // Arcs over the row, as in the full diagram.
        y += 16.0 + 13.0 * controllers.len().saturating_sub(2) as f64;
        let x0 = (width - (controllers.len() as f64 * (SERVER_W + GAP_X) - GAP_X)) / 2.0;
        for (i, node) in controllers.iter().enumerate() {
            let rect = Rect { x: x0 + i as f64 * (SERVER_W + GAP_X), y, w: SERVER_W, h: CONTROLLER_H };
            servers.push(server_box(view, node, rect));
        }
        y += CONTROLLER_H + ROW_GAP;
    }
    let summary_y = y;
    y += SUMMARY_H;
    let grid = Rect { x: (width - grid_w) / 2.0, y, w: grid_w, h: rows as f64 * (TILE_H + TILE_GAP) - TILE_GAP };
    for (i, node) in brokers.iter().enumerate() {
        let rect = Rect {
            x: grid.x + (i % columns) as f64 * (TILE_W + TILE_GAP),
            y: grid.y + (i / columns) as f64 * (TILE_H + TILE_GAP),
            w: TILE_W,
            h: TILE_H,
        };
        let mut tile = server_box(view, node, rect);
        tile.compact = true;
        servers.push(tile);
    }
    y = grid.y + grid.h + ROW_GAP;
    let x0 = (width - (aggregates.len() as f64 * (CLIENT_W + GAP_X) - GAP_X)) / 2.0;
    let client_boxes: Vec<ClientBox> = aggregates
        .iter()
        .enumerate()
        .map(|(i, a)| aggregate_box(a, Rect { x: x0 + i as f64 * (CLIENT_W + GAP_X), y, w: CLIENT_W, h: CLIENT_H }))
        .collect();
    let height = y + CLIENT_H + PAD;

    // Every endpoint stands for its box: a broker for the grid, a client for its aggregate.
    let grid_end = brokers.first().map(|b| EndpointView::Node(b.node_id));
    let mut end_of: VecMap<EndpointView, EndpointView> = VecMap::new();
    let mut rects: VecMap<EndpointView, (Rect, bool)> = VecMap::new();
    for s in servers.iter().filter(|s| !s.compact) {
        end_of.insert(EndpointView::Node(s.node_id), EndpointView::Node(s.node_id));
        rects.insert(EndpointView::Node(s.node_id), (s.rect, s.state == "stopped"));
    }
    if let Some(grid_end) = grid_end {
        for b in brokers {
            end_of.insert(EndpointView::Node(b.node_id), grid_end);
        }
        // Links end above the summary line, so they never cross its words.
        let band = Rect { y: summary_y, h: grid.y + grid.h - summary_y, ..grid };
        rects.insert(grid_end, (band, false));
    }
    for (a, b) in aggregates.iter().zip(&client_boxes) {
        for c in &a.members {
            end_of.insert(EndpointView::Client(c.id), EndpointView::Client(b.id));
        }
        rects.insert(EndpointView::Client(b.id), (b.rect, b.closed));
    }

    let mut pairs: Vec<(EndpointView, EndpointView, &str)> = Vec::new();
    for (i, a) in controllers.iter().enumerate() {
        for b in &controllers[i + 1..] {
            pairs.push((EndpointView::Node(a.node_id), EndpointView::Node(b.node_id), "server"));
        }
    }
    if let Some(grid_end) = grid_end {
        // The grid talks to the active controller (or every controller while there is none).
        let leader = controllers
            .iter()
            .find(|c| c.state != ProcessState::Stopped && c.raft.as_ref().is_some_and(|r| r.state == "Leader"));
        for c in controllers.iter().filter(|c| leader.is_none_or(|l| l.node_id == c.node_id)) {
            pairs.push((EndpointView::Node(c.node_id), grid_end, "server"));
        }
        for b in &client_boxes {
            pairs.push((grid_end, EndpointView::Client(b.id), "client"));
        }
    }
    let mut links: Vec<Link> = pairs
        .into_iter()
        .filter_map(|(a, b, kind)| {
            let (&(ra, down_a), &(rb, down_b)) = (rects.get(&a)?, rects.get(&b)?);
            let class = if down_a || down_b { format!("link {kind} down") } else { format!("link {kind}") };
            Some(Link { a, b, curve: curve_between(ra, rb), class, cut: None })
        })
        .collect();

    // Messages, grouped per link, direction and kind.
    let mut groups: VecMap<(EndpointView, EndpointView, &'static str), Vec<&MessageView>> = VecMap::new();
    let mut within_grid = 0_usize;
    for m in &view.in_flight {
        let (Some(&from), Some(&to)) = (end_of.get(&m.from), end_of.get(&m.to)) else { continue };
        if from == to {
            within_grid += 1;
            continue;
        }
        groups.entry((from, to, kind_style(m.kind).name)).or_default().push(m);
    }
    let mut messages = Vec::with_capacity(groups.len());
    for ((from, to, _), ms) in groups {
        let (a, b) = (from.min(to), from.max(to));
        if !links.iter().any(|l| l.a == a && l.b == b) {
            // An admin client asking a controller directly: a link while it lasts.
            let (Some(&(ra, _)), Some(&(rb, _))) = (rects.get(&a), rects.get(&b)) else { continue };
            links.push(Link { a, b, curve: curve_between(ra, rb), class: "link client".to_owned(), cut: None });
        }
        if let Some(dot) = group_dot(&ms, from, to, &links, view.now_ms) {
            messages.push(dot);
        }
    }
    // In message order, as the full diagram draws them.
    ksim::sort::sort_by_key(&mut messages, |m| m.id);

    let mut counts: VecMap<&str, usize> = VecMap::new();
    for b in brokers {
        *counts.entry(state_word(b.state)).or_default() += 1;
    }
    let mut summary = vec![format!("{} brokers", brokers.len())];
    summary.extend(
        ["running", "starting", "fenced", "stopped"].iter().filter_map(|s| counts.get(s).map(|n| format!("{n} {s}"))),
    );
    match clients.len() {
        0 => {}
        1 => summary.push("1 client".to_owned()),
        n => summary.push(format!("{n} clients")),
    }
    match within_grid {
        0 => {}
        1 => summary.push("1 message between brokers".to_owned()),
        n => summary.push(format!("{n} messages between brokers")),
    }
    match view.cuts.len() {
        0 => {}
        1 => summary.push("1 network cut".to_owned()),
        n => summary.push(format!("{n} network cuts")),
    }
    Diagram {
        width,
        height,
        servers,
        clients: client_boxes,
        links,
        messages,
        summary: Some((summary.join(" · "), Point { x: width / 2.0, y: summary_y + 14.0 })),
    }
}

fn aggregates<'a>(view: &ClusterView, clients: &[&'a ClientView]) -> Vec<Aggregate<'a>> {
    let group_of: VecMap<u32, &str> = view
        .groups
        .iter()
        .flat_map(|g| g.members.iter().filter_map(move |m| Some((m.client?, g.group_id.as_str()))))
        .collect();
    let mut out: VecMap<(u8, String), Aggregate> = VecMap::new();
    for c in clients {
        let (order, kind, what) = match c.kind {
            ClientKind::Producer => (0, "Producers", String::new()),
            ClientKind::Admin => (1, "Admin clients", String::new()),
            ClientKind::Consumer => match group_of.get(&c.id) {
                Some(g) => (2, "Consumers", format!("group {g}")),
                None => (3, "Consumers", "no group yet".to_owned()),
            },
        };
        out.entry((order, what.clone()))
            .or_insert_with(|| Aggregate { kind, what, members: Vec::new() })
            .members
            .push(c);
    }
    out.into_values().collect()
}

fn aggregate_box(a: &Aggregate, rect: Rect) -> ClientBox {
    let n = a.members.len();
    let alive = a.members.iter().filter(|c| c.alive).count();
    let name = if a.what.is_empty() { format!("× {n}") } else { format!("{} × {n}", a.what) };
    let label = if a.what.is_empty() {
        format!("{n} {}", a.kind.to_lowercase())
    } else {
        format!("{n} consumers in {}", a.what)
    };
    let mut ids: Vec<&str> = a.members.iter().take(5).map(|c| c.client_id.as_str()).collect();
    if n > ids.len() {
        ids.push("…");
    }
    let sentence = match a.kind {
        "Producers" => glossary::PRODUCER.sentence,
        "Consumers" => glossary::CONSUMER.sentence,
        _ => glossary::ADMIN_CLIENT.sentence,
    };
    let kind_class = a.kind.split_whitespace().next().unwrap_or("client").trim_end_matches('s').to_lowercase();
    ClientBox {
        id: a.members.iter().map(|c| c.id).min().unwrap_or(0),
        rect,
        kind: a.kind,
        name,
        tooltip: format!("{label}, {alive} running: {}\n{sentence}", ids.join(", ")),
        label,
        class: format!("client {kind_class} aggregate {}", if alive > 0 { "running" } else { "closed" }),
        closed: alive == 0,
    }
}

/// One dot for several messages of a kind going one way on a link: at their average
/// progress, with their count; clicking it selects the oldest.
fn group_dot(
    ms: &[&MessageView],
    from: EndpointView,
    to: EndpointView,
    links: &[Link],
    now_ms: u64,
) -> Option<MessageDot> {
    let first = ms.iter().min_by_key(|m| m.id)?;
    let forward = from <= to;
    let (a, b) = if forward { (from, to) } else { (to, from) };
    let link = links.iter().find(|l| l.a == a && l.b == b)?;
    let progress = ms
        .iter()
        .map(|m| {
            if m.arrives_at_ms <= m.sent_at_ms {
                1.0
            } else {
                (now_ms.saturating_sub(m.sent_at_ms) as f64 / (m.arrives_at_ms - m.sent_at_ms) as f64).min(1.0)
            }
        })
        .sum::<f64>()
        / ms.len() as f64;
    let kind = kind_style(first.kind);
    let count = u32::try_from(ms.len()).unwrap_or(u32::MAX);
    let mut dot = super::diagram::dot_on(first, &link.curve, forward, progress, kind);
    if count > 1 {
        dot.tooltip = format!("{count} {} messages on this link; the oldest:\n{}", kind.name, dot.tooltip);
    }
    dot.count = count;
    Some(dot)
}

#[cfg(test)]
mod tests {
    use ksim::{GroupMemberView, GroupView, MessageKind, RaftView};

    use super::*;
    use crate::view_model::diagram::diagram;

    fn node(id: u32, is_broker: bool, state: ProcessState) -> NodeView {
        NodeView {
            node_id: id,
            is_broker,
            is_controller: !is_broker,
            state,
            listeners: Vec::new(),
            raft: (!is_broker).then(|| RaftView {
                deadline: None,
                state: if id == 1 { "Leader" } else { "Follower" }.to_owned(),
                leader_epoch: 1,
                leader_id: Some(1),
                voted_for: Some(1),
                log_end_offset: 3,
                high_watermark: 3,
            }),
            replicas: Vec::new(),
        }
    }

    fn message(id: u64, from: EndpointView, to: EndpointView, kind: MessageKind) -> MessageView {
        MessageView { id, from, to, kind, label: "FetchRequest".to_owned(), sent_at_ms: 1000, arrives_at_ms: 1004 }
    }

    /// 3 controllers, 50 brokers (one fenced, one stopped), 2 producers and 100 consumers in
    /// two groups, with messages on the wire.
    fn big() -> ClusterView {
        let mut nodes: Vec<NodeView> = (1..=3).map(|id| node(id, false, ProcessState::Running)).collect();
        nodes.extend((4..=53).map(|id| {
            let state = match id {
                10 => ProcessState::Fenced,
                11 => ProcessState::Stopped,
                _ => ProcessState::Running,
            };
            node(id, true, state)
        }));
        let mut clients: Vec<ClientView> = (0..2)
            .map(|i| ClientView {
                id: i,
                kind: ClientKind::Producer,
                client_id: format!("producer-{i}"),
                alive: true,
                producer: None,
            })
            .collect();
        clients.extend((2..102).map(|i| ClientView {
            id: i,
            kind: ClientKind::Consumer,
            client_id: format!("console-consumer-{i}"),
            alive: true,
            producer: None,
        }));
        let group = |id: &str, range: std::ops::Range<u32>| GroupView {
            group_id: id.to_owned(),
            members: range
                .map(|c| GroupMemberView {
                    member_id: format!("m{c}"),
                    client_id: format!("console-consumer-{c}"),
                    client: Some(c),
                    is_leader: false,
                    assignment: Vec::new(),
                })
                .collect(),
            ..GroupView::default()
        };
        ClusterView {
            now_ms: 1002,
            nodes,
            clients,
            groups: vec![group("alerts", 2..42), group("monitors", 42..102)],
            in_flight: vec![
                message(1, EndpointView::Client(5), EndpointView::Node(20), MessageKind::Fetch),
                message(2, EndpointView::Client(70), EndpointView::Node(30), MessageKind::Fetch),
                message(3, EndpointView::Client(60), EndpointView::Node(31), MessageKind::Fetch),
                message(4, EndpointView::Node(5), EndpointView::Node(6), MessageKind::Fetch),
                message(5, EndpointView::Node(7), EndpointView::Node(1), MessageKind::Heartbeat),
                message(6, EndpointView::Client(0), EndpointView::Node(9), MessageKind::Produce),
            ],
            ..ClusterView::default()
        }
    }

    #[test]
    fn a_big_cluster_is_a_grid_of_tiles_with_clients_per_group() {
        let d = diagram(&big());
        assert_eq!(
            d.summary.as_ref().map(|s| s.0.as_str()),
            Some("50 brokers · 48 running · 1 fenced · 1 stopped · 102 clients · 1 message between brokers")
        );
        let tiles = d.servers.iter().filter(|s| s.compact).count();
        let boxes: Vec<_> = d.servers.iter().filter(|s| !s.compact).map(|s| s.label.as_str()).collect();
        assert_eq!((tiles, boxes), (50, vec!["Controller 1", "Controller 2", "Controller 3"]));
        // Ten tiles a row, five rows, inside the drawing.
        let grid: Vec<_> = d.servers.iter().filter(|s| s.compact).map(|s| s.rect).collect();
        assert_eq!(grid[0].y, grid[9].y);
        assert!(grid[10].y > grid[9].y);
        assert!(grid.iter().all(|r| r.x >= 0.0 && r.x + r.w <= d.width && r.y + r.h <= d.height));
        let clients: Vec<_> = d.clients.iter().map(|c| format!("{} {}", c.kind, c.name)).collect();
        assert_eq!(clients, ["Producers × 2", "Consumers group alerts × 40", "Consumers group monitors × 60"]);
        assert_eq!(d.clients[2].label, "60 consumers in group monitors");
        // Links: 3 among controllers, the active controller to the grid, each client box to it.
        assert_eq!(d.links.len(), 3 + 1 + 3);
        // Two Fetches from group monitors' consumers are one dot counting 2.
        let dots: Vec<_> = d.messages.iter().map(|m| (m.id, m.kind.name, m.count)).collect();
        assert_eq!(dots, [(1, "Fetch", 1), (2, "Fetch", 2), (5, "Heartbeat", 1), (6, "Produce", 1)]);
        assert!(d.messages[1].tooltip.starts_with("2 Fetch messages on this link; the oldest:\n"));
    }

    #[test]
    fn a_small_cluster_is_drawn_box_by_box() {
        let mut view = big();
        view.nodes.truncate(3 + BROKERS_DRAWN_MAX);
        view.clients.truncate(CLIENTS_DRAWN_MAX);
        view.in_flight.clear();
        let d = diagram(&view);
        assert_eq!(d.summary, None);
        assert!(d.servers.iter().all(|s| !s.compact));
        assert_eq!(d.clients.len(), CLIENTS_DRAWN_MAX);
    }
}
