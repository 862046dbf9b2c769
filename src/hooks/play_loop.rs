//! The play loop: while playing, each animation frame turns the real time since the last
//! frame × speed into `Advance`. This is the only place wall time enters the page.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_render::{request_animation_frame, AnimationFrame};
use yew::{hook, use_effect_with, use_mut_ref, Callback};

use crate::play_clock::PlayClock;

/// Calls `on_advance` with simulated milliseconds on each animation frame while `playing`.
#[hook]
pub fn use_play_loop(playing: bool, speed: f64, on_advance: Callback<u64>) {
    // Read on every frame, so changing speed does not restart the loop (and its clock).
    let speed_now = use_mut_ref(|| speed);
    *speed_now.borrow_mut() = speed;
    use_effect_with(playing, move |&playing| {
        let frame: Rc<RefCell<Option<AnimationFrame>>> = Rc::default();
        if playing {
            let clock = Rc::new(RefCell::new(PlayClock::default()));
            schedule(frame.clone(), clock, speed_now, on_advance);
        }
        // Dropping the pending frame cancels it, which ends the loop.
        move || drop(frame.borrow_mut().take())
    });
}

fn schedule(
    frame: Rc<RefCell<Option<AnimationFrame>>>,
    clock: Rc<RefCell<PlayClock>>,
    speed: Rc<RefCell<f64>>,
    on_advance: Callback<u64>,
) {
    let slot = frame.clone();
    let next = request_animation_frame(move |frame_ms| {
        let by_ms = clock.borrow_mut().tick(frame_ms, *speed.borrow());
        if by_ms > 0 {
            on_advance.emit(by_ms);
        }
        schedule(slot, clock, speed, on_advance);
    });
    *frame.borrow_mut() = Some(next);
}
