//! The page: one reducer over the session, the play loop, and the panels.

use yew::prelude::*;

use crate::components::banner::Banner;
use crate::components::classroom_bar::ClassroomBar;
use crate::components::cluster_diagram::ClusterDiagram;
use crate::components::connect_panel::ConnectPanel;
use crate::components::console::Console;
use crate::components::groups_panel::GroupsPanel;
use crate::components::help_overlay::HelpOverlay;
use crate::components::kafka_ui::KafkaUi;
use crate::components::message_inspector::MessageInspector;
use crate::components::narration_panel::NarrationPanel;
use crate::components::node_inspector::NodeInspector;
use crate::components::top_bar::TopBar;
use crate::components::topic_panel::TopicPanel;
use crate::components::welcome::Welcome;
use crate::hooks::play_loop::use_play_loop;
use crate::hooks::shortcuts::use_shortcuts;
use crate::playground::{Action, Playground};
use crate::view_model::connect::connectors;
use crate::view_model::console_lines::{scrollback, SCROLLBACK_LINES_MAX};
use crate::view_model::diagram::diagram;
use crate::view_model::groups::{groups, GROUP_ROWS_SHOWN_MAX};
use crate::view_model::inspector::inspector;
use crate::view_model::log_strip::{records_per_partition, RECORDS_SHOWN_MAX};
use crate::view_model::message::message_details;
use crate::view_model::narration::{dropped_note, narration, NARRATION_ENTRIES_MAX};
use crate::view_model::streams::TABLE_ROWS_MAX;
use crate::view_model::time_format::sim_offset;
use crate::view_model::timeline::timeline;
use crate::view_model::topics::{page_partitions, topics, TopicScrolls};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub seed: u64,
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    let seed = props.seed;
    let state = use_reducer(move || Playground::new(seed));
    let dispatcher = state.dispatcher();
    // Memoized on the dispatcher (stable for the page's life) so children's props stay
    // equal between frames and Yew can skip re-rendering them.
    let on_action = use_callback(dispatcher.clone(), |action, d| d.dispatch(action));
    let on_advance = use_callback(dispatcher, |by_ms, d| d.dispatch(Action::Advance { by_ms }));
    use_play_loop(state.playing, state.speed.factor(), on_advance);
    use_shortcuts(state.playing, on_action.clone());
    // The Kafka UI view: page state only, so the reducer and replays never see it.
    let kafka_ui_open = use_state(|| false);
    let on_kafka_ui = {
        let open = kafka_ui_open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let close_kafka_ui = {
        let open = kafka_ui_open.clone();
        Callback::from(move |()| open.set(false))
    };

    // Where the student scrolled the strips (partition name → first offset) and which page
    // of each topic's partitions is shown: page state, like the Kafka UI's.
    let anchors = use_state(ksim::vec_map::VecMap::<String, u64>::new);
    let pages = use_state(ksim::vec_map::VecMap::<String, usize>::new);
    let on_scroll = {
        let anchors = anchors.clone();
        Callback::from(move |(name, offset): (String, Option<u64>)| {
            let mut next = (*anchors).clone();
            match offset {
                Some(offset) => next.insert(name, offset),
                None => next.remove(&name),
            };
            anchors.set(next);
        })
    };
    let on_page = {
        let pages = pages.clone();
        Callback::from(move |(topic, page): (String, usize)| {
            let mut next = (*pages).clone();
            next.insert(topic, page);
            pages.set(next);
        })
    };
    // Partitions in the last snapshot: a big cluster gets fewer records per partition.
    let partitions_seen = use_mut_ref(|| 0_usize);

    let session = state.session();
    // Only the records a strip can show: the snapshot's cost stays flat as logs grow, and
    // with many partitions it holds fewer each (the strips on screen read their own window).
    let per_partition = records_per_partition(*partitions_seen.borrow());
    let mut view = session.view_recent(per_partition);
    // Streams applications and their stores' rows only while the Kafka UI shows them.
    if *kafka_ui_open {
        view.streams = session.streams_view(TABLE_ROWS_MAX);
    }
    let view = std::rc::Rc::new(view);
    *partitions_seen.borrow_mut() = view.topics.iter().map(|t| t.partitions.len()).sum();
    let scrolls = {
        let mut windows = ksim::vec_map::VecMap::new();
        // The strips on screen that the snapshot holds too few records for, or scrolled back.
        for (topic, partition) in page_partitions(&view, &pages) {
            let name = format!("{topic}-{partition}");
            let from = anchors.get(&name).copied();
            if from.is_some() || per_partition < RECORDS_SHOWN_MAX {
                if let Some(w) = session.log_window(&topic, partition, from, RECORDS_SHOWN_MAX) {
                    windows.insert(name, w);
                }
            }
        }
        TopicScrolls { windows, pages: (*pages).clone() }
    };
    let wall_clock = session.wall_clock();
    let offset = sim_offset(session.now_ms());
    let prompt = session.prompt();
    let can_step_back = session.can_step_back();
    let lines = scrollback(session.output(), state.console_from, SCROLLBACK_LINES_MAX);
    let narration = narration(session.trace(), NARRATION_ENTRIES_MAX);
    let dropped = dropped_note(session.trace());
    // Gone if stepping back went before the node existed.
    let inspected = state.inspected.and_then(|id| inspector(&view, id));
    let timeline = timeline(session.events_processed(), session.present_events(), session.in_the_past());
    let message = state.selected_message.map(|id| message_details(&view, id));
    drop(session);
    let covered = inspected.is_some() || message.is_some();
    // The node inspector and a message's details go over it while they are open.
    let kafka_ui = (*kafka_ui_open && !covered).then(|| view.clone());

    html! {
        <div class="app">
            <TopBar
                seed={seed}
                {wall_clock}
                {offset}
                playing={state.playing}
                speed={state.speed}
                latency_ms={state.latency_ms}
                {can_step_back}
                {timeline}
                on_action={on_action.clone()}
            />
            <div class="banner-row">
                <Banner ready={prompt == "$ "} on_action={on_action.clone()} />
                <ClassroomBar state={state.clone()} version={state.version} />
            </div>
            <Welcome ready={prompt == "$ "} on_action={on_action.clone()} />
            if state.help_open {
                <HelpOverlay on_action={on_action.clone()} />
            }
            <main class="workspace">
                <ClusterDiagram
                    diagram={diagram(&view)}
                    inspected={inspected.as_ref().map(|i| i.node_id)}
                    selected_message={state.selected_message}
                    cuts={view.cuts.clone()}
                    on_action={on_action.clone()}
                />
                // The inspector takes the topic panel's place; the panel stays mounted
                // (hidden) so it keeps its scroll position.
                <TopicPanel topics={topics(&view, RECORDS_SHOWN_MAX, &scrolls)} {covered} on_kafka_ui={on_kafka_ui.clone()} {on_scroll} {on_page} />
                if let Some(view) = kafka_ui {
                    <KafkaUi {view} on_close={close_kafka_ui} />
                }
                if let Some(inspector) = inspected {
                    <NodeInspector {inspector} on_action={on_action.clone()} />
                }
                if let Some(details) = message {
                    <MessageInspector {details} on_action={on_action.clone()} />
                }
                // Kafka Connect shares the groups' cell, under them, while a worker runs.
                <div class="side-stack">
                    <GroupsPanel groups={groups(&view.groups, GROUP_ROWS_SHOWN_MAX)} now_ms={view.now_ms} />
                    if !view.connectors.is_empty() {
                        <ConnectPanel connectors={connectors(&view)} />
                    }
                </div>
                <Console {lines} {prompt} on_action={on_action.clone()} />
                <NarrationPanel items={narration} {dropped} {on_action} />
            </main>
        </div>
    }
}
