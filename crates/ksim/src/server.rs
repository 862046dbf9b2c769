//! A Kafka server process (`kafka-server-start.sh`): a broker, a controller, or both
//! sharing one host and one `node.id`, as `process.roles` says. A crash loses what the
//! process held in memory; its logs on disk survive a restart.

use crate::broker::{Broker, BrokerDisk, BrokerState, TopicDefaults};
use crate::config::ServerConfig;
use crate::controller::{Controller, QuorumIdentity};
use crate::ids::{Addr, NodeId, Uuid};
use crate::metadata::Endpoint;
use crate::node::{Ctx, Input, Level, Timer};
use crate::protocol::Msg;
use crate::raft::RaftDisk;
use crate::rng::SimRng;

#[derive(Clone)]
pub(crate) struct Server {
    pub(crate) config: ServerConfig,
    pub(crate) identity: QuorumIdentity,
    pub(crate) broker: Option<Broker>,
    pub(crate) controller: Option<Controller>,
    /// False after a crash; the process ignores everything until restarted.
    pub(crate) running: bool,
    /// Counts restarts, so timers and connections of an earlier run are ignored.
    pub(crate) incarnation: u32,
}

impl Server {
    /// `identity` comes from the formatted log directory (cluster id, directory id, and the
    /// initial voters of a dynamic quorum) and `controller.quorum.voters`.
    pub(crate) fn new(config: ServerConfig, identity: QuorumIdentity, rng: &mut SimRng) -> Server {
        let mut server = Server { config, identity, broker: None, controller: None, running: true, incarnation: 0 };
        server.build(RaftDisk::default(), BrokerDisk::default(), rng);
        server
    }

    fn build(&mut self, controller_disk: RaftDisk, broker_disk: BrokerDisk, rng: &mut SimRng) {
        let config = &self.config;
        let node_id = config.node_id;
        self.controller = config.controller.then(|| {
            Controller::new(
                node_id,
                self.identity.clone(),
                controller_disk,
                config.num_partitions,
                config.default_replication_factor,
                config.timing,
            )
        });
        self.broker = config.broker.then(|| {
            let endpoints = config
                .listeners
                .iter()
                .filter(|l| !config.controller_listener_names.contains(&l.name))
                .map(|l| Endpoint { name: l.name.clone(), host: "localhost".to_string(), port: l.port })
                .collect();
            let defaults = TopicDefaults {
                log_dir: config.log_dirs.first().cloned().unwrap_or_default(),
                static_props: config.raw.clone(),
                num_partitions: config.num_partitions,
                default_replication_factor: config.default_replication_factor,
                auto_create_topics_enable: config.auto_create_topics_enable,
                timing: config.timing,
            };
            // A combined server shares its controller's Raft log, as Kafka's SharedServer does.
            let bootstrap = (!config.controller).then(|| config.controller_addresses());
            Broker::new(
                node_id,
                self.identity.directory_id,
                Uuid::random(rng),
                endpoints,
                bootstrap,
                broker_disk,
                defaults,
            )
        });
    }

    pub(crate) fn node_id(&self) -> NodeId {
        self.config.node_id
    }

    /// `ksim kill`: the process dies; what it wrote to disk stays.
    pub(crate) fn crash(&mut self) {
        self.running = false;
    }

    /// `ksim restart`: a new process over the same disks.
    pub(crate) fn restart(&mut self, rng: &mut SimRng) {
        let controller_disk = self.controller.take().map(|c| c.raft.disk).unwrap_or_default();
        let broker_disk = self.broker.take().map(Broker::into_disk).unwrap_or_default();
        self.build(controller_disk, broker_disk, rng);
        self.running = true;
        self.incarnation += 1;
    }

    /// Whether a client dialling `port` reaches this process: the controller listener once
    /// started, the broker listener once the broker is RUNNING (Kafka enables request
    /// processing on client listeners only at the end of start-up).
    pub(crate) fn accepts(&self, port: u16) -> bool {
        if !self.running {
            return false;
        }
        let controller_port = self.config.port_of(true).filter(|_| self.controller.is_some());
        let broker_port = self
            .config
            .port_of(false)
            .filter(|_| self.broker.as_ref().is_some_and(|b| b.state == BrokerState::Running));
        controller_port == Some(port) || broker_port == Some(port)
    }

