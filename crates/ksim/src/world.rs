//! The world: every process, the network and the event queue. `step()` pops the next
//! event (ordered by time, then by scheduling order), hands it to its process, and
//! schedules what the process answers.

use crate::client::Client;
use crate::ids::{Addr, ClientId, NodeId};
use crate::invariants::InvariantChecker;
use crate::net::{Envelope, Network};
use crate::node::{stream_for, ClientEvent, Ctx, Input, LogLine, Output, Role, Target};
use crate::rng::SimRng;
use crate::server::Server;
use crate::time::SimTime;
use crate::trace::Trace;
use crate::vec_map::VecMap;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

#[derive(Clone, Debug)]
enum Event {
    Deliver(u64),
    /// `incarnation` ties a server's timer to the run of the process that set it.
    Input {
        to: Addr,
        input: Input,
        incarnation: u32,
    },
}

/// Queue entry ordered by `(at, seq)` only; `seq` makes ties resolve in scheduling order.
#[derive(Clone, Debug)]
struct Scheduled {
    at: SimTime,
    seq: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

#[derive(Clone)]
pub(crate) struct World {
    seed: u64,
    now: SimTime,
    seq: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    events_processed: u64,
    pub(crate) servers: VecMap<NodeId, Server>,
    pub(crate) clients: VecMap<ClientId, Client>,
    net: Network,
    /// Each process's own random stream, derived from (seed, process id).
    rngs: VecMap<Addr, SimRng>,
    in_flight: BTreeMap<u64, Envelope>,
    pub(crate) trace: Trace,
    /// Client events not yet taken by the console.
    pub(crate) notifications: Vec<(ClientId, ClientEvent)>,
    /// Server log lines not yet taken by the console.
    pub(crate) server_logs: Vec<(NodeId, LogLine)>,
    next_client_id: u32,
    /// When set, no event past this count is processed (replaying to a past moment).
    pub(crate) event_limit: Option<u64>,
    /// Safety invariants, checked after every event while `check_invariants` is on.
    pub(crate) invariants: InvariantChecker,
    pub(crate) check_invariants: bool,
    /// Kafka Streams applications; their clients' events go to them.
    pub(crate) streams: crate::streams::runtime::StreamsApps,
}

impl World {
    pub(crate) fn new(seed: u64) -> World {
        World {
            seed,
            now: SimTime::ZERO,
            seq: 0,
            queue: BinaryHeap::new(),
            events_processed: 0,
            servers: VecMap::new(),
            clients: VecMap::new(),
            net: Network::new(seed),
            rngs: VecMap::new(),
            in_flight: BTreeMap::new(),
            trace: Trace::default(),
            notifications: Vec::new(),
            server_logs: Vec::new(),
            next_client_id: 0,
            event_limit: None,
            invariants: InvariantChecker::default(),
            check_invariants: true,
            streams: crate::streams::runtime::StreamsApps::default(),
        }
    }

    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    pub(crate) fn now(&self) -> SimTime {
        self.now
    }

    pub(crate) fn events_processed(&self) -> u64 {
        self.events_processed
    }

    pub(crate) fn in_flight(&self) -> impl Iterator<Item = &Envelope> {
        self.in_flight.values()
    }

    fn schedule(&mut self, at: SimTime, event: Event) {
        self.seq += 1;
        self.queue.push(Reverse(Scheduled { at, seq: self.seq, event }));
    }

    /// Starts a server process; its start-up runs as events from now on.
    pub(crate) fn start_server(&mut self, server: Server) {
        let id = server.node_id();
        let incarnation = server.incarnation;
        self.servers.insert(id, server);
        self.schedule(self.now, Event::Input { to: Addr::Node(id), input: Input::Start, incarnation });
    }

    /// Starts a client process and returns its id.
    pub(crate) fn start_client(&mut self, make: impl FnOnce(ClientId) -> Client) -> ClientId {
        self.next_client_id += 1;
        let id = ClientId(self.next_client_id);
        self.clients.insert(id, make(id));
        self.schedule(self.now, Event::Input { to: Addr::Client(id), input: Input::Start, incarnation: 0 });
        id
    }

    /// Delivers an input to a client right now (console actions: a typed record, close).
    pub(crate) fn poke_client(&mut self, id: ClientId, act: impl FnOnce(&mut Client, &mut Ctx)) {
        let Some(client) = self.clients.get_mut(&id) else {
            return;
        };
        let to = Addr::Client(id);
        let rng = self.rngs.entry(to).or_insert_with(|| SimRng::for_stream(self.seed, stream_for(to)));
        let mut ctx = Ctx { now: self.now, rng, out: Vec::new() };
        act(client, &mut ctx);
        let out = ctx.out;
        self.apply_outputs(Addr::Client(id), out);
        if self.streams.has_pending() {
            self.run_streams();
        }
    }

    /// The freshest committed metadata among running controllers: it stands for the
    /// cluster in the page's view and in exercise checks.
    pub(crate) fn freshest_image(&self) -> Option<&crate::metadata::MetadataImage> {
        self.servers
            .values()
            .filter(|s| s.running)
            .filter_map(|s| s.controller.as_ref())
            .map(|c| &c.image)
            .max_by_key(|i| i.applied_offset)
    }

