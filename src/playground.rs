//! The page's one piece of state: the simulation session plus how the page drives it.
//! Every gesture becomes an `Action`; the play loop is the only source of `Advance`.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use ksim::Session;
use yew::Reducible;

/// Simulated time per real time while playing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    Quarter,
    One,
    Four,
    Sixteen,
}

impl Speed {
    pub const ALL: [Speed; 4] = [Speed::Quarter, Speed::One, Speed::Four, Speed::Sixteen];

    pub fn factor(self) -> f64 {
        match self {
            Speed::Quarter => 0.25,
            Speed::One => 1.0,
            Speed::Four => 4.0,
            Speed::Sixteen => 16.0,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Speed::Quarter => "0.25×",
            Speed::One => "1×",
            Speed::Four => "4×",
            Speed::Sixteen => "16×",
        }
    }

    /// The `<option>` value, parsed back by `from_value`.
    pub fn value(self) -> &'static str {
        match self {
            Speed::Quarter => "0.25",
            Speed::One => "1",
            Speed::Four => "4",
            Speed::Sixteen => "16",
        }
    }

    pub fn from_value(value: &str) -> Option<Speed> {
        Speed::ALL.into_iter().find(|s| s.value() == value)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A console line submitted with Enter, exactly as typed.
    Input(String),
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-D.
    EndOfInput,
    Step,
    StepBack,
    /// Simulated time passing; sent by the play loop only.
    Advance {
        by_ms: u64,
    },
    Play,
    Pause,
    SetSpeed(Speed),
    /// The "Network latency" select: runs `ksim latency Nms` beside the console.
    SetLatency(u64),
    /// A fault button: a `ksim …` command run beside whatever holds the console.
    Control(String),
    /// Ctrl-L: clears the console view; the session keeps its output.
    ClearConsole,
    /// A click (or Enter/Space) on a server box: opens its inspector, or closes it if open.
    Inspect(u32),
    /// The inspector's close button, or Escape.
    CloseInspector,
    /// A click on a narration line, or the timeline moved: the state just after that many
    /// events.
    TravelTo(u64),
    /// `Fork from here`: the moment shown becomes the present; the old future is dropped.
    ForkHere,
    /// A click (or Enter/Space) on a message in flight: shows its details, or hides them
    /// if shown.
    SelectMessage(u64),
    /// `Drop message`: the network loses it (a logged input, so replay loses it again).
    DropMessage(u64),
    /// `?`: shows or hides the keyboard shortcuts.
    ToggleHelp,
    /// Exercises, share links, session files (`classroom.rs`).
    Classroom(crate::classroom::ClassroomAction),
}

#[derive(Clone)]
pub struct Playground {
    /// `Session` is neither `Clone` nor cheap to copy, so each reduced state shares it
    /// and `version` tells Yew that it changed.
    session: Rc<RefCell<Session>>,
    pub version: u64,
    pub playing: bool,
    pub speed: Speed,
    /// Index of the first output line shown, moved by Ctrl-L.
    pub console_from: usize,
    /// The network latency last set with `ksim latency` (the core's default is 2 ms).
    pub latency_ms: u64,
    /// The node whose inspector is open.
    pub inspected: Option<u32>,
    /// The message in flight whose details are shown (in the inspector's place).
    pub selected_message: Option<u64>,
    /// The keyboard-shortcut help is shown.
    pub help_open: bool,
    pub classroom: crate::classroom::Classroom,
}

/// The latencies the "Network latency" select offers, in ms: real-ish, slow, slower.
pub const LATENCIES_MS: [u64; 3] = [2, 50, 200];

/// `ksim latency 150ms` → 150, for a line as typed; other lines → `None`.
fn latency_of(line: &str) -> Option<u64> {
    let mut words = line.split_whitespace();
    if (words.next(), words.next()) != (Some("ksim"), Some("latency")) {
        return None;
    }
    let value = words.next()?;
    if words.next().is_some() {
        return None;
    }
    let (number, scale) = match value.strip_suffix("ms") {
        Some(n) => (n, 1),
        None => (value.strip_suffix('s')?, 1000),
    };
    number.parse::<u64>().ok().map(|n| n * scale)
}

impl Playground {
    /// A fresh session, playing at 1× so typed commands run as in a terminal.
    pub fn new(seed: u64) -> Playground {
        Playground {
            session: Rc::new(RefCell::new(Session::new(seed))),
            version: 0,
            playing: true,
            speed: Speed::One,
            console_from: 0,
            latency_ms: LATENCIES_MS[0],
            inspected: None,
            selected_message: None,
            help_open: false,
            classroom: Default::default(),
        }
    }

