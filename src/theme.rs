//! Light, dark or the system's scheme: the choice is the `data-theme` attribute on
//! `<html>` (the stylesheet's variables follow it) and is remembered in localStorage.
//! `index.html` applies the stored choice before the app loads, so nothing flashes.

/// The localStorage key; `index.html`'s inline script reads the same one.
pub const THEME_KEY: &str = "kafka-playground-theme";
/// Set once the welcome card has been dismissed or used.
pub const WELCOMED_KEY: &str = "kafka-playground-welcomed";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The attribute (and stored) value.
    pub fn value(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    /// Anything unknown (or nothing stored) follows the system.
    pub fn from_value(value: Option<&str>) -> Theme {
        Theme::ALL.into_iter().find(|t| Some(t.value()) == value).unwrap_or(Theme::System)
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        // A full or disabled storage only means the choice is not remembered.
        let _ = s.set_item(key, value);
    }
}

pub fn stored_theme() -> Theme {
    Theme::from_value(stored(THEME_KEY).as_deref())
}

/// Applies and remembers a theme.
pub fn set_theme(theme: Theme) {
    apply(theme);
    store(THEME_KEY, theme.value());
}

pub fn apply(theme: Theme) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme.value());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_default_to_system() {
        for t in Theme::ALL {
            assert_eq!(Theme::from_value(Some(t.value())), t);
        }
        assert_eq!(Theme::from_value(None), Theme::System);
        assert_eq!(Theme::from_value(Some("sepia")), Theme::System);
    }
}
