//! The exercise panel, a drawer at the right: the exercises to pick from (solved ones
//! marked ✓), or the current one's introduction, steps, live ✓/✗ per check and hints.

use std::rc::Rc;

use ksim::Exercise;
use yew::prelude::*;

use crate::classroom::{ClassroomAction, ExerciseRun};
use crate::playground::Action;
use crate::view_model::exercise::{exercise_list, exercise_view};

#[derive(Properties, PartialEq)]
pub struct ExercisePanelProps {
    pub exercises: Rc<Vec<Exercise>>,
    pub run: Option<Rc<ExerciseRun>>,
    pub solved: Vec<String>,
    pub on_action: Callback<Action>,
    /// Starts the built-in exercise at this index.
    pub on_start: Callback<usize>,
    /// The teacher's file input.
    pub on_load: Callback<Event>,
    pub on_close: Callback<MouseEvent>,
}

fn tags(concepts: &[String]) -> Html {
    html! { <ul class="tags">{ for concepts.iter().map(|c| html! { <li>{c}</li> }) }</ul> }
}

#[function_component]
pub fn ExercisePanel(props: &ExercisePanelProps) -> Html {
    let classroom = |a: ClassroomAction| Action::Classroom(a);
    let body = match &props.run {
        None => {
            let items = exercise_list(&props.exercises, &props.solved);
            html! {
                <>
                    <p class="panel-note">{"Pick an exercise: its setup runs, then each step's checks turn ✓ as you work."}</p>
                    <ol class="exercise-list">
                        { for items.into_iter().map(|item| {
                            let start = props.on_start.reform(move |_: MouseEvent| item.index);
                            html! {
                                <li key={item.id.clone()}>
                                    <button class="exercise-pick" data-exercise={item.id.clone()} onclick={start} aria-label={format!("Start exercise {}", item.title)}>
                                        <span class="title">{&item.title}</span>
                                        if item.solved { <span class="solved" title="Solved">{"✓"}</span> }
                                    </button>
                                    {tags(&item.concepts)}
                                </li>
                            }
                        }) }
                    </ol>
                    <label class="file-button">
                        {"Load an exercise file…"}
                        <input type="file" accept=".json,application/json" aria-label="Load exercise file" onchange={props.on_load.clone()} />
                    </label>
                </>
            }
        }
        Some(run) => {
            let v = exercise_view(run);
            let reset = props.on_action.reform(move |_: MouseEvent| classroom(ClassroomAction::ResetExercise));
            let back = props.on_action.reform(move |_: MouseEvent| classroom(ClassroomAction::CloseExercise));
            html! {
                <>
                    <div class="exercise-head">
                        <h3>{&v.title}</h3>
                        {tags(&v.concepts)}
                        <p class={classes!("exercise-progress", v.solved.then_some("solved"))} aria-live="polite">
                            if v.solved { {"Solved! "} }
                            {&v.progress}
                        </p>
                    </div>
                    <p class="exercise-intro">{&v.introduction}</p>
                    <ol class="exercise-steps">
                        { for v.steps.iter().enumerate().map(|(i, s)| {
                            let hint = props.on_action.reform(move |_: MouseEvent| classroom(ClassroomAction::ShowHint(i)));
                            html! {
                                <li class={classes!("exercise-step", s.done.then_some("done"))}>
                                    <h4>{&s.label}</h4>
                                    <p class="goal">{&s.goal}</p>
                                    <ul class="checks">
                                        { for s.checks.iter().map(|c| html! {
                                            <li class={classes!("check", if c.passed { "passed" } else { "failed" })}>
                                                <span class="mark" aria-label={if c.passed { "passed" } else { "not yet" }}>{c.mark}</span>
                                                <span class="description">{&c.description}</span>
                                                if !c.detail.is_empty() { <span class="detail">{&c.detail}</span> }
                                            </li>
                                        }) }
                                    </ul>
                                    { for s.hints.iter().map(|h| html! { <p class="hint">{"Hint: "}{h}</p> }) }
                                    if s.more_hints {
                                        <button class="hint-button" onclick={hint}>{"Show a hint"}</button>
                                    }
                                </li>
                            }
                        }) }
                    </ol>
                    <div class="exercise-actions">
                        <button onclick={reset}>{"Reset exercise"}</button>
                        <button onclick={back}>{"All exercises"}</button>
                    </div>
                </>
            }
        }
    };
    html! {
        <aside class="panel exercise-panel" aria-labelledby="exercise-heading">
            <div class="panel-head">
                <h2 id="exercise-heading">{"Exercise"}</h2>
                <button class="close" aria-label="Close exercises" onclick={props.on_close.clone()}>{"×"}</button>
            </div>
            <div class="panel-body">{body}</div>
        </aside>
    }
}
