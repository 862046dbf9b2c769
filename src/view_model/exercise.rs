//! The exercise panel: the list of exercises (solved ones marked) and the current one's
//! steps with a ✓/✗ per check and the hints asked for so far.

use ksim::Exercise;

use crate::classroom::ExerciseRun;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExerciseListItem {
    pub index: usize,
    pub id: String,
    pub title: String,
    pub concepts: Vec<String>,
    pub solved: bool,
}

pub fn exercise_list(exercises: &[Exercise], solved: &[String]) -> Vec<ExerciseListItem> {
    exercises
        .iter()
        .enumerate()
        .map(|(index, e)| ExerciseListItem {
            index,
            id: e.id.clone(),
            title: e.title.clone(),
            concepts: e.concepts.clone(),
            solved: solved.contains(&e.id),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckLine {
    /// `✓` or `✗`.
    pub mark: &'static str,
    pub passed: bool,
    pub description: String,
    /// What the simulation shows when the check fails.
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepView {
    /// `Step 1`.
    pub label: String,
    pub goal: String,
    pub checks: Vec<CheckLine>,
    pub done: bool,
    pub hints: Vec<String>,
    /// True while `Show a hint` has more to show.
    pub more_hints: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExerciseView {
    pub id: String,
    pub title: String,
    pub concepts: Vec<String>,
    pub introduction: String,
    pub steps: Vec<StepView>,
    /// `2 of 3 checks pass`.
    pub progress: String,
    pub solved: bool,
}

pub fn exercise_view(run: &ExerciseRun) -> ExerciseView {
    let e = &run.exercise;
    let steps: Vec<StepView> = e
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let checks: Vec<CheckLine> = run
                .results
                .iter()
                .filter(|r| r.step == i)
                .map(|r| CheckLine {
                    mark: if r.passed { "✓" } else { "✗" },
                    passed: r.passed,
                    description: r.description.clone(),
                    detail: if r.passed { String::new() } else { r.detail.clone() },
                })
                .collect();
            let shown = run.hints_shown.get(i).copied().unwrap_or(0).min(s.hints.len());
            StepView {
                label: format!("Step {}", i + 1),
                goal: s.goal.clone(),
                done: !checks.is_empty() && checks.iter().all(|c| c.passed),
                checks,
                hints: s.hints[..shown].to_vec(),
                more_hints: shown < s.hints.len(),
            }
        })
        .collect();
    let passed = run.results.iter().filter(|r| r.passed).count();
    let total = run.results.len();
    ExerciseView {
        id: e.id.clone(),
        title: e.title.clone(),
        concepts: e.concepts.clone(),
        introduction: e.introduction.clone(),
        steps,
        progress: format!("{passed} of {total} checks pass"),
        solved: total > 0 && passed == total,
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::classroom::ClassroomAction;
    use crate::playground::{Action, Playground};
    use yew::Reducible;

    fn replication() -> Rc<Exercise> {
        Rc::new(ksim::builtin_exercises().unwrap().into_iter().find(|e| e.id == "replication").unwrap())
    }

    #[test]
    fn the_list_marks_solved_exercises() {
        let all = ksim::builtin_exercises().unwrap();
        let list = exercise_list(&all, &["replication".to_owned()]);
        assert_eq!(list.len(), all.len());
        let r = list.iter().find(|i| i.id == "replication").unwrap();
        assert!(r.solved);
        assert!(r.concepts.contains(&"ISR".to_owned()));
        assert!(!list[0].solved);
    }

    #[test]
    fn checks_turn_green_as_the_solution_is_typed_and_hints_come_one_at_a_time() {
        let exercise = replication();
        let mut state =
            Rc::new(Playground::new(1)).reduce(Action::Classroom(ClassroomAction::StartExercise(exercise.clone())));
        let view = exercise_view(state.classroom.exercise.as_ref().unwrap());
        assert!(!view.solved);
        assert!(view.steps.iter().flat_map(|s| &s.checks).any(|c| c.mark == "✗" && !c.detail.is_empty()));
        assert!(view.steps[0].hints.is_empty());
        assert_eq!(view.steps[0].more_hints, !exercise.steps[0].hints.is_empty());

        state = state.reduce(Action::Classroom(ClassroomAction::ShowHint(0)));
        let view = exercise_view(state.classroom.exercise.as_ref().unwrap());
        assert_eq!(view.steps[0].hints, exercise.steps[0].hints[..1]);

        for line in &exercise.solution {
            state = state.reduce(Action::Input(line.clone()));
            for _ in 0..100 {
                state = state.reduce(Action::Advance { by_ms: 16 });
            }
        }
        for _ in 0..300 {
            state = state.reduce(Action::Advance { by_ms: 16 });
        }
        let view = exercise_view(state.classroom.exercise.as_ref().unwrap());
        assert!(view.solved, "{view:#?}");
        assert!(view
            .progress
            .starts_with(&format!("{0} of {0}", view.steps.iter().map(|s| s.checks.len()).sum::<usize>())));

        // Reset goes back to the setup: not solved any more, hints hidden again.
        let reset = state.reduce(Action::Classroom(ClassroomAction::ResetExercise));
        let view = exercise_view(reset.classroom.exercise.as_ref().unwrap());
        assert!(!view.solved);
        assert!(view.steps[0].hints.is_empty());
    }

    #[test]
    fn a_share_link_reopens_the_exercise_where_it_stood() {
        let state = Rc::new(Playground::new(1))
            .reduce(Action::Classroom(ClassroomAction::StartExercise(replication())))
            .reduce(Action::Classroom(ClassroomAction::ShowHint(0)))
            .reduce(Action::Input("ksim kill 4".to_owned()));
        let code = crate::classroom::export(&state).to_share_code();
        assert!(code.starts_with("v2."), "{code}");
        let replay = ksim::Replay::from_share_code(&code).unwrap();
        let restored = Rc::new(Playground::new(7)).reduce(Action::Classroom(ClassroomAction::Restore(Rc::new(replay))));
        let run = restored.classroom.exercise.as_ref().expect("the exercise panel reopens");
        assert_eq!(run.exercise.id, "replication");
        assert_eq!(run.results, state.classroom.exercise.as_ref().unwrap().results);
        assert_eq!(restored.session().view(), state.session().view());
        assert_eq!(restored.classroom.notice, None);

        // An exercise this playground does not have: the session alone, and a notice.
        let json = crate::classroom::export(&state).to_json().replace("\"replication\"", "\"no-such-exercise\"");
        let replay = ksim::Replay::from_json(&json).unwrap();
        let restored = Rc::new(Playground::new(7)).reduce(Action::Classroom(ClassroomAction::Restore(Rc::new(replay))));
        assert!(restored.classroom.exercise.is_none());
        assert!(restored.classroom.notice.as_deref().is_some_and(|n| n.contains("\"no-such-exercise\"")));
    }

    #[test]
    fn restoring_a_replay_replaces_the_session_and_leaves_the_exercise() {
        let state = Rc::new(Playground::new(1))
            .reduce(Action::Classroom(ClassroomAction::StartExercise(replication())))
            .reduce(Action::Input("ksim kill 4".to_owned()));
        let replay = state.session().export_replay();
        let restored = Rc::new(Playground::new(7)).reduce(Action::Classroom(ClassroomAction::Restore(Rc::new(replay))));
        assert!(restored.classroom.exercise.is_none());
        assert_eq!(restored.session().view(), state.session().view());
    }
}
