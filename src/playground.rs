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
    Advance { by_ms: u64 },
    Play,
    Pause,
    SetSpeed(Speed),
    /// Ctrl-L: clears the console view; the session keeps its output.
    ClearConsole,
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
            let mut session = next.session.borrow_mut();
            match action {
                Action::Input(line) => session.input(&line),
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
                // A frame scheduled before Pause may still report; it must not move time.
                Action::Advance { by_ms } if next.playing => session.advance(by_ms),
                Action::Advance { .. } => return self,
                Action::Play => next.playing = true,
                Action::Pause => next.playing = false,
                Action::SetSpeed(speed) => next.speed = speed,
                Action::ClearConsole => next.console_from = session.output().len(),
            }
        }
        next.version += 1;
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_round_trip_through_the_select() {
        for speed in Speed::ALL {
            assert_eq!(Speed::from_value(speed.value()), Some(speed));
        }
        assert_eq!(Speed::from_value("2"), None);
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
}