    fn next_due(&self) -> Option<SimTime> {
        self.queue.peek().map(|Reverse(s)| s.at)
    }

    fn limit_reached(&self) -> bool {
        self.event_limit.is_some_and(|l| self.events_processed >= l)
    }

    /// Processes one event; false when nothing is scheduled (or the replay limit is hit).
    pub(crate) fn step(&mut self) -> bool {
        if self.limit_reached() {
            return false;
        }
        let Some(Reverse(next)) = self.queue.pop() else {
            return false;
        };
        assert!(next.at >= self.now, "time never goes back");
        self.now = next.at;
        self.events_processed += 1;
        match next.event {
            Event::Deliver(id) => {
                if let Some(env) = self.in_flight.remove(&id) {
                    // A restarted process never sees traffic meant for its previous run,
                    // and a cut drops what would cross it.
                    if self.incarnation(env.to) == env.to_incarnation && !self.net.is_cut(env.from, env.to) {
                        let input = Input::Message { from: env.from, correlation_id: env.correlation_id, msg: env.msg };
                        self.dispatch(env.to, input);
                    }
                }
            }
            Event::Input { to, input, incarnation } => {
                if self.incarnation(to) == incarnation {
                    self.dispatch(to, input);
                }
            }
        }
        if self.streams.has_pending() {
            self.run_streams();
        }
        if self.streams.commit_due(self.now) {
            self.commit_streams();
        }
        if self.check_invariants {
            let mut checker = std::mem::take(&mut self.invariants);
            checker.check(self);
            self.invariants = checker;
        }
        true
    }

    fn dispatch(&mut self, to: Addr, input: Input) {
        let rng = self.rngs.entry(to).or_insert_with(|| SimRng::for_stream(self.seed, stream_for(to)));
        let mut ctx = Ctx { now: self.now, rng, out: Vec::new() };
        match to {
            Addr::Node(id) => match self.servers.get_mut(&id) {
                Some(server) if server.running => server.handle(input, &mut ctx),
                _ => return,
            },
            Addr::Client(id) => match self.clients.get_mut(&id) {
                Some(client) => client.handle(input, &mut ctx),
                None => return,
            },
        }
        let out = ctx.out;
        self.apply_outputs(to, out);
    }

    fn incarnation(&self, addr: Addr) -> u32 {
        match addr {
            Addr::Node(id) => self.servers.get(&id).map_or(0, |s| s.incarnation),
            Addr::Client(_) => 0,
        }
    }

    fn actor_name(&self, addr: Addr) -> String {
        match addr {
            Addr::Node(id) => match self.servers.get(&id) {
                Some(s) if s.broker.is_some() => format!("Broker {}", id.0),
                _ => format!("Controller {}", id.0),
            },
            Addr::Client(id) => {
                self.clients.get(&id).map_or_else(|| format!("client {}", id.0), |c| c.client_id.clone())
            }
        }
    }

    /// Resolves `host:port` to the server listening there, as a TCP connect would.
    fn resolve(&self, host_port: &str) -> Option<NodeId> {
        let (host, port) = host_port.rsplit_once(':')?;
        let local = matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "");
        let port: u16 = port.parse().ok()?;
        if !local {
            return None;
        }
        self.servers.values().find(|s| s.accepts(port)).map(Server::node_id)
    }

    fn apply_outputs(&mut self, from: Addr, out: Vec<Output>) {
        for o in out {
            match o {
                Output::Send { to, correlation_id, msg } => {
                    let dest = match to {
                        Target::Addr(a) => Some(a),
                        Target::HostPort(hp) => match self.resolve(&hp) {
                            Some(id) => Some(Addr::Node(id)),
                            None => {
                                let input = Input::ConnectionRefused { target: hp };
                                let incarnation = self.incarnation(from);
                                self.schedule(self.now.plus_ms(1), Event::Input { to: from, input, incarnation });
                                None
                            }
                        },
                    };
                    // A client dialling a dead server gets a reset connection at once.
                    if let (Some(Addr::Node(n)), Addr::Client(_)) = (dest, from) {
                        if self.servers.get(&n).is_none_or(|s| !s.running) {
                            let incarnation = self.incarnation(from);
                            self.schedule(
                                self.now.plus_ms(1),
                                Event::Input { to: from, input: Input::Disconnected { node: n }, incarnation },
                            );
                            continue;
                        }
                    }
                    if let Some(to) = dest {
                        let to_incarnation = self.incarnation(to);
                        for env in self.net.send(self.now, from, to, to_incarnation, correlation_id, msg) {
                            let (id, at) = (env.id, env.arrives_at);
                            self.in_flight.insert(id, env);
                            self.schedule(at, Event::Deliver(id));
                        }
                    }
                }
                Output::SetTimer { after_ms, timer } => {
                    let incarnation = self.incarnation(from);
                    self.schedule(
                        self.now.plus_ms(after_ms),
                        Event::Input { to: from, input: Input::Timer(timer), incarnation },
                    );
                }
                Output::Trace(role, text) => {
                    let actor = match (role, from) {
                        (Role::Controller, Addr::Node(id)) => format!("Controller {}", id.0),
                        _ => self.actor_name(from),
                    };
                    self.trace.push(self.now.0, self.events_processed, &actor, &text);
                }
                Output::Log(line) => match from {
                    Addr::Node(id) => self.server_logs.push((id, line)),
                    Addr::Client(id) if self.streams.owns(id) => self.streams.deliver(id, ClientEvent::Log(line)),
                    Addr::Client(id) => self.notifications.push((id, ClientEvent::Log(line))),
                },
                Output::Notify(event) => match from {
                    // A Streams application's clients report to it, not to the console.
                    Addr::Client(id) if self.streams.owns(id) => self.streams.deliver(id, event),
                    Addr::Client(id) => self.notifications.push((id, event)),
                    Addr::Node(_) => {}
                },
            }
        }
    }
}