    /// Borrowed for one render; reducers borrow it mutably only between renders.
    pub fn session(&self) -> Ref<'_, Session> {
        self.session.borrow()
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        {
            let cell = Rc::clone(&next.session);
            let mut session = cell.borrow_mut();
            match action {
                Action::Input(line) => {
                    // Only at the shell prompt is the line a command rather than a job's stdin.
                    if session.prompt() == "$ " {
                        if let Some(ms) = latency_of(&line) {
                            next.latency_ms = ms;
                        }
                    }
                    session.input(&line);
                }
                Action::SetLatency(ms) => {
                    next.latency_ms = ms;
                    session.control(&format!("ksim latency {ms}ms"));
                }
                Action::Control(line) => session.control(&line),
                Action::Interrupt => session.interrupt(),
                Action::EndOfInput => session.end_of_input(),
                // Stepping is for looking closely: it pauses, as a debugger does.
                Action::Step => {
                    next.playing = false;
                    session.step();
                }
                Action::StepBack => {
                    next.playing = false;
                    session.step_back();
                }
                Action::TravelTo(events) => {
                    next.playing = false;
                    session.travel_to(events);
                }
                // A frame scheduled before Pause may still report; it must not move time.
                Action::Advance { by_ms } if next.playing => session.advance(by_ms),
                Action::Advance { .. } => return self,
                Action::Play => next.playing = true,
                Action::Pause => next.playing = false,
                Action::SetSpeed(speed) => next.speed = speed,
                Action::ClearConsole => next.console_from = session.output().len(),
                Action::Inspect(node) if next.inspected == Some(node) => next.inspected = None,
                Action::Inspect(node) => {
                    next.inspected = Some(node);
                    next.selected_message = None;
                }
                Action::CloseInspector => {
                    next.inspected = None;
                    next.selected_message = None;
                    next.help_open = false;
                }
                Action::ToggleHelp => next.help_open = !next.help_open,
                Action::ForkHere => {
                    next.playing = false;
                    session.fork_here();
                }
                Action::SelectMessage(id) if next.selected_message == Some(id) => next.selected_message = None,
                // Looking at one message pauses, or it would arrive while being read.
                Action::SelectMessage(id) => {
                    next.playing = false;
                    next.selected_message = Some(id);
                    next.inspected = None;
                }
                Action::DropMessage(id) => {
                    next.playing = false;
                    session.drop_message(id);
                }
                Action::Classroom(action) => crate::classroom::apply(&mut next, &mut session, action),
            }
            crate::classroom::after_action(&mut next, &session);
        }
        next.version += 1;
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::console_lines::{scrollback, SCROLLBACK_LINES_MAX};
    use crate::view_model::diagram::diagram;
    use crate::view_model::log_strip::{StripItem, RECORDS_SHOWN_MAX};
    use crate::view_model::topics::topics;

    #[test]
    fn speeds_round_trip_through_the_select() {
        for speed in Speed::ALL {
            assert_eq!(Speed::from_value(speed.value()), Some(speed));
        }
        assert_eq!(Speed::from_value("2"), None);
    }

    #[test]
    fn latency_follows_the_select_and_typed_commands() {
        assert_eq!(latency_of("ksim latency 150ms"), Some(150));
        assert_eq!(latency_of("  ksim   latency 1s"), Some(1000));
        assert_eq!(latency_of("ksim latency"), None);
        assert_eq!(latency_of("echo ksim latency 5ms"), None);
        let state = Rc::new(Playground::new(1)).reduce(Action::SetLatency(200));
        assert_eq!(state.latency_ms, 200);
        let shown = scrollback(state.session().output(), 0, SCROLLBACK_LINES_MAX);
        assert!(shown.lines.iter().any(|l| l.text.contains("ksim latency 200ms")), "{:?}", shown.lines);
        let typed = state.reduce(Action::Input("ksim latency 50ms".to_owned()));
        assert_eq!(typed.latency_ms, 50);
    }

    #[test]
    fn pause_play_and_speed_need_no_simulation() {
        let state = Rc::new(Playground::new(1));
        assert!(state.playing);
        let paused = state.clone().reduce(Action::Pause);
        assert!(!paused.playing);
        assert_eq!(paused.version, 1);
        // While paused, a late frame changes nothing, not even the version.
        let late = paused.clone().reduce(Action::Advance { by_ms: 16 });
        assert!(Rc::ptr_eq(&late, &paused));
        let fast = late.reduce(Action::SetSpeed(Speed::Sixteen)).reduce(Action::Play);
        assert_eq!((fast.playing, fast.speed, fast.version), (true, Speed::Sixteen, 3));
    }

    #[test]
    fn a_second_click_or_close_hides_the_inspector() {
        let state = Rc::new(Playground::new(1)).reduce(Action::Inspect(4));
        assert_eq!(state.inspected, Some(4));
        let other = state.reduce(Action::Inspect(5));
        assert_eq!(other.inspected, Some(5));
        assert_eq!(other.clone().reduce(Action::Inspect(5)).inspected, None);
        assert_eq!(other.reduce(Action::CloseInspector).inspected, None);
    }

