//! The one-line reminder of what this is and where to start, with one-click starts: the
//! lesson's first command, or a whole cluster to break.

use yew::prelude::*;

use crate::playground::Action;

/// The lesson's first command (course notes, lesson 9, step 1).
pub const FIRST_COMMAND: &str = "KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)";
/// A cluster with a quorum and three brokers: enough to watch elections and failover.
const CLUSTER_COMMAND: &str = "ksim start-cluster --brokers 3 --controllers 3";
const SIMPLIFIED: &str = "Simplified here: one machine with a few ms of network latency; a consumer reads one \
                          topic; a group's new coordinator keeps its offsets but its members rejoin; no \
                          transactions; no Raft snapshots. Type `help` in the console for the tools.";

#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// True while the console waits for a shell command (the buttons type one).
    pub ready: bool,
    pub on_action: Callback<Action>,
}

#[function_component]
pub fn Banner(props: &BannerProps) -> Html {
    let run = |line: &'static str| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Input(line.to_owned())))
    };
    html! {
        <div class="banner">
            <span title={SIMPLIFIED}>{"Simulated: one machine, virtual time."}</span>
            <span class="banner-hint">
                {"Start with "}
                <button
                    type="button"
                    class="banner-command"
                    title="Type this command into the console"
                    disabled={!props.ready}
                    onclick={run(FIRST_COMMAND)}
                >
                    <code>{FIRST_COMMAND}</code>
                </button>
                {" or "}
                <button
                    type="button"
                    class="banner-command"
                    title="A formatted, started KRaft cluster: 3 controllers and 3 brokers"
                    disabled={!props.ready}
                    onclick={run(CLUSTER_COMMAND)}
                >
                    {"start a 3 + 3 cluster"}
                </button>
            </span>
        </div>
    }
}
