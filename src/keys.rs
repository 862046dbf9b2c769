//! What keys mean: the console's terminal keys and the page's time shortcuts.
//! Pure, so the browser glue only reads the event and applies the answer.

use crate::playground::Action;

/// A key the console handles itself instead of typing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleKey {
    Submit,
    /// ArrowUp: the previous history line.
    Older,
    /// ArrowDown: the next history line.
    Newer,
    /// Ctrl-C, unless text is selected (then it copies, as in a terminal emulator).
    Interrupt,
    EndOfInput,
    Clear,
}

/// The modifier keys held with a key press.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub meta: bool,
    pub shift: bool,
}

impl Modifiers {
    fn none(self) -> bool {
        self == Modifiers::default()
    }

    fn ctrl_only(self) -> bool {
        self == Modifiers { ctrl: true, ..Modifiers::default() }
    }
}

pub fn console_key(key: &str, modifiers: Modifiers) -> Option<ConsoleKey> {
    match key {
        // Shift-Enter submits too: a shell has no multi-line input field.
        "Enter" if !modifiers.ctrl && !modifiers.alt && !modifiers.meta => Some(ConsoleKey::Submit),
        "ArrowUp" if modifiers.none() => Some(ConsoleKey::Older),
        "ArrowDown" if modifiers.none() => Some(ConsoleKey::Newer),
        // Ctrl only: Cmd-C keeps copying on a Mac, Ctrl-Shift-C keeps opening devtools.
        "c" if modifiers.ctrl_only() => Some(ConsoleKey::Interrupt),
        "d" if modifiers.ctrl_only() => Some(ConsoleKey::EndOfInput),
        "l" if modifiers.ctrl_only() => Some(ConsoleKey::Clear),
        _ => None,
    }
}

/// Where a key press happened, as far as shortcuts care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A text field or select: keys edit it.
    Field,
    /// A button: space presses it natively.
    Button,
    Other,
}

/// Space plays or pauses, → steps, ← steps back, ? shows the shortcuts, Escape closes the
/// node inspector (and the help); keys typed into a field stay there.
pub fn shortcut(key: &str, modifiers: Modifiers, target: Target, playing: bool) -> Option<Action> {
    if target == Target::Field {
        return None;
    }
    // `?` needs Shift on most keyboards.
    if key == "?" && !modifiers.ctrl && !modifiers.alt && !modifiers.meta {
        return Some(Action::ToggleHelp);
    }
    if !modifiers.none() {
        return None;
    }
    match key {
        " " if target == Target::Button => None,
        " " if playing => Some(Action::Pause),
        " " => Some(Action::Play),
        "ArrowRight" => Some(Action::Step),
        "ArrowLeft" => Some(Action::StepBack),
        "Escape" => Some(Action::CloseInspector),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTRL: Modifiers = Modifiers { ctrl: true, alt: false, meta: false, shift: false };
    const META: Modifiers = Modifiers { ctrl: false, alt: false, meta: true, shift: false };
    const NONE: Modifiers = Modifiers { ctrl: false, alt: false, meta: false, shift: false };

    #[test]
    fn terminal_keys() {
        assert_eq!(console_key("Enter", NONE), Some(ConsoleKey::Submit));
        assert_eq!(console_key("c", CTRL), Some(ConsoleKey::Interrupt));
        assert_eq!(console_key("c", META), None);
        assert_eq!(console_key("c", NONE), None);
        assert_eq!(console_key("d", CTRL), Some(ConsoleKey::EndOfInput));
        assert_eq!(console_key("l", CTRL), Some(ConsoleKey::Clear));
        assert_eq!(console_key("ArrowUp", NONE), Some(ConsoleKey::Older));
        assert_eq!(console_key("ArrowDown", CTRL), None);
    }

    #[test]
    fn shortcuts_leave_fields_and_buttons_alone() {
        assert_eq!(shortcut(" ", NONE, Target::Other, true), Some(Action::Pause));
        assert_eq!(shortcut(" ", NONE, Target::Other, false), Some(Action::Play));
        assert_eq!(shortcut(" ", NONE, Target::Button, true), None);
        assert_eq!(shortcut("ArrowRight", NONE, Target::Button, true), Some(Action::Step));
        assert_eq!(shortcut("ArrowLeft", NONE, Target::Other, true), Some(Action::StepBack));
        assert_eq!(shortcut("ArrowLeft", NONE, Target::Field, true), None);
        assert_eq!(shortcut("ArrowLeft", META, Target::Other, true), None);
        assert_eq!(shortcut("Escape", NONE, Target::Button, true), Some(Action::CloseInspector));
        assert_eq!(shortcut("Escape", NONE, Target::Field, true), None);
        let shift = Modifiers { shift: true, ..NONE };
        assert_eq!(shortcut("?", shift, Target::Other, true), Some(Action::ToggleHelp));
        assert_eq!(shortcut("?", shift, Target::Field, true), None, "typed into the console");
        assert_eq!(shortcut("?", CTRL, Target::Other, true), None);
    }
}
