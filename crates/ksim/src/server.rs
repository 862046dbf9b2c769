//! A Kafka server process (`kafka-server-start.sh`): a broker, a controller, or both
//! sharing one host and one `node.id`, as `process.roles` says.

use crate::broker::{Broker, BrokerState, TopicDefaults};
use crate::config::ServerConfig;
use crate::controller::Controller;
use crate::ids::{Addr, NodeId, Uuid};
use crate::metadata::Endpoint;
use crate::node::{Ctx, Input, Level, Timer};
use crate::protocol::Msg;
use crate::rng::SimRng;

pub(crate) struct Server {
    pub(crate) config: ServerConfig,
    pub(crate) broker: Option<Broker>,
    pub(crate) controller: Option<Controller>,
    /// False after a crash or shutdown; the process ignores everything until restarted.
    pub(crate) running: bool,
}

impl Server {
    /// `voters` comes from the formatted metadata directory (the `--standalone` voter set)
    /// or from `controller.quorum.voters`.
    pub(crate) fn new(config: ServerConfig, voters: Vec<NodeId>, rng: &mut SimRng) -> Server {
        let node_id = config.node_id;
        let controller = config.controller.then(|| {
            Controller::new(
                node_id,
                voters,
                config.num_partitions,
                config.default_replication_factor,
            )
        });
        let broker = config.broker.then(|| {
            let endpoints = config
                .listeners
                .iter()
                .filter(|l| !config.controller_listener_names.contains(&l.name))
                .map(|l| Endpoint {
                    name: l.name.clone(),
                    host: "localhost".to_string(),
                    port: l.port,
                })
                .collect();
            let controller_address = config
                .controller_addresses()
                .into_iter()
                .next()
                .unwrap_or_default();
            let defaults = TopicDefaults {
                static_topic_configs: config.static_topic_configs(),
                num_partitions: config.num_partitions,
                default_replication_factor: config.default_replication_factor,
                auto_create_topics_enable: config.auto_create_topics_enable,
            };
            Broker::new(
                node_id,
                Uuid::random(rng),
                endpoints,
                controller_address,
                defaults,
            )
        });
        Server {
            config,
            broker,
            controller,
            running: true,
        }
    }

    pub(crate) fn node_id(&self) -> NodeId {
        self.config.node_id
    }

    /// Whether a client dialling `port` reaches this process: the controller listener once
    /// started, the broker listener once the broker is RUNNING (Kafka enables request
    /// processing on client listeners only at the end of start-up).
    pub(crate) fn accepts(&self, port: u16) -> bool {
        if !self.running {
            return false;
        }
        let controller_port = self
            .config
            .port_of(true)
            .filter(|_| self.controller.is_some());
        let broker_port = self.config.port_of(false).filter(|_| {
            self.broker
                .as_ref()
                .is_some_and(|b| b.state == BrokerState::Running)
        });
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
                    ctx.log(Level::Info, format!("[ControllerServer id={id}] Starting controller (kafka.server.ControllerServer)"));
                    c.start(ctx);
                }
                match &mut self.broker {
                    Some(b) => b.start(ctx),
                    None => ctx.log(Level::Info, format!("[KafkaRaftServer nodeId={id}] Kafka Server started (kafka.server.KafkaRaftServer)")),
                }
            }
            Input::Message {
                from,
                correlation_id,
                msg,
            } => {
                if is_for_controller(from, &msg) {
                    if let Some(c) = &mut self.controller {
                        c.handle_request(from, correlation_id, msg, ctx);
                    }
                } else if let Some(b) = &mut self.broker {
                    b.handle_message(from, correlation_id, msg, ctx);
                }
            }
            Input::ConnectionRefused { .. } => {
                if let Some(b) = &mut self.broker {
                    b.on_connection_refused(ctx);
                }
            }
            Input::Timer(Timer::DelayedFetch) => {
                if let Some(c) = &mut self.controller {
                    c.on_timer(ctx);
                }
                if let Some(b) = &mut self.broker {
                    b.on_timer(Timer::DelayedFetch, ctx);
                }
            }
            Input::Timer(timer) => {
                if let Some(b) = &mut self.broker {
                    b.on_timer(timer, ctx);
                }
            }
        }
    }
}

/// Requests for the controller listener: broker lifecycle, metadata replication, and admin
/// requests forwarded by a broker (a client's own admin request goes to a broker first).
fn is_for_controller(from: Addr, msg: &Msg) -> bool {
    match msg {
        Msg::BrokerRegistrationRequest { .. }
        | Msg::BrokerHeartbeatRequest { .. }
        | Msg::MetadataFetchRequest { .. } => true,
        Msg::CreateTopicsRequest { .. } | Msg::DeleteTopicsRequest { .. } => {
            matches!(from, Addr::Node(_))
        }
        _ => false,
    }
}