impl World {
    /// Processes the next event if it is due by `until`; false otherwise.
    pub(crate) fn step_until(&mut self, until: SimTime) -> bool {
        match self.next_due() {
            Some(at) if at <= until => self.step(),
            _ => false,
        }
    }
}

impl World {
    /// The random stream of one process, created on first use.
    pub(crate) fn rng_for(&mut self, addr: Addr) -> &mut SimRng {
        self.rngs.entry(addr).or_insert_with(|| SimRng::for_stream(self.seed, stream_for(addr)))
    }
}

impl World {
    /// Moves the clock to `at` when no replay limit holds it back (time passes even when
    /// nothing happens).
    pub(crate) fn set_clock_at_least(&mut self, at: SimTime) {
        if !self.limit_reached() && at > self.now {
            self.now = at;
        }
    }
}

impl World {
    /// `ksim kill`: the process stops at once; messages already sent still travel.
    pub(crate) fn kill(&mut self, node: NodeId) -> bool {
        match self.servers.get_mut(&node) {
            Some(s) if s.running => {
                s.crash();
                // Clients waiting on the dead server see their connections reset.
                let waiting: Vec<Addr> = self
                    .in_flight
                    .values()
                    .filter(|e| e.to == Addr::Node(node) && matches!(e.from, Addr::Client(_)))
                    .map(|e| e.from)
                    .collect();
                for client in waiting {
                    self.schedule(
                        self.now.plus_ms(1),
                        Event::Input { to: client, input: Input::Disconnected { node }, incarnation: 0 },
                    );
                }
                let actor = self.actor_name(Addr::Node(node));
                self.trace.push(
                    self.now.0,
                    self.events_processed,
                    &actor,
                    "was killed: its process stopped (its logs on disk survive)",
                );
                true
            }
            _ => false,
        }
    }

    /// `ksim restart`: a new process over the same disks, starting up from now.
    pub(crate) fn restart(&mut self, node: NodeId) -> bool {
        let Some(server) = self.servers.get(&node) else {
            return false;
        };
        if server.running {
            return false;
        }
        let addr = Addr::Node(node);
        let rng = self.rngs.entry(addr).or_insert_with(|| SimRng::for_stream(self.seed, stream_for(addr)));
        let Some(server) = self.servers.get_mut(&node) else {
            return false;
        };
        server.restart(rng);
        let incarnation = server.incarnation;
        self.schedule(self.now, Event::Input { to: addr, input: Input::Start, incarnation });
        true
    }

    /// Takes a message off the wire (the page's `Drop message`): its delivery finds
    /// nothing, as if the network lost it. False when it is not in flight.
    pub(crate) fn drop_message(&mut self, id: u64) -> bool {
        let Some(env) = self.in_flight.remove(&id) else {
            return false;
        };
        let text = format!(
            "the network dropped {} from {} to {} (dropped from the page)",
            env.msg.label(),
            self.actor_name(env.from),
            self.actor_name(env.to)
        );
        self.trace.push(self.now.0, self.events_processed, "Network", &text);
        true
    }

    pub(crate) fn net_mut(&mut self) -> &mut Network {
        &mut self.net
    }

    pub(crate) fn net(&self) -> &Network {
        &self.net
    }
}

impl World {
    /// A rough size in bytes of what a clone copies that grows with history or load (the
    /// partition logs' chunk pointers and open chunks, the event queue, the messages on the wire; the
    /// batches and the trace's chunks are shared), for the session's checkpoint budget.
    pub(crate) fn approx_bytes(&self) -> usize {
        let batches: usize = self
            .servers
            .values()
            .filter_map(|s| s.broker.as_ref())
            .flat_map(|b| b.replicas.partitions.values())
            .map(|h| h.log.batches().clone_bytes())
            .sum();
        batches
            + self.queue.len() * std::mem::size_of::<Reverse<Scheduled>>()
            + self.in_flight.len() * (std::mem::size_of::<Envelope>() + std::mem::size_of::<u64>())
    }
}
