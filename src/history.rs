//! The console's command history, walked with ArrowUp and ArrowDown like a shell's.

/// Lines remembered; older ones are forgotten.
const HISTORY_LINES_MAX: usize = 500;

#[derive(Debug, Default)]
pub struct History {
    lines: Vec<String>,
    /// Index into `lines` while browsing; `None` when editing a new line.
    cursor: Option<usize>,
    /// The line being typed before browsing started, given back past the newest entry.
    draft: String,
}

impl History {
    /// Remembers a submitted line (blank lines and immediate repeats are not) and stops
    /// browsing.
    pub fn push(&mut self, line: &str) {
        self.cursor = None;
        self.draft.clear();
        if line.trim().is_empty() || self.lines.last().is_some_and(|l| l == line) {
            return;
        }
        if self.lines.len() == HISTORY_LINES_MAX {
            self.lines.remove(0);
        }
        self.lines.push(line.to_owned());
    }

    /// ArrowUp: the previous line, or `None` at the oldest one.
    pub fn older(&mut self, current: &str) -> Option<String> {
        let index = match self.cursor {
            None => {
                self.draft = current.to_owned();
                self.lines.len().checked_sub(1)?
            }
            Some(i) => i.checked_sub(1)?,
        };
        self.cursor = Some(index);
        Some(self.lines[index].clone())
    }

    /// ArrowDown: the next line, the draft past the newest, `None` when not browsing.
    pub fn newer(&mut self) -> Option<String> {
        let index = self.cursor? + 1;
        if index < self.lines.len() {
            self.cursor = Some(index);
            Some(self.lines[index].clone())
        } else {
            self.cursor = None;
            Some(std::mem::take(&mut self.draft))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_like_a_shell() {
        let mut h = History::default();
        assert_eq!(h.older("typed"), None);
        for line in ["ls", "ls", "  ", "cat config/kraft/server.properties"] {
            h.push(line);
        }
        assert_eq!(h.older("half"), Some("cat config/kraft/server.properties".to_owned()));
        assert_eq!(h.older("ignored"), Some("ls".to_owned()));
        assert_eq!(h.older("ignored"), None);
        assert_eq!(h.newer(), Some("cat config/kraft/server.properties".to_owned()));
        assert_eq!(h.newer(), Some("half".to_owned()));
        assert_eq!(h.newer(), None);
    }
}