    /// The lesson typed line by line with 1.6 s of play between lines, as a student would.
    fn lesson_played() -> Rc<Playground> {
        let mut state = Rc::new(Playground::new(1));
        for line in include_str!("../tests/scripts/lesson-workflow.ksim").lines() {
            state = state.reduce(Action::Input(line.to_owned()));
            for _ in 0..100 {
                state = state.reduce(Action::Advance { by_ms: 16 });
            }
        }
        state
    }

    #[test]
    fn the_lesson_draws_one_combined_node_and_two_records() {
        let state = lesson_played();
        let session = state.session();
        let view = session.view();

        let d = diagram(&view);
        let labels: Vec<_> = d
            .servers
            .iter()
            .map(|s| (s.label.as_str(), s.controller.as_ref().and_then(|c| c.nested_label.as_deref())))
            .collect();
        assert_eq!(labels, [("Broker 1", Some("Controller 1"))]);
        assert!(d.servers[0].controller.as_ref().is_some_and(|c| c.leader));
        // The producer and the admin client have exited; the consumer still reads.
        let clients: Vec<_> = d.clients.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(clients, ["Consumer console-consumer"]);

        let topics = topics(&view, RECORDS_SHOWN_MAX, &Default::default());
        let strip: Vec<String> = topics[0].partitions[0]
            .strip
            .items
            .iter()
            .map(|item| match item {
                StripItem::Record(r) => format!("{}:{}", r.offset, r.text),
                StripItem::Marker(m) => format!("{} {}", m.name, m.offset),
                StripItem::Segment(s) => format!("segment {}", s.base_offset),
                StripItem::Compacted(n) => format!("{n} compacted"),
                StripItem::Consumer(c) => format!("{} {} {}", c.group_id, c.label, c.offset),
                StripItem::Newer(n) => format!("{n} newer"),
            })
            .collect();
        // The console consumer without --group is in a group of its own, as in Kafka.
        assert_eq!(strip, ["0:82 bpm", "1:110 bpm", "HW = LEO 2", "console-consumer-114 pos 2"]);

        let console = scrollback(session.output(), state.console_from, SCROLLBACK_LINES_MAX);
        let printed: Vec<_> = console.lines.iter().filter(|l| l.class == "stdout").map(|l| l.text.as_str()).collect();
        assert_eq!(printed[printed.len() - 2..], ["82 bpm", "110 bpm"]);
        assert_eq!(session.prompt(), "", "the consumer runs in the foreground");
    }

    #[test]
    fn a_narration_line_takes_the_session_back_to_it() {
        let state = lesson_played().reduce(Action::Play);
        let created = state
            .session()
            .trace()
            .iter()
            .find(|t| t.text.contains("creates topic heart-rate-measures"))
            .map(|t| t.event)
            .expect("the topic's creation is narrated");
        let back = state.reduce(Action::TravelTo(created));
        assert!(!back.playing, "going back in time pauses");
        assert_eq!(back.session().view().events_processed, created);
    }

    #[test]
    fn fork_from_here_ends_the_timeline_where_it_stands() {
        let state = lesson_played();
        let present = state.session().present_events();
        let back = state.reduce(Action::TravelTo(present / 2));
        assert!(back.session().in_the_past());
        let forked = back.reduce(Action::ForkHere);
        assert!(!forked.playing);
        assert!(!forked.session().in_the_past());
        assert_eq!(forked.session().present_events(), present / 2);
    }

    #[test]
    fn a_selected_message_pauses_and_can_be_dropped() {
        let mut state = Rc::new(Playground::new(1))
            .reduce(Action::Input("ksim start-cluster --brokers 1 --controllers 1".to_owned()));
        let mut found = None;
        for _ in 0..1000 {
            if let Some(m) = state.session().view().in_flight.first() {
                found = Some(m.id);
                break;
            }
            state = state.reduce(Action::Step);
        }
        let id = found.expect("a message in flight");
        let selected = state.reduce(Action::Inspect(1)).reduce(Action::Play).reduce(Action::SelectMessage(id));
        assert!(!selected.playing);
        assert_eq!((selected.selected_message, selected.inspected), (Some(id), None));
        let dropped = selected.reduce(Action::DropMessage(id));
        assert!(dropped.session().view().in_flight.iter().all(|m| m.id != id));
        assert!(dropped.session().trace().last().is_some_and(|t| t.text.contains("(dropped from the page)")));
        assert_eq!(dropped.reduce(Action::CloseInspector).selected_message, None);
    }

    #[test]
    fn ctrl_l_hides_output_and_stepping_pauses() {
        let state = lesson_played().reduce(Action::ClearConsole);
        let shown = scrollback(state.session().output(), state.console_from, SCROLLBACK_LINES_MAX);
        assert!(shown.lines.is_empty());

        let before = state.session().view().events_processed;
        let back = state.reduce(Action::StepBack);
        assert!(!back.playing);
        assert_eq!(back.session().view().events_processed, before - 1);
        let forward = back.reduce(Action::Play).reduce(Action::Step);
        assert!(!forward.playing);
        assert_eq!(forward.session().view().events_processed, before);
    }
}
