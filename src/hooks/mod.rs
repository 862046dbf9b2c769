//! Browser glue as Yew hooks: the only places that listen to the window.

pub mod play_loop;
pub mod shortcuts;
