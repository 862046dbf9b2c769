//! The cluster diagram's model: where each server and client box goes, what it says, the
//! links between them, and where each message in flight is on its link right now.
//!
//! Layout, top to bottom: controller-only nodes, then brokers (combined nodes included),
//! then clients (producers left, admin clients centre, consumers right). Links between
//! rows are straight; links within a row arc above it so they never cross a box.

use ksim::vec_map::VecMap;

use super::big_cluster::{big_diagram, is_big};
use super::glossary;
use super::time_format::countdown;
use ksim::{ClientKind, ClientView, ClusterView, EndpointView, MessageKind, MessageView, NodeView, ProcessState};

pub(super) const PAD: f64 = 14.0;
/// Room above a box for the leader badge that sits on its top edge.
pub(super) const BADGE_OVERHANG: f64 = 12.0;
pub(super) const SERVER_W: f64 = 256.0;
const SERVER_H: f64 = 70.0;
/// A controller-only node has a third line for its metadata log and a fourth for its
/// Raft countdown.
pub(super) const CONTROLLER_H: f64 = 104.0;
/// A combined node adds a three-line band for its controller role.
const CONTROLLER_BAND_H: f64 = 66.0;
/// The Kill/Restart button, in the box's bottom-right corner (of its broker part).
const FAULT_W: f64 = 70.0;
const FAULT_H: f64 = 24.0;
const FAULT_INSET: f64 = 10.0;
pub(super) const CLIENT_W: f64 = 156.0;
pub(super) const CLIENT_H: f64 = 46.0;
pub(super) const GAP_X: f64 = 28.0;
pub(super) const ROW_GAP: f64 = 64.0;
/// Wide enough for three brokers and four clients, so the drawing keeps its scale while a
/// lesson-sized cluster comes and goes.
pub(super) const WIDTH_MIN: f64 = 820.0;
/// Height of the arc between neighbours in a row; each further box apart adds `ARC_STEP`.
const ARC_RISE: f64 = 16.0;
const ARC_STEP: f64 = 13.0;
/// Requests and responses on one link travel on either side of it.
const LANE_OFFSET: f64 = 4.0;
const CLIENT_ID_CHARS_MAX: usize = 18;

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    fn centre(&self) -> Point {
        Point { x: self.x + self.w / 2.0, y: self.y + self.h / 2.0 }
    }

    /// Where the segment from the centre towards `p` leaves the rectangle.
    fn edge_towards(&self, p: Point) -> Point {
        let c = self.centre();
        let (dx, dy) = (p.x - c.x, p.y - c.y);
        let scale_x = if dx == 0.0 { f64::INFINITY } else { self.w / 2.0 / dx.abs() };
        let scale_y = if dy == 0.0 { f64::INFINITY } else { self.h / 2.0 / dy.abs() };
        let scale = scale_x.min(scale_y);
        if scale.is_finite() {
            Point { x: c.x + dx * scale, y: c.y + dy * scale }
        } else {
            c
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub width: f64,
    pub height: f64,
    pub servers: Vec<ServerBox>,
    pub clients: Vec<ClientBox>,
    pub links: Vec<Link>,
    pub messages: Vec<MessageDot>,
    /// A big cluster's summary line (`50 brokers · 48 running · …`) and where it is centred;
    /// `None` when every box is drawn (see `big_cluster`).
    pub summary: Option<(String, Point)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServerBox {
    pub node_id: u32,
    pub rect: Rect,
    /// The box's accessible name and heading: `Broker N`, or `Controller N` for a
    /// controller-only node.
    pub label: String,
    /// `starting`, `running`, `fenced` or `stopped`: the state in words, not only colour.
    pub state: &'static str,
    /// `server broker running`, `server controller stopped`, ….
    pub class: String,
    /// For brokers, how many partition replicas they host and lead.
    pub replicas: Option<String>,
    /// The controller role: a band inside the box.
    pub controller: Option<ControllerPart>,
    /// The Kill or Restart button drawn over the box.
    pub fault: FaultButton,
    pub tooltip: String,
    /// A small tile of a big cluster's grid: its number and state colour only (the
    /// inspector has the rest, and the Kill/Restart button).
    pub compact: bool,
}

/// A real `<button>` laid over the diagram that sends `ksim kill N` or `ksim restart N`
/// through the console, so the student sees the command.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultButton {
    /// `Kill` or `Restart`, the visible text.
    pub verb: &'static str,
    /// The exact accessible name: `Kill Broker 5`, `Restart Controller 2`.
    pub name: String,
    /// The console line it sends.
    pub command: String,
    /// Where it goes, in diagram coordinates.
    pub rect: Rect,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ControllerPart {
    /// On a combined node, the nested accessible name `Controller N` (the box is
    /// `Broker N`), shown with a visible `controller` role badge.
    pub nested_label: Option<String>,
    /// `Leader · epoch 3`, or `no Raft state yet`.
    pub raft: String,
    /// `votedFor 2` (or `votedFor none`), when there is Raft state.
    pub voted_for: Option<String>,
    /// `log end 12 · HW 12`: the `__cluster_metadata` log end offset and high watermark.
    pub log: Option<String>,
    /// What Raft waits on and how long is left: `election timeout in 0.84 s`, `fetch
    /// timeout in 1.60 s`, `check quorum in 2.90 s`; none while stopped.
    pub deadline: Option<String>,
    /// This controller leads the metadata quorum (it is the active controller).
    pub leader: bool,
    /// Top edge of the band, in the box's coordinates.
    pub band_y: f64,
    pub tooltip: String,
    /// The Raft state and epoch explained (glossary), for the state line's own tooltip.
    pub raft_help: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClientBox {
    pub id: u32,
    pub rect: Rect,
    /// `Producer`, `Consumer` or `Admin`.
    pub kind: &'static str,
    /// Kafka's `client.id`, shortened to fit.
    pub name: String,
    /// `Producer console-producer`, the accessible name.
    pub label: String,
    pub class: String,
    /// The process has exited; it is drawn until its last messages arrive.
    pub closed: bool,
    pub tooltip: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The endpoints, `a < b`; the curve runs from `a` to `b`.
    pub a: EndpointView,
    pub b: EndpointView,
    pub curve: Curve,
    /// `link server`, `link client`, plus `down` when an end is stopped or closed and
    /// `cut` when `ksim partition` cuts it.
    pub class: String,
    /// A network cut on this link: where its ✂ goes and what it says.
    pub cut: Option<CutMark>,
}

/// The ✂ drawn halfway along a cut link.
#[derive(Clone, Debug, PartialEq)]
pub struct CutMark {
    pub at: Point,
    /// `Network cut between Broker 4 and Broker 5 (both ways)`, `… from Broker 6 to
    /// Broker 4 (one way)`: also the mark's accessible name.
    pub title: String,
}

/// A quadratic Bézier curve; a straight link has its control point in the middle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curve {
    pub from: Point,
    pub control: Point,
    pub to: Point,
}

impl Curve {
    fn straight(from: Point, to: Point) -> Curve {
        let control = Point { x: (from.x + to.x) / 2.0, y: (from.y + to.y) / 2.0 };
        Curve { from, control, to }
    }

    fn at(&self, t: f64) -> Point {
        let u = 1.0 - t;
        let (a, b, c) = (u * u, 2.0 * u * t, t * t);
        Point {
            x: a * self.from.x + b * self.control.x + c * self.to.x,
            y: a * self.from.y + b * self.control.y + c * self.to.y,
        }
    }

    /// The unit normal at `t` (the tangent turned a quarter clockwise).
    fn normal(&self, t: f64) -> Point {
        let dx = 2.0 * (1.0 - t) * (self.control.x - self.from.x) + 2.0 * t * (self.to.x - self.control.x);
        let dy = 2.0 * (1.0 - t) * (self.control.y - self.from.y) + 2.0 * t * (self.to.y - self.control.y);
        let len = dx.hypot(dy);
        if len == 0.0 {
            Point::default()
        } else {
            Point { x: -dy / len, y: dx / len }
        }
    }

    /// The SVG path data, rounded to a tenth of a unit to keep the DOM diff small.
    pub fn path(&self) -> String {
        format!(
            "M{:.1} {:.1} Q{:.1} {:.1} {:.1} {:.1}",
            self.from.x, self.from.y, self.control.x, self.control.y, self.to.x, self.to.y
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageDot {
    pub id: u64,
    pub at: Point,
    pub kind: KindStyle,
    pub tooltip: String,
    /// Messages this dot stands for (more than 1 only in a big cluster's diagram).
    pub count: u32,
}

/// How a message kind is told apart: a colour (by class) and a letter, named in the legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindStyle {
    pub name: &'static str,
    pub letter: &'static str,
    pub class: &'static str,
}

/// Every kind, in legend order.
pub const MESSAGE_KINDS: [MessageKind; 7] = [
    MessageKind::Produce,
    MessageKind::Fetch,
    MessageKind::Metadata,
    MessageKind::Admin,
    MessageKind::Vote,
    MessageKind::Heartbeat,
    MessageKind::Group,
];

pub fn kind_style(kind: MessageKind) -> KindStyle {
    let (name, letter, class) = match kind {
        MessageKind::Produce => ("Produce", "P", "produce"),
        MessageKind::Fetch => ("Fetch", "F", "fetch"),
        MessageKind::Metadata => ("Metadata", "M", "metadata"),
        MessageKind::Admin => ("Admin", "A", "admin"),
        MessageKind::Vote => ("Vote", "V", "vote"),
        MessageKind::Heartbeat => ("Heartbeat", "H", "heartbeat"),
        MessageKind::Group => ("Group", "G", "group"),
    };
    KindStyle { name, letter, class }
}

pub fn diagram(view: &ClusterView) -> Diagram {
    let (controller_row, broker_row): (Vec<&NodeView>, Vec<&NodeView>) =
        view.nodes.iter().partition(|n| n.is_controller && !n.is_broker);
    // A closed client stays drawn while its last messages are still on the wire.
    let clients: Vec<&ClientView> =
        view.clients.iter().filter(|c| c.alive || view.in_flight.iter().any(|m| touches(m, c.id))).collect();
    if is_big(broker_row.len(), clients.len()) {
        return big_diagram(view, &controller_row, &broker_row, &clients);
    }

    let broker_h = if broker_row.iter().any(|n| n.is_controller) { SERVER_H + CONTROLLER_BAND_H } else { SERVER_H };
    let width = [
        row_width(controller_row.len(), SERVER_W),
        row_width(broker_row.len(), SERVER_W),
        // Producers and consumers sit at opposite ends, admin clients between them.
        row_width(clients.len(), CLIENT_W) + 2.0 * GAP_X,
        WIDTH_MIN - 2.0 * PAD,
    ]
    .into_iter()
    .fold(0.0, f64::max)
        + 2.0 * PAD;

    let mut y = PAD + BADGE_OVERHANG;
    let mut servers = Vec::with_capacity(view.nodes.len());
    if !controller_row.is_empty() {
        y += arc_height(controller_row.len());
        servers.extend(server_row(view, &controller_row, width, y, CONTROLLER_H));
        y += CONTROLLER_H + ROW_GAP.max(arc_height(broker_row.len()) + BADGE_OVERHANG + 12.0);
    } else {
        y += arc_height(broker_row.len());
    }
    servers.extend(server_row(view, &broker_row, width, y, broker_h));
    y += broker_h + ROW_GAP;
    let clients = client_row(&clients, width, y);
    let height = y + CLIENT_H + PAD;

    let links = links(view, &servers, &clients);
    let messages = view.in_flight.iter().filter_map(|m| dot(m, &links, view.now_ms)).collect();
    Diagram { width, height, servers, clients, links, messages, summary: None }
}

fn touches(m: &MessageView, client_id: u32) -> bool {
    m.from == EndpointView::Client(client_id) || m.to == EndpointView::Client(client_id)
}

fn row_width(n: usize, box_w: f64) -> f64 {
    if n == 0 {
        0.0
    } else {
        n as f64 * box_w + (n - 1) as f64 * GAP_X
    }
}

/// The highest arc above a row of `n` boxes: the one joining its two ends.
fn arc_height(n: usize) -> f64 {
    if n < 2 {
        0.0
    } else {
        ARC_RISE + ARC_STEP * (n - 2) as f64
    }
}

fn server_row(view: &ClusterView, row: &[&NodeView], width: f64, y: f64, h: f64) -> Vec<ServerBox> {
    let x0 = (width - row_width(row.len(), SERVER_W)) / 2.0;
    row.iter()
        .enumerate()
        .map(|(i, node)| {
            let rect = Rect { x: x0 + i as f64 * (SERVER_W + GAP_X), y, w: SERVER_W, h };
            server_box(view, node, rect)
        })
        .collect()
}

pub fn state_word(state: ProcessState) -> &'static str {
    match state {
        ProcessState::Starting => "starting",
        ProcessState::Running => "running",
        ProcessState::Fenced => "fenced",
        ProcessState::Stopped => "stopped",
    }
}

/// What a node's fault button does: a stopped node can only be restarted.
pub fn fault_verb(state: ProcessState) -> &'static str {
    if state == ProcessState::Stopped {
        "Restart"
    } else {
        "Kill"
    }
}

pub(super) fn server_box(view: &ClusterView, node: &NodeView, rect: Rect) -> ServerBox {
    let id = node.node_id;
    let state = state_word(node.state);
    let label = if node.is_broker { format!("Broker {id}") } else { format!("Controller {id}") };
    let roles = match (node.is_broker, node.is_controller) {
        (true, true) => "broker, controller",
        (true, false) => "broker",
        _ => "controller",
    };
    let role_class = if node.is_broker { "broker" } else { "controller" };

    let led: Vec<String> = view
        .topics
        .iter()
        .flat_map(|t| {
            t.partitions.iter().filter(|p| p.leader == Some(id)).map(move |p| format!("{}-{}", t.name, p.partition))
        })
        .collect();
    let replicas = node.is_broker.then(|| match node.replicas.len() {
        0 => "no replicas".to_owned(),
        1 => format!("1 replica · leads {}", led.len()),
        n => format!("{n} replicas · leads {}", led.len()),
    });

    let mut tooltip = format!("{label} (node.id={id}): {state}\nprocess.roles={roles}");
    if !node.listeners.is_empty() {
        tooltip.push_str(&format!("\nlisteners={}", node.listeners.join(",")));
    }
    if node.is_broker {
        let hosted: Vec<String> =
            node.replicas.iter().map(|r| if led.contains(r) { format!("{r} (leader)") } else { r.clone() }).collect();
        let hosted = if hosted.is_empty() { "none".to_owned() } else { hosted.join(", ") };
        tooltip.push_str(&format!("\nreplicas: {hosted}"));
    }

    let controller = node.is_controller.then(|| {
        let (raft, leader, raft_tooltip, voted_for, log) = match &node.raft {
            Some(r) => {
                let leader_id = r.leader_id.map_or("none".to_owned(), |l| l.to_string());
                let voted_for = r.voted_for.map_or("none".to_owned(), |v| v.to_string());
                (
                    format!("{} · epoch {}", r.state, r.leader_epoch),
                    // A stopped node keeps its last Raft state on disk, but leads nothing.
                    r.state == "Leader" && node.state != ProcessState::Stopped,
                    format!(
                        "Controller {id}, KRaft metadata quorum: {}\nleader epoch {}, leader {leader_id}, \
                         voted for {voted_for}\nmetadata log end offset {}, high watermark {}",
                        r.state, r.leader_epoch, r.log_end_offset, r.high_watermark
                    ),
                    Some(format!("votedFor {voted_for}")),
                    Some(format!("log end {} · HW {}", r.log_end_offset, r.high_watermark)),
                )
            }
            None => (
                "no Raft state yet".to_owned(),
                false,
                format!("Controller {id}: not part of the quorum yet"),
                None,
                None,
            ),
        };
        let deadline = node
            .raft
            .as_ref()
            .and_then(|r| r.deadline.as_ref())
            .filter(|_| node.state != ProcessState::Stopped)
            .map(|(what, at)| countdown(what, *at, view.now_ms));
        let raft_help = match node.raft.as_ref().and_then(|r| glossary::raft_state(&r.state)) {
            Some(state) => format!("{state}\n{}", glossary::RAFT_EPOCH.sentence),
            None => glossary::CONTROLLER.sentence.to_owned(),
        };
        ControllerPart {
            raft_help,
            nested_label: node.is_broker.then(|| format!("Controller {id}")),
            raft,
            voted_for,
            log,
            deadline,
            leader,
            band_y: if node.is_broker { SERVER_H } else { 36.0 },
            tooltip: raft_tooltip,
        }
    });
    let mut class = format!("server {role_class} {state}");
    if controller.as_ref().is_some_and(|c| c.leader) {
        class.push_str(" quorum-leader");
    }
    let verb = fault_verb(node.state);
    // The broker part of a combined node is its top 70 units; a controller-only box uses
    // its last line.
    let (part_h, inset) = if node.is_broker { (SERVER_H, FAULT_INSET) } else { (rect.h, FAULT_INSET - 2.0) };
    let fault = FaultButton {
        verb,
        name: format!("{verb} {label}"),
        command: format!("ksim {} {id}", verb.to_lowercase()),
        rect: Rect {
            x: rect.x + rect.w - FAULT_INSET - FAULT_W,
            y: rect.y + part_h - inset - FAULT_H,
            w: FAULT_W,
            h: FAULT_H,
        },
    };
    ServerBox { node_id: id, rect, label, state, class, replicas, controller, fault, tooltip, compact: false }
}

fn client_row(clients: &[&ClientView], width: f64, y: f64) -> Vec<ClientBox> {
    let step = CLIENT_W + GAP_X;
    let of_kind = |kind| clients.iter().filter(move |c| c.kind == kind);
    let producers = of_kind(ClientKind::Producer).enumerate().map(|(i, c)| (*c, PAD + i as f64 * step));
    let consumer_count = of_kind(ClientKind::Consumer).count();
    let consumers = of_kind(ClientKind::Consumer)
        .enumerate()
        .map(|(i, c)| (*c, width - PAD - CLIENT_W - (consumer_count - 1 - i) as f64 * step));
    let admin_x0 = (width - row_width(of_kind(ClientKind::Admin).count(), CLIENT_W)) / 2.0;
    let admins = of_kind(ClientKind::Admin).enumerate().map(|(i, c)| (*c, admin_x0 + i as f64 * step));

    let mut placed: Vec<(&ClientView, f64)> = producers.chain(admins).chain(consumers).collect();
    // Start order is the order clients appear in the console; keep it for the DOM.
    ksim::sort::sort_by_key(&mut placed, |(c, _)| c.id);
    placed
        .into_iter()
        .map(|(c, x)| {
            let kind = match c.kind {
                ClientKind::Producer => "Producer",
                ClientKind::Consumer => "Consumer",
                ClientKind::Admin => "Admin",
            };
            let state = if c.alive { "running" } else { "closed" };
            let name = if c.client_id.chars().count() > CLIENT_ID_CHARS_MAX {
                let head: String = c.client_id.chars().take(CLIENT_ID_CHARS_MAX - 1).collect();
                format!("{head}…")
            } else {
                c.client_id.clone()
            };
            ClientBox {
                id: c.id,
                rect: Rect { x, y, w: CLIENT_W, h: CLIENT_H },
                kind,
                name,
                label: format!("{kind} {}", c.client_id),
                class: format!("client {} {state}", kind.to_lowercase()),
                closed: !c.alive,
                tooltip: format!("{kind} client.id={} ({state})", c.client_id),
            }
        })
        .collect()
}

fn links(view: &ClusterView, servers: &[ServerBox], clients: &[ClientBox]) -> Vec<Link> {
    let mut rects: VecMap<EndpointView, (Rect, bool)> = VecMap::new();
    for s in servers {
        rects.insert(EndpointView::Node(s.node_id), (s.rect, s.state == "stopped"));
    }
    for c in clients {
        rects.insert(EndpointView::Client(c.id), (c.rect, c.closed));
    }
    let broker_ids: Vec<u32> = view.nodes.iter().filter(|n| n.is_broker).map(|n| n.node_id).collect();

    // Controllers talk among themselves (Raft) and brokers among themselves (replication).
    // A broker-only node talks to the active controller only (heartbeats, metadata), so
    // it is linked to the quorum leader, or to every controller while there is none.
    let quorum_leader = view
        .nodes
        .iter()
        .find(|n| n.state != ProcessState::Stopped && n.raft.as_ref().is_some_and(|r| r.state == "Leader"))
        .map(|n| n.node_id);
    let talks = |a: &NodeView, b: &NodeView| {
        let (controller, broker) = match (a.is_controller, b.is_controller) {
            _ if a.is_broker && b.is_broker => return true,
            (true, true) => return true,
            (true, false) => (a, b),
            (false, true) => (b, a),
            (false, false) => return false,
        };
        broker.is_broker && quorum_leader.is_none_or(|leader| leader == controller.node_id)
    };
    let mut pairs: Vec<(EndpointView, EndpointView, &str)> = Vec::new();
    for (i, a) in view.nodes.iter().enumerate() {
        for b in view.nodes[i + 1..].iter().filter(|b| talks(a, b)) {
            pairs.push((EndpointView::Node(a.node_id), EndpointView::Node(b.node_id), "server"));
        }
    }
    // Clients talk to brokers.
    for c in clients {
        for &b in &broker_ids {
            pairs.push((EndpointView::Node(b), EndpointView::Client(c.id), "client"));
        }
    }
    // A cut between nodes that do not usually talk is drawn too, so every cut shows.
    for &(x, y) in &view.cuts {
        let (a, b) = (EndpointView::Node(x.min(y)), EndpointView::Node(x.max(y)));
        if !pairs.iter().any(|&(p, q, _)| (p, q) == (a, b)) {
            pairs.push((a, b, "server"));
        }
    }
    // Anything else that carries a message right now (an admin client asking a controller).
    for m in &view.in_flight {
        let (a, b) = (m.from.min(m.to), m.from.max(m.to));
        if a != b && !pairs.iter().any(|&(x, y, _)| (x, y) == (a, b)) {
            pairs.push((a, b, "client"));
        }
    }

    pairs
        .into_iter()
        .filter_map(|(a, b, kind)| {
            let (&(ra, down_a), &(rb, down_b)) = (rects.get(&a)?, rects.get(&b)?);
            let mut class = if down_a || down_b { format!("link {kind} down") } else { format!("link {kind}") };
            let curve = curve_between(ra, rb);
            let cut = cut_mark(view, servers, a, b, &curve);
            if cut.is_some() {
                class.push_str(" cut");
            }
            Some(Link { a, b, curve, class, cut })
        })
        .collect()
}

fn cut_mark(
    view: &ClusterView,
    servers: &[ServerBox],
    a: EndpointView,
    b: EndpointView,
    curve: &Curve,
) -> Option<CutMark> {
    let (EndpointView::Node(x), EndpointView::Node(y)) = (a, b) else {
        return None;
    };
    let (forward, backward) = (view.cuts.contains(&(x, y)), view.cuts.contains(&(y, x)));
    let name =
        |id: u32| servers.iter().find(|s| s.node_id == id).map_or_else(|| format!("node {id}"), |s| s.label.clone());
    let title = match (forward, backward) {
        (true, true) => format!("Network cut between {} and {} (both ways)", name(x), name(y)),
        (true, false) => format!("Network cut from {} to {} (one way)", name(x), name(y)),
        (false, true) => format!("Network cut from {} to {} (one way)", name(y), name(x)),
        (false, false) => return None,
    };
    // An arc's mark sits on its top; a straight link's nearer its upper end, so the marks
    // of one node cut from many do not pile up beside it.
    let straight = (curve.control.y - (curve.from.y + curve.to.y) / 2.0).abs() < 0.5;
    let t = match (straight, curve.from.y <= curve.to.y) {
        (false, _) => 0.5,
        (true, true) => 0.3,
        (true, false) => 0.7,
    };
    Some(CutMark { at: curve.at(t), title })
}

/// Boxes in one row are joined by an arc over their top edges; others by a straight line
/// between their borders.
pub(super) fn curve_between(a: Rect, b: Rect) -> Curve {
    if a.y == b.y {
        let (left, right, sign) = if a.x <= b.x { (a, b, 1.0) } else { (b, a, -1.0) };
        let apart = ((right.x - left.x) / (SERVER_W + GAP_X)).round().max(1.0);
        let rise = ARC_RISE + ARC_STEP * (apart - 1.0);
        let from = Point { x: left.x + left.w - 28.0, y: left.y };
        let to = Point { x: right.x + 28.0, y: right.y };
        // A quadratic curve peaks halfway to its control point.
        let control = Point { x: (from.x + to.x) / 2.0, y: left.y - 2.0 * rise };
        if sign > 0.0 {
            Curve { from, control, to }
        } else {
            Curve { from: to, control, to: from }
        }
    } else {
        let (ca, cb) = (a.centre(), b.centre());
        Curve::straight(a.edge_towards(cb), b.edge_towards(ca))
    }
}

fn dot(m: &MessageView, links: &[Link], now_ms: u64) -> Option<MessageDot> {
    let forward = m.from <= m.to;
    let (a, b) = if forward { (m.from, m.to) } else { (m.to, m.from) };
    let link = links.iter().find(|l| l.a == a && l.b == b)?;
    let progress = if m.arrives_at_ms <= m.sent_at_ms {
        1.0
    } else {
        (now_ms.saturating_sub(m.sent_at_ms) as f64 / (m.arrives_at_ms - m.sent_at_ms) as f64).min(1.0)
    };
    Some(dot_on(m, &link.curve, forward, progress, kind_style(m.kind)))
}

/// Message `m`'s dot at `progress` along `curve`, in its direction's lane.
pub(super) fn dot_on(m: &MessageView, curve: &Curve, forward: bool, progress: f64, kind: KindStyle) -> MessageDot {
    let t = if forward { progress } else { 1.0 - progress };
    let on_link = curve.at(t);
    let normal = curve.normal(t);
    let lane = if forward { LANE_OFFSET } else { -LANE_OFFSET };
    MessageDot {
        id: m.id,
        at: Point { x: on_link.x + normal.x * lane, y: on_link.y + normal.y * lane },
        kind,
        count: 1,
        tooltip: format!(
            "{}: {}\nsent t+{} ms, arrives t+{} ms\n{}",
            kind.name,
            m.label,
            m.sent_at_ms,
            m.arrives_at_ms,
            glossary::message_kind(kind.name).unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};
    use ksim::{PartitionView, RaftView, TopicView};

    use super::*;

    fn node(id: u32, is_broker: bool, is_controller: bool, state: ProcessState) -> NodeView {
        NodeView {
            node_id: id,
            is_broker,
            is_controller,
            state,
            listeners: vec!["PLAINTEXT://:9092".to_owned()],
            raft: is_controller.then(|| RaftView {
                deadline: None,
                state: if id == 1 { "Leader" } else { "Follower" }.to_owned(),
                leader_epoch: 2,
                leader_id: Some(1),
                voted_for: Some(1),
                log_end_offset: 12,
                high_watermark: 12,
            }),
            replicas: if is_broker { vec!["vitals-0".to_owned()] } else { Vec::new() },
        }
    }

    fn client(id: u32, kind: ClientKind, name: &str) -> ClientView {
        ClientView { id, kind, client_id: name.to_owned(), alive: true, producer: None }
    }

    fn message(id: u64, from: EndpointView, to: EndpointView, kind: MessageKind) -> MessageView {
        MessageView {
            id,
            from,
            to,
            kind,
            label: "ProduceRequest vitals-0 (1 record)".to_owned(),
            sent_at_ms: 1000,
            arrives_at_ms: 1004,
        }
    }

    fn combined_cluster() -> ClusterView {
        ClusterView {
            now_ms: 1001,
            nodes: (1..=3).map(|id| node(id, true, true, ProcessState::Running)).collect(),
            clients: vec![
                client(7, ClientKind::Producer, "console-producer"),
                client(8, ClientKind::Consumer, "console-consumer"),
            ],
            topics: vec![TopicView {
                configs: Vec::new(),
                name: "vitals".to_owned(),
                topic_id: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
                partitions: vec![PartitionView {
                    replica_states: Vec::new(),
                    segments: Vec::new(),
                    earlier_records: 0,
                    partition: 0,
                    leader: Some(2),
                    leader_epoch: 0,
                    replicas: vec![1, 2, 3],
                    isr: vec![1, 2, 3],
                    log_start_offset: 0,
                    high_watermark: 0,
                    log_end_offset: 0,
                    records: Vec::new(),
                }],
            }],
            in_flight: vec![
                message(1, EndpointView::Client(7), EndpointView::Node(2), MessageKind::Produce),
                message(2, EndpointView::Node(2), EndpointView::Client(7), MessageKind::Produce),
            ],
            ..ClusterView::default()
        }
    }

    /// The diagram as text: one line per box, link and dot, coordinates rounded.
    fn check(view: &ClusterView, expect: Expect) {
        let d = diagram(view);
        let mut out = format!("{:.0}x{:.0}\n", d.width, d.height);
        for s in &d.servers {
            let r = s.rect;
            out.push_str(&format!(
                "{} [{}] at {:.0},{:.0} {:.0}x{:.0}: {} | {}",
                s.label,
                s.class,
                r.x,
                r.y,
                r.w,
                r.h,
                s.state,
                s.replicas.as_deref().unwrap_or("-")
            ));
            if let Some(c) = &s.controller {
                out.push_str(&format!(
                    " | {} {} ({}; {}){} band@{:.0}",
                    c.nested_label.as_deref().unwrap_or("-"),
                    c.raft,
                    c.voted_for.as_deref().unwrap_or("-"),
                    c.log.as_deref().unwrap_or("-"),
                    if c.leader { " LEADER" } else { "" },
                    c.band_y
                ));
            }
            let f = &s.fault;
            out.push_str(&format!(" | [{}] `{}` at {:.0},{:.0}\n", f.name, f.command, f.rect.x, f.rect.y));
        }
        for c in &d.clients {
            out.push_str(&format!("{} [{}] at {:.0},{:.0}\n", c.label, c.class, c.rect.x, c.rect.y));
        }
        for l in &d.links {
            out.push_str(&format!("{:?}-{:?} [{}] {}\n", l.a, l.b, l.class, l.curve.path()));
        }
        for m in &d.messages {
            out.push_str(&format!("msg {} {} at {:.1},{:.1}\n", m.id, m.kind.letter, m.at.x, m.at.y));
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn combined_cluster_with_clients() {
        check(
            &combined_cluster(),
            expect![[r#"
                852x315
                Broker 1 [server broker running quorum-leader] at 14,55 256x136: running | 1 replica · leads 0 | Controller 1 Leader · epoch 2 (votedFor 1; log end 12 · HW 12) LEADER band@70 | [Kill Broker 1] `ksim kill 1` at 190,91
                Broker 2 [server broker running] at 298,55 256x136: running | 1 replica · leads 1 | Controller 2 Follower · epoch 2 (votedFor 1; log end 12 · HW 12) band@70 | [Kill Broker 2] `ksim kill 2` at 474,91
                Broker 3 [server broker running] at 582,55 256x136: running | 1 replica · leads 0 | Controller 3 Follower · epoch 2 (votedFor 1; log end 12 · HW 12) band@70 | [Kill Broker 3] `ksim kill 3` at 758,91
                Producer console-producer [client producer running] at 14,255
                Consumer console-consumer [client consumer running] at 682,255
                Node(1)-Node(2) [link server] M242.0 55.0 Q284.0 23.0 326.0 55.0
                Node(1)-Node(3) [link server] M242.0 55.0 Q426.0 -3.0 610.0 55.0
                Node(2)-Node(3) [link server] M526.0 55.0 Q568.0 23.0 610.0 55.0
                Node(1)-Client(7) [link client] M120.1 191.0 Q109.7 223.0 99.4 255.0
                Node(2)-Client(7) [link client] M298.0 182.4 Q219.8 218.7 141.6 255.0
                Node(3)-Client(7) [link client] M582.0 155.1 Q376.0 206.8 170.0 258.4
                Node(1)-Client(8) [link client] M270.0 155.1 Q476.0 206.8 682.0 258.4
                Node(2)-Client(8) [link client] M554.0 182.4 Q632.2 218.7 710.4 255.0
                Node(3)-Client(8) [link client] M731.9 191.0 Q742.3 223.0 752.6 255.0
                msg 1 P at 182.4,240.5
                msg 2 P at 257.2,196.9
            "#]],
        );
    }

    #[test]
    fn separate_controllers_above_brokers() {
        let mut view = ClusterView {
            nodes: vec![
                node(1, false, true, ProcessState::Running),
                node(2, false, true, ProcessState::Running),
                node(3, true, false, ProcessState::Fenced),
                node(4, true, false, ProcessState::Stopped),
            ],
            ..ClusterView::default()
        };
        view.nodes[1].raft = None;
        // Brokers are linked to the active controller (1) only.
        check(
            &view,
            expect![[r#"
                820x404
                Controller 1 [server controller running quorum-leader] at 140,42 256x104: running | - | - Leader · epoch 2 (votedFor 1; log end 12 · HW 12) LEADER band@36 | [Kill Controller 1] `ksim kill 1` at 316,114
                Controller 2 [server controller running] at 424,42 256x104: running | - | - no Raft state yet (-; -) band@36 | [Kill Controller 2] `ksim kill 2` at 600,114
                Broker 3 [server broker fenced] at 140,210 256x70: fenced | 1 replica · leads 0 | [Kill Broker 3] `ksim kill 3` at 316,246
                Broker 4 [server broker stopped] at 424,210 256x70: stopped | 1 replica · leads 0 | [Restart Broker 4] `ksim restart 4` at 600,246
                Node(1)-Node(2) [link server] M368.0 42.0 Q410.0 10.0 452.0 42.0
                Node(1)-Node(3) [link server] M268.0 146.0 Q268.0 178.0 268.0 210.0
                Node(1)-Node(4) [link server down] M365.8 146.0 Q426.0 178.0 486.2 210.0
                Node(3)-Node(4) [link server down] M368.0 210.0 Q410.0 178.0 452.0 210.0
            "#]],
        );
    }

    #[test]
    fn a_stopped_leader_leads_nothing() {
        let mut view = combined_cluster();
        view.nodes[0].state = ProcessState::Stopped;
        let d = diagram(&view);
        assert!(d.servers.iter().all(|s| !s.controller.as_ref().is_some_and(|c| c.leader)));
        assert!(!d.servers[0].class.contains("quorum-leader"));
        assert_eq!(d.servers[0].controller.as_ref().map(|c| c.raft.as_str()), Some("Leader · epoch 2"));
    }

    #[test]
    fn controllers_count_down_to_their_raft_deadline() {
        let mut view = ClusterView {
            now_ms: 10_000,
            nodes: vec![
                node(1, false, true, ProcessState::Running),
                node(2, false, true, ProcessState::Running),
                node(3, false, true, ProcessState::Stopped),
            ],
            ..ClusterView::default()
        };
        let deadlines = [("check quorum", 12_900), ("fetch timeout", 11_604), ("election timeout", 10_840)];
        for (n, (what, at)) in view.nodes.iter_mut().zip(deadlines) {
            n.raft.as_mut().expect("a controller").deadline = Some((what.to_owned(), at));
        }
        let d = diagram(&view);
        let shown: Vec<Option<&str>> =
            d.servers.iter().map(|s| s.controller.as_ref().and_then(|c| c.deadline.as_deref())).collect();
        // A stopped controller waits on nothing.
        assert_eq!(shown, [Some("check quorum in 2.90 s"), Some("fetch timeout in 1.60 s"), None]);
        view.now_ms = 13_000;
        let d = diagram(&view);
        assert_eq!(
            d.servers[0].controller.as_ref().and_then(|c| c.deadline.as_deref()),
            Some("check quorum in 0.00 s")
        );
    }

    #[test]
    fn vote_requests_between_controllers_are_drawn() {
        let mut view = ClusterView {
            now_ms: 1002,
            nodes: vec![
                node(1, false, true, ProcessState::Running),
                node(2, false, true, ProcessState::Running),
                node(3, true, false, ProcessState::Running),
            ],
            ..ClusterView::default()
        };
        view.in_flight = vec![message(9, EndpointView::Node(2), EndpointView::Node(1), MessageKind::Vote)];
        let d = diagram(&view);
        assert_eq!(d.messages.len(), 1);
        assert_eq!((d.messages[0].kind.letter, d.messages[0].kind.class), ("V", "vote"));
    }

    #[test]
    fn fault_buttons_name_the_box_and_follow_the_state() {
        let mut view = combined_cluster();
        view.nodes[1].state = ProcessState::Stopped;
        view.nodes.push(node(4, false, true, ProcessState::Running));
        let d = diagram(&view);
        let faults: Vec<_> = d.servers.iter().map(|s| (s.fault.name.as_str(), s.fault.command.as_str())).collect();
        assert_eq!(
            faults,
            [
                ("Kill Controller 4", "ksim kill 4"),
                ("Kill Broker 1", "ksim kill 1"),
                ("Restart Broker 2", "ksim restart 2"),
                ("Kill Broker 3", "ksim kill 3"),
            ]
        );
        for s in &d.servers {
            let (f, r) = (s.fault.rect, s.rect);
            assert!(f.x > r.x && f.x + f.w < r.x + r.w && f.y > r.y && f.y + f.h < r.y + r.h, "{}", s.label);
        }
    }

    #[test]
    fn messages_move_with_time() {
        let mut view = combined_cluster();
        let at = |view: &ClusterView| diagram(view).messages[0].at;
        let start = at(&view);
        view.now_ms = 1003;
        let later = at(&view);
        // The producer sits below the brokers, so a request climbs as time passes.
        assert!(later.y < start.y, "{start:?} then {later:?}");
        view.now_ms = 5000;
        let link = &diagram(&view)
            .links
            .iter()
            .find(|l| l.a == EndpointView::Node(2) && l.b == EndpointView::Client(7))
            .cloned();
        let Some(link) = link else { panic!("no producer link") };
        let arrived = at(&view);
        assert!((arrived.y - link.curve.from.y).abs() < LANE_OFFSET + 0.01, "{arrived:?}");
    }

    #[test]
    fn cut_links_are_marked_with_their_direction() {
        let mut view = combined_cluster();
        view.cuts = vec![(1, 2), (2, 1), (3, 1)];
        let d = diagram(&view);
        let cut: Vec<_> = d
            .links
            .iter()
            .filter_map(|l| l.cut.as_ref().map(|c| format!("{:?}-{:?} [{}] {}", l.a, l.b, l.class, c.title)))
            .collect();
        assert_eq!(
            cut,
            [
                "Node(1)-Node(2) [link server cut] Network cut between Broker 1 and Broker 2 (both ways)",
                "Node(1)-Node(3) [link server cut] Network cut from Broker 3 to Broker 1 (one way)",
            ]
        );
        // A cut between a broker-only node and a controller it does not talk to still shows.
        let mut view = ClusterView {
            nodes: vec![node(1, false, true, ProcessState::Running), node(2, false, true, ProcessState::Running)],
            ..ClusterView::default()
        };
        view.nodes.push(node(3, true, false, ProcessState::Running));
        view.cuts = vec![(2, 3), (3, 2)];
        let d = diagram(&view);
        assert!(d
            .links
            .iter()
            .any(|l| l.a == EndpointView::Node(2) && l.b == EndpointView::Node(3) && l.cut.is_some()));
    }

    #[test]
    fn closed_clients_stay_while_their_messages_travel() {
        let mut view = combined_cluster();
        view.clients[0].alive = false;
        assert_eq!(diagram(&view).clients.len(), 2);
        view.in_flight.clear();
        let d = diagram(&view);
        assert_eq!(d.clients.len(), 1);
        assert_eq!(d.clients[0].label, "Consumer console-consumer");
    }
}
