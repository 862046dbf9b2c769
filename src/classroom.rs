//! Classroom state beside the session: the exercise being worked on (its baseline, live
//! check results and hints shown) and notices for the page (an import error, a share link).
//! The reducer calls `apply` for `Action::Classroom` and `after_action` after every action.

use std::rc::Rc;

use ksim::{Baseline, CheckResult, Exercise, Replay, Session};

use crate::playground::Playground;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassroomAction {
    /// Starts (or restarts) an exercise from its setup.
    StartExercise(Rc<Exercise>),
    /// `Reset exercise`: restart the current one from its setup.
    ResetExercise,
    /// Leaves the exercise; the session goes on.
    CloseExercise,
    /// `Show a hint` on a step: one more hint.
    ShowHint(usize),
    /// A share link, a session file or the autosave: replaces the session.
    Restore(Rc<Replay>),
    /// A message for the classroom bar (an error says what was wrong; the session is untouched).
    Notice(Option<String>),
}

/// The exercise being worked on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExerciseRun {
    pub exercise: Rc<Exercise>,
    pub baseline: Baseline,
    pub results: Vec<CheckResult>,
    /// Hints shown per step.
    pub hints_shown: Vec<usize>,
    /// Events processed when the checks last ran.
    evaluated_at: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Classroom {
    pub exercise: Option<Rc<ExerciseRun>>,
    pub notice: Option<String>,
}

fn start(exercise: Rc<Exercise>, session: &mut Session) -> ExerciseRun {
    let (fresh, baseline) = exercise.start_interactive();
    *session = fresh;
    run_over(exercise, baseline, session)
}

fn run_over(exercise: Rc<Exercise>, baseline: Baseline, session: &Session) -> ExerciseRun {
    let hints_shown = vec![0; exercise.steps.len()];
    let mut run = ExerciseRun { exercise, baseline, results: Vec::new(), hints_shown, evaluated_at: None };
    evaluate(&mut run, session);
    run
}

/// The built-in exercise `id`, if the replay started from its seed (its setup ran there).
fn builtin(id: &str, seed: u64) -> Option<Exercise> {
    ksim::builtin_exercises().ok()?.into_iter().find(|e| e.id == id && e.seed == seed)
}

/// An exercise run over a restored session: the setup's baseline is recomputed (the same
/// seed and setup give the same one) and the checks evaluated where the session stands.
fn resume(exercise: Rc<Exercise>, session: &Session) -> ExerciseRun {
    let (_, baseline) = exercise.start();
    run_over(exercise, baseline, session)
}

/// The session's replay for a share link, a session file or the autosave, naming the
/// exercise worked on so it reopens with the session.
pub fn export(state: &Playground) -> Replay {
    let id = state.classroom.exercise.as_ref().map(|r| r.exercise.id.clone());
    state.session().export_replay().with_exercise(id.as_deref())
}

fn evaluate(run: &mut ExerciseRun, session: &Session) {
    run.results = run.exercise.evaluate(session, &run.baseline);
    run.evaluated_at = Some(session.events_processed());
}

pub fn apply(next: &mut Playground, session: &mut Session, action: ClassroomAction) {
    let classroom = &mut next.classroom;
    match action {
        ClassroomAction::StartExercise(exercise) => {
            classroom.exercise = Some(Rc::new(start(exercise, session)));
            classroom.notice = None;
            next.console_from = 0;
        }
        ClassroomAction::ResetExercise => {
            if let Some(run) = &classroom.exercise {
                classroom.exercise = Some(Rc::new(start(run.exercise.clone(), session)));
                next.console_from = 0;
            }
        }
        ClassroomAction::CloseExercise => classroom.exercise = None,
        ClassroomAction::ShowHint(step) => {
            if let Some(run) = &mut classroom.exercise {
                let run = Rc::make_mut(run);
                if let (Some(shown), Some(s)) = (run.hints_shown.get_mut(step), run.exercise.steps.get(step)) {
                    *shown = (*shown + 1).min(s.hints.len());
                }
            }
        }
        ClassroomAction::Restore(replay) => {
            *session = Session::from_replay(&replay);
            // Shown as it was shared, paused, so the simulated time matches.
            next.playing = false;
            let classroom = &mut next.classroom;
            classroom.notice = None;
            classroom.exercise = match replay.exercise().map(|id| (id, builtin(id, replay.seed()))) {
                None => None,
                Some((_, Some(exercise))) => Some(Rc::new(resume(Rc::new(exercise), session))),
                Some((id, None)) => {
                    classroom.notice = Some(format!(
                        "This session worked on the exercise \"{id}\", which this playground does not have; \
                         the session is restored without it."
                    ));
                    None
                }
            };
            next.console_from = 0;
            next.inspected = None;
        }
        ClassroomAction::Notice(text) => classroom.notice = text,
    }
}

/// Re-runs the checks when something happened since they last ran: the play loop's frames
/// without events cost nothing (a lesson's checks take well under a millisecond).
pub fn after_action(next: &mut Playground, session: &Session) {
    if let Some(run) = &mut next.classroom.exercise {
        if run.evaluated_at != Some(session.events_processed()) || run.results.is_empty() {
            evaluate(Rc::make_mut(run), session);
        }
    }
}