    pub(crate) fn handle(&mut self, input: Input, ctx: &mut Ctx) {
        match input {
            Input::Start => {
                let id = self.node_id().0;
                let roles = match (self.broker.is_some(), self.controller.is_some()) {
                    (true, true) => "broker,controller",
                    (true, false) => "broker",
                    _ => "controller",
                };
                ctx.log(Level::Info, format!("[KafkaRaftServer nodeId={id}] Starting Kafka with process.roles={roles} (kafka.server.KafkaRaftServer)"));
                if let Some(c) = &mut self.controller {
                    ctx.log(
                        Level::Info,
                        format!("[ControllerServer id={id}] Starting controller (kafka.server.ControllerServer)"),
                    );
                    c.start(ctx);
                }
                match &mut self.broker {
                    Some(b) => b.start(ctx),
                    None => ctx.log(
                        Level::Info,
                        format!("[KafkaRaftServer nodeId={id}] Kafka Server started (kafka.server.KafkaRaftServer)"),
                    ),
                }
            }
            Input::Message { from, correlation_id, msg } => match (&mut self.controller, &mut self.broker) {
                (Some(c), _) if is_for_controller(from, &msg) => c.handle(from, correlation_id, msg, ctx),
                (_, Some(b)) => b.handle_message(from, correlation_id, msg, ctx),
                _ => {}
            },
            // Servers notice lost peers through their own timeouts.
            Input::Disconnected { .. } => {}
            Input::ConnectionRefused { .. } => {
                if let Some(b) = &mut self.broker {
                    b.on_connection_refused(ctx);
                }
            }
            Input::Timer(Timer::Raft) => match &mut self.controller {
                Some(c) => c.on_raft_timer(ctx),
                None => {
                    if let Some(b) = &mut self.broker {
                        b.on_timer(Timer::Raft, ctx);
                    }
                }
            },
            Input::Timer(Timer::LeaderRebalance) => {
                if let Some(c) = &mut self.controller {
                    c.on_leader_rebalance(ctx);
                }
            }
            Input::Timer(Timer::FenceCheck) => {
                if let Some(c) = &mut self.controller {
                    c.on_fence_check(ctx);
                }
            }
            Input::Timer(timer) => {
                if let Some(b) = &mut self.broker {
                    b.on_timer(timer, ctx);
                }
            }
        }
        // A combined server's broker reads the shared metadata log after every change.
        if let (Some(c), Some(b)) = (&self.controller, &mut self.broker) {
            b.follow_colocated(&c.raft.disk.log, c.raft.high_watermark, c.raft.leader_id, ctx);
        }
    }
}

/// Requests for the controller listener: Raft, broker lifecycle, and admin requests
/// forwarded by a broker (a client's own admin request goes to a broker first).
fn is_for_controller(from: Addr, msg: &Msg) -> bool {
    match msg {
        Msg::BrokerRegistrationRequest { .. }
        | Msg::BrokerHeartbeatRequest { .. }
        | Msg::MetadataFetchRequest { .. }
        | Msg::VoteRequest { .. }
        | Msg::VoteResponse { .. }
        | Msg::BeginQuorumEpochRequest { .. }
        | Msg::BeginQuorumEpochResponse { .. }
        | Msg::EndQuorumEpochRequest { .. }
        | Msg::EndQuorumEpochResponse { .. }
        | Msg::DescribeQuorumRequest
        | Msg::AlterPartitionRequest { .. } => true,
        Msg::AlterConfigsRequest { .. }
        | Msg::CreatePartitionsRequest { .. }
        | Msg::ElectLeadersRequest { .. }
        | Msg::AlterPartitionReassignmentsRequest { .. }
        | Msg::ListPartitionReassignmentsRequest => {
            matches!(from, Addr::Node(_))
        }
        // A controller's own fetch comes back to its Raft; a broker-only process's to its observer.
        Msg::MetadataFetchResponse { .. } => true,
        Msg::CreateTopicsRequest { .. } | Msg::DeleteTopicsRequest { .. } => {
            matches!(from, Addr::Node(_))
        }
        _ => false,
    }
}
