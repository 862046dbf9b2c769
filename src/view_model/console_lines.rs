//! Console output as the page prints it: each line with the prompt it was typed after and
//! a class per stream, like a terminal's scrollback.

use ksim::{ConsoleLine, Stream};

/// Lines kept in the page: a terminal's scrollback, so a chatty consumer cannot grow the
/// DOM without bound.
pub const SCROLLBACK_LINES_MAX: usize = 1000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scrollback {
    /// Lines since the last clear that no longer fit the scrollback.
    pub hidden: usize,
    /// Index of the first shown line in the session's output, a stable key base.
    pub start: usize,
    pub lines: Vec<LineModel>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineModel {
    /// Shown before the text: `$ ` for a command, `> ` for its continuation lines, `>` for
    /// producer input, nothing for output.
    pub prompt: &'static str,
    pub text: String,
    /// CSS class: `command`, `input`, `stdout`, `stderr` or `hint`.
    pub class: &'static str,
}

/// The lines from `from` on (everything after the last Ctrl-L), at most `max` of them.
pub fn scrollback(output: &[ConsoleLine], from: usize, max: usize) -> Scrollback {
    // Step back can shorten the output below the last clear.
    let from = from.min(output.len());
    let since_clear = &output[from..];
    let hidden = since_clear.len().saturating_sub(max);
    // The line before the window decides whether the first shown command continues one.
    let start = from + hidden;
    let mut previous = start.checked_sub(1).and_then(|i| output.get(i));
    let mut lines = Vec::with_capacity(since_clear.len() - hidden);
    for line in &output[start..] {
        lines.push(line_model(line, previous));
        previous = Some(line);
    }
    Scrollback { hidden, start, lines }
}

fn line_model(line: &ConsoleLine, previous: Option<&ConsoleLine>) -> LineModel {
    let (prompt, class) = match line.stream {
        Stream::Command if continues(previous) => ("> ", "command"),
        Stream::Command => ("$ ", "command"),
        Stream::Input => (">", "input"),
        Stream::Stdout => ("", "stdout"),
        Stream::Stderr => ("", "stderr"),
        Stream::Hint => ("", "hint"),
    };
    LineModel { prompt, text: line.text.clone(), class }
}

/// The input's placeholder: what Enter does at this prompt.
pub fn input_hint(prompt: &str, console_empty: bool) -> &'static str {
    match prompt {
        "$ " if console_empty => "type a command and press Enter",
        ">" => "type a record, Enter sends it · Ctrl-D ends input",
        "" => "running · Ctrl-C stops it",
        _ => "",
    }
}

/// A shell reads the next line as the same command when this one ends in a backslash.
fn continues(previous: Option<&ConsoleLine>) -> bool {
    previous.is_some_and(|p| p.stream == Stream::Command && p.text.ends_with('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(stream: Stream, text: &str) -> ConsoleLine {
        ConsoleLine { stream, text: text.to_owned() }
    }

    fn render(s: &Scrollback) -> String {
        let mut out = format!("hidden={}\n", s.hidden);
        for l in &s.lines {
            out.push_str(&format!("{:<7}{}{}\n", l.class, l.prompt, l.text));
        }
        out
    }

    fn lesson() -> Vec<ConsoleLine> {
        vec![
            line(Stream::Command, "bin/kafka-console-producer.sh \\"),
            line(Stream::Command, "--topic heart-rate-measures --bootstrap-server localhost:9092"),
            line(Stream::Input, "82 bpm"),
            line(Stream::Stderr, "WARN Connection to node -1 could not be established."),
            line(Stream::Hint, "Ctrl-D closes the producer."),
            line(Stream::Stdout, "82 bpm"),
        ]
    }

    #[test]
    fn prompts_follow_the_stream() {
        assert_eq!(
            render(&scrollback(&lesson(), 0, 100)),
            "hidden=0\n\
             command$ bin/kafka-console-producer.sh \\\n\
             command> --topic heart-rate-measures --bootstrap-server localhost:9092\n\
             input  >82 bpm\n\
             stderr WARN Connection to node -1 could not be established.\n\
             hint   Ctrl-D closes the producer.\n\
             stdout 82 bpm\n"
        );
    }

    #[test]
    fn hints_follow_the_prompt() {
        assert_eq!(input_hint("$ ", true), "type a command and press Enter");
        assert_eq!(input_hint("$ ", false), "");
        assert_eq!(input_hint("> ", true), "");
        assert_eq!(input_hint(">", false), "type a record, Enter sends it · Ctrl-D ends input");
        assert_eq!(input_hint("", false), "running · Ctrl-C stops it");
    }

    #[test]
    fn clear_and_scrollback_cut_the_front() {
        let out = lesson();
        // A continuation keeps its prompt when the line it continues scrolled away.
        assert_eq!(
            render(&scrollback(&out, 1, 5)),
            "hidden=0\n\
             command> --topic heart-rate-measures --bootstrap-server localhost:9092\n\
             input  >82 bpm\n\
             stderr WARN Connection to node -1 could not be established.\n\
             hint   Ctrl-D closes the producer.\n\
             stdout 82 bpm\n"
        );
        assert_eq!(render(&scrollback(&out, 2, 2)), "hidden=2\nhint   Ctrl-D closes the producer.\nstdout 82 bpm\n");
        assert_eq!(render(&scrollback(&out, 9, 5)), "hidden=0\n");
    }
}
