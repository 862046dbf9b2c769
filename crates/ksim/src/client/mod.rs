//! Client processes started from the console: the Admin client, the producer and the
//! consumer, each a state machine that speaks the protocol to the brokers.

pub(crate) mod admin;
pub(crate) mod consumer;
pub(crate) mod consumer_membership;
pub(crate) mod producer;

use crate::node::{Ctx, Input, Level};
use crate::view::ClientKind;

#[derive(Clone)]
pub(crate) enum ClientRole {
    Admin(Box<admin::Admin>),
    Producer(Box<producer::Producer>),
    Consumer(Box<consumer::Consumer>),
}

#[derive(Clone)]
pub(crate) struct Client {
    /// Kafka's `client.id`.
    pub(crate) client_id: String,
    pub(crate) role: ClientRole,
    pub(crate) alive: bool,
}

impl Client {
    pub(crate) fn kind(&self) -> ClientKind {
        match self.role {
            ClientRole::Admin(_) => ClientKind::Admin,
            ClientRole::Producer(_) => ClientKind::Producer,
            ClientRole::Consumer(_) => ClientKind::Consumer,
        }
    }

    /// The `bootstrap.servers` the client was started with.
    pub(crate) fn bootstrap_servers(&self) -> Vec<String> {
        match &self.role {
            ClientRole::Admin(a) => a.bootstrap_servers(),
            ClientRole::Producer(p) => p.bootstrap_servers(),
            ClientRole::Consumer(c) => c.bootstrap_servers(),
        }
    }

    /// Ctrl-C: a consumer commits and leaves its group first; the others stop at once.
    pub(crate) fn close(&mut self, ctx: &mut Ctx) {
        self.alive = match &mut self.role {
            ClientRole::Consumer(c) if self.alive => c.close(ctx),
            _ => false,
        };
    }

    pub(crate) fn handle(&mut self, input: Input, ctx: &mut Ctx) {
        if !self.alive {
            return;
        }
        let still_alive = match &mut self.role {
            ClientRole::Admin(a) => a.handle(input, ctx),
            ClientRole::Producer(p) => p.handle(input, ctx),
            ClientRole::Consumer(c) => c.handle(input, ctx),
        };
        self.alive = still_alive;
    }
}

/// Connection bookkeeping shared by every client: the bootstrap list and the
/// `reconnect.backoff.ms` policy.
#[derive(Clone, Debug)]
pub(crate) struct Bootstrap {
    pub(crate) servers: Vec<String>,
    /// Which bootstrap server the next attempt dials.
    next: usize,
    failures: u32,
    /// The log prefix, e.g. `[Producer clientId=console-producer]`.
    log_tag: String,
}

/// `reconnect.backoff.ms` and `reconnect.backoff.max.ms`.
const RECONNECT_BACKOFF_MS: u64 = 50;
const RECONNECT_BACKOFF_MAX_MS: u64 = 1000;

impl Bootstrap {
    pub(crate) fn new(servers: Vec<String>, log_tag: String) -> Bootstrap {
        Bootstrap { servers, next: 0, failures: 0, log_tag }
    }

    pub(crate) fn current(&self) -> String {
        self.servers.get(self.next % self.servers.len().max(1)).cloned().unwrap_or_default()
    }

    pub(crate) fn connected(&mut self) {
        self.failures = 0;
    }

    /// Logs the refusal (once, as repeats add nothing for a student) and returns the
    /// backoff before the next attempt, doubling up to the maximum.
    pub(crate) fn refused(&mut self, target: &str, ctx: &mut Ctx) -> u64 {
        if self.failures == 0 {
            let (host, port) = target.rsplit_once(':').unwrap_or((target, ""));
            ctx.log(
                Level::Warn,
                format!(
                    "{} Connection to node -1 ({host}/127.0.0.1:{port}) could not be established. Node may not be available. (org.apache.kafka.clients.NetworkClient)",
                    self.log_tag
                ),
            );
        }
        self.failures += 1;
        self.next += 1;
        let shift = self.failures.min(5) - 1;
        (RECONNECT_BACKOFF_MS << shift).min(RECONNECT_BACKOFF_MAX_MS)
    }
}
