//! Console output as the page prints it: each line as the terminal shows it, its prompt
//! split off for styling, a class per stream, and a terminal's bounded scrollback.

use ksim::{ChunkList, ConsoleLine, Stream};

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
    /// The prompt the line was typed after (`$ `, `> ` or `>`), split off the text only so
    /// it can be styled; prompt + text is exactly the terminal's line.
    pub prompt: &'static str,
    pub text: String,
    /// CSS class: `command`, `input`, `stdout`, `stderr` or `hint`.
    pub class: &'static str,
}

/// The lines from `from` on (everything after the last Ctrl-L), at most `max` of them.
pub fn scrollback(output: &ChunkList<ConsoleLine>, from: usize, max: usize) -> Scrollback {
    // Step back can shorten the output below the last clear.
    let from = from.min(output.len());
    let hidden = (output.len() - from).saturating_sub(max);
    let start = from + hidden;
    Scrollback { hidden, start, lines: output.since(start).map(line_model).collect() }
}

fn line_model(line: &ConsoleLine) -> LineModel {
    let (prompts, class): (&[&'static str], _) = match line.stream {
        Stream::Command => (&["$ ", "> "], "command"),
        Stream::Input => (&[">"], "input"),
        Stream::Stdout => (&[], "stdout"),
        Stream::Stderr => (&[], "stderr"),
        Stream::Hint => (&[], "hint"),
    };
    let prompt = prompts.iter().copied().find(|p| line.text.starts_with(p)).unwrap_or("");
    LineModel { prompt, text: line.text[prompt.len()..].to_owned(), class }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn line(stream: Stream, text: &str) -> ConsoleLine {
        ConsoleLine { stream, text: text.to_owned() }
    }

    fn render(s: &Scrollback) -> String {
        let mut out = format!("hidden={}\n", s.hidden);
        for l in &s.lines {
            out.push_str(&format!("{:<7}{}|{}\n", l.class, l.prompt, l.text));
        }
        out
    }

    fn lesson() -> ChunkList<ConsoleLine> {
        [
            line(Stream::Command, "$ bin/kafka-console-producer.sh \\"),
            line(Stream::Command, ">     --topic heart-rate-measures --bootstrap-server localhost:9092"),
            line(Stream::Input, ">82 bpm"),
            line(Stream::Stderr, "WARN Connection to node -1 could not be established."),
            line(Stream::Hint, "Ctrl-D closes the producer."),
            line(Stream::Stdout, "82 bpm"),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn prompts_follow_the_stream() {
        assert_eq!(
            render(&scrollback(&lesson(), 0, 100)),
            "hidden=0\n\
             command$ |bin/kafka-console-producer.sh \\\n\
             command> |    --topic heart-rate-measures --bootstrap-server localhost:9092\n\
             input  >|82 bpm\n\
             stderr |WARN Connection to node -1 could not be established.\n\
             hint   |Ctrl-D closes the producer.\n\
             stdout |82 bpm\n"
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
        assert_eq!(render(&scrollback(&out, 2, 2)), "hidden=2\nhint   |Ctrl-D closes the producer.\nstdout |82 bpm\n");
        let after_clear = scrollback(&out, 2, 10);
        assert_eq!((after_clear.hidden, after_clear.start, after_clear.lines.len()), (0, 2, 4));
        assert_eq!(render(&scrollback(&out, 9, 5)), "hidden=0\n");
    }

    #[test]
    fn prompts_split_only_where_typed() {
        // Output that happens to start like a prompt is not a prompt.
        let out =
            [line(Stream::Stdout, "$ 5"), line(Stream::Input, ">"), line(Stream::Command, "$ ")].into_iter().collect();
        assert_eq!(render(&scrollback(&out, 0, 10)), "hidden=0\nstdout |$ 5\ninput  >|\ncommand$ |\n");
    }
}
