//! Consumer groups: per group its state, generation, assignor and coordinator, a row per
//! partition with owner, position, commit and lag (first: it is what short screens must
//! show), its members and their partitions, and a sparkline of the group's total lag. The
//! panel collapses to its heading.

use yew::prelude::*;

use crate::components::panel_toggle::panel_toggle;

use crate::view_model::glossary;

use crate::view_model::groups::{
    sparkline_points, GroupModel, GroupPartitionRow, LagHistory, LAG_SAMPLES_MAX, LAG_SAMPLE_MS, LEADER_TOOLTIP,
};

const EMPTY_HINT: &str =
    "bin/kafka-console-consumer.sh --topic heart-rate-measures --group monitors --from-beginning --bootstrap-server localhost:9092 &";
const SPARK_WIDTH: u32 = 118;
const SPARK_HEIGHT: u32 = 22;

#[derive(Properties, PartialEq)]
pub struct GroupsPanelProps {
    pub groups: Vec<GroupModel>,
    /// Simulated time of the view: the lag history samples on it.
    pub now_ms: u64,
}

#[function_component]
pub fn GroupsPanel(props: &GroupsPanelProps) -> Html {
    let open = use_state(|| true);
    // Kept across renders and fed during render: it only depends on the props' history.
    let history = use_mut_ref(LagHistory::default);
    let lags: Vec<(String, u64)> = props.groups.iter().map(|g| (g.group_id.clone(), g.total_lag)).collect();
    history.borrow_mut().record(props.now_ms, &lags);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let note = match props.groups.len() {
        0 => "none yet".to_owned(),
        1 => "1 group".to_owned(),
        n => format!("{n} groups"),
    };
    let history = history.borrow();
    html! {
        <section
            class={classes!("panel", "groups", open.then_some("open"), props.groups.is_empty().then_some("empty"))}
            aria-labelledby="groups-heading"
        >
            <div class="panel-head">
                <h2 id="groups-heading">{"Consumer groups"}</h2>
                <span class="panel-note">{note}</span>
                {panel_toggle(*open, "groups-body", "consumer groups", toggle)}
            </div>
            if *open {
                <div class="panel-body" id="groups-body">
                    if props.groups.is_empty() {
                        // One line: the command is cut at the panel's edge but whole in the
                        // tooltip and when copied.
                        <p class="empty one-line" title={EMPTY_HINT}>
                            {"No groups yet. Start a consumer in one: "}
                            <code>{EMPTY_HINT}</code>
                        </p>
                    }
                    { for props.groups.iter().map(|g| group(g, &history.samples(&g.group_id))) }
                </div>
            }
        </section>
    }
}

fn group(g: &GroupModel, samples: &[u64]) -> Html {
    let spark_title = format!(
        "Total lag of group {} over the last {} s of simulated time: {} now",
        g.group_id,
        LAG_SAMPLES_MAX as u64 * LAG_SAMPLE_MS / 1000,
        g.total_lag
    );
    html! {
        <article class="group" key={g.group_id.clone()} aria-label={format!("Group {}", g.group_id)}>
            <div class="group-head">
                <h3 class="group-id" title={glossary::GROUP.sentence}>{&g.group_id}</h3>
                <span class={classes!("group-state", g.state_class)} title={g.state_tooltip}>{&g.state}</span>
                <span class="group-meta">
                    <span title={glossary::GENERATION.sentence}>{&g.generation}</span>
                    <span title="partition.assignment.strategy: how the group leader splits the partitions between the members">{&g.assignor}</span>
                    <span title={format!("{}\n{}", g.coordinator_tooltip, glossary::COORDINATOR.sentence)}>{&g.coordinator}</span>
                </span>
                <span class="group-lag" title={spark_title.clone()}>
                    <svg
                        class="lag-spark"
                        width={SPARK_WIDTH.to_string()}
                        height={SPARK_HEIGHT.to_string()}
                        viewBox={format!("0 0 {SPARK_WIDTH} {SPARK_HEIGHT}")}
                        role="img"
                        aria-label={spark_title}
                    >
                        <line class="spark-base" x1="0" x2={SPARK_WIDTH.to_string()} y1={(SPARK_HEIGHT - 1).to_string()} y2={(SPARK_HEIGHT - 1).to_string()} />
                        <polyline points={sparkline_points(samples, SPARK_WIDTH, SPARK_HEIGHT)} />
                    </svg>
                    <span class={classes!("lag-total", (g.total_lag > 0).then_some("lagging"))} title={glossary::LAG.sentence}>{format!("lag {}", g.total_lag)}</span>
                </span>
            </div>
            if !g.partitions.is_empty() {
                { partition_table("group-partitions", None, &g.partitions) }
            }
            if g.more_partitions > 0 {
                <p class="more-rows">{format!("… and {} more partitions (the Kafka UI's Consumers tab lists them all)", g.more_partitions)}</p>
            }
            if g.members.is_empty() {
                <p class="no-members">{"No members: the group keeps its committed offsets."}</p>
            } else {
                <ul class="members" aria-label={format!("Members of {}", g.group_id)}>
                    { for g.members.iter().map(|m| html! {
                        <li class="member" key={m.member_id.clone()}>
                            <span class="member-client">{&m.client_id}</span>
                            <code class="member-id" title={format!("member id {}", m.member_id)}>{&m.short_id}</code>
                            if m.leader {
                                <span class="leader-tag" title={LEADER_TOOLTIP}>{"leader"}</span>
                            }
                            <span class="member-partitions">
                                if m.partitions.is_empty() {
                                    <span class="no-partitions">{"no partitions"}</span>
                                }
                                { for m.partitions.iter().map(|p| html! { <span class="chip">{p}</span> }) }
                            </span>
                        </li>
                    }) }
                    if g.more_members > 0 {
                        <li class="more-rows">{format!("… and {} more members", g.more_members)}</li>
                    }
                </ul>
            }
        </article>
    }
}

/// A group's partitions: Partition · Owner · Position · Committed · Log end · Lag, lagging
/// rows marked. Shared by the groups panel and the Kafka UI's group detail.
pub fn partition_table(class: &'static str, label: Option<String>, rows: &[GroupPartitionRow]) -> Html {
    html! {
        <table {class} aria-label={label}>
            <thead>
                <tr>
                    <th scope="col">{"Partition"}</th>
                    <th scope="col">{"Owner"}</th>
                    <th scope="col" class="num" title={glossary::POSITION.sentence}>{"Position"}</th>
                    <th scope="col" class="num" title={glossary::COMMITTED_OFFSET.sentence}>{"Committed"}</th>
                    <th scope="col" class="num" title="The partition's high watermark, as kafka-consumer-groups.sh shows LOG-END-OFFSET">{"Log end"}</th>
                    <th scope="col" class="num" title={glossary::LAG.sentence}>{"Lag"}</th>
                </tr>
            </thead>
            <tbody>
                { for rows.iter().map(|r| html! {
                    <tr key={r.name.clone()} class={classes!(r.lagging.then_some("lagging"))}>
                        <th scope="row">{&r.name}</th>
                        <td class="owner" title={r.owner_tooltip.clone()}>{&r.owner}</td>
                        <td class="num">{&r.position}</td>
                        <td class="num">{&r.committed}</td>
                        <td class="num">{&r.log_end}</td>
                        <td class="num lag">{&r.lag}</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
