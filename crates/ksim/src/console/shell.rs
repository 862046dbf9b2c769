//! The console's command language: a small subset of the POSIX shell (`sh`/`bash`).
//!
//! This module models what bash does with a line *before* any program runs: it decides
//! whether the line is complete (or whether bash would print its `> ` continuation prompt),
//! parses it into simple commands joined by `;`, `&&`, `||`, newlines and a trailing `&`,
//! and expands words (`$VAR`, `${VAR}`, `$(...)`, quotes, `~`, globs) into argument lists.
//!
//! Supported: line continuation (backslash-newline), `#` comments, single quotes, double
//! quotes, `$'...'` (ANSI-C quotes), backslash escapes, `NAME=value` assignments (alone or
//! before a command), `$NAME`, `${NAME}`, `${#NAME}`, `${NAME:-word}`, `${NAME-word}`,
//! `${NAME:+word}`, `${NAME+word}`, special parameters (`$?`, `$$`, `$!`, `$#`, `$0`..`$9`,
//! `$@`, `$*`, `$-`), command substitution with `$(...)` and backquotes (nested at most
//! [`MAX_NESTING`] deep), `~` at the start of a word, redirections (`<`, `>`, `>>`, `>|`,
//! `n>`, `n>>`, `n>&m`, `&>`, `&>>`) and globs (through [`ShellHost::glob`]).
//!
//! Not supported, each rejected with an error that says so: pipes, here-documents,
//! subshells, arithmetic expansion, compound commands (`if`, `for`, `while`, ...).
//!
//! Error messages follow bash's wording where bash has one (`syntax error near unexpected
//! token `&&'`); the console prefixes them with `bash: ` when it prints them.
//!
//! Every input is handled in time linear in its length (times the nesting bound): the
//! parser recurses only into `$(...)`, `${...}` and backquotes, and counts that depth.

use std::fmt;

/// How deeply `$(...)`, `${...}` and backquotes may nest inside one another.
pub(crate) const MAX_NESTING: usize = 16;

/// Words that bash reserves at the start of a command; we do not model compound commands.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do", "done", "function",
    "time", "{", "}", "[[", "]]", "!",
];

/// A parsed input: a list of simple commands in the order they appear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Script {
    pub(crate) items: Vec<ListItem>,
}

impl Script {
    /// True for a blank or comment-only input: nothing to run.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// One simple command together with the operator that follows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListItem {
    pub(crate) command: SimpleCommand,
    /// What follows the command: `;`/newline/end (`Sequence`), `&&` (`And`: run the next
    /// command only if this one succeeded), `||` (`Or`: only if it failed) or `&`
    /// (`Background`: start it and go on at once).
    pub(crate) connector: Connector,
}

/// The operator after a command in a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Connector {
    Sequence,
    And,
    Or,
    Background,
}

/// `NAME=value ... word word ... <redirections>`, the only kind of command we model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SimpleCommand {
    /// Assignments before the command name. With no words they set shell variables;
    /// with words they apply to that one command's environment.
    pub(crate) assignments: Vec<(String, Word)>,
    /// The command name and its arguments, still unexpanded.
    pub(crate) words: Vec<Word>,
    /// Redirections, in the order written (bash applies them left to right).
    pub(crate) redirects: Vec<Redirect>,
}

impl SimpleCommand {
    /// True when the command has neither assignments, words nor redirections.
    pub(crate) fn is_empty(&self) -> bool {
        self.assignments.is_empty() && self.words.is_empty() && self.redirects.is_empty()
    }
}

/// A redirection such as `> out.txt`, `2>> err.log`, `< in.txt` or `2>&1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Redirect {
    /// The file descriptor redirected: 0 for `<`, 1 for `>` unless a number is written.
    pub(crate) fd: u32,
    pub(crate) kind: RedirectKind,
    pub(crate) target: RedirectTarget,
}

/// The direction of a redirection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RedirectKind {
    /// `<`: read from the target.
    Read,
    /// `>` or `>|`: truncate and write.
    Write,
    /// `>>`: append.
    Append,
}

/// Where a redirection points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RedirectTarget {
    /// A file name (expand it with [`expand_to_string`]).
    File(Word),
    /// Another descriptor, as in `2>&1` (then `fd` = 2, target = `Fd(1)`).
    Fd(u32),
}

/// One shell word before expansion, as a sequence of pieces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Word {
    pub(crate) parts: Vec<WordPart>,
}

impl Word {
    /// The word's text when it is made of literal pieces only (quoted or not).
    pub(crate) fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                WordPart::Literal { text, .. } => out.push_str(text),
                _ => return None,
            }
        }
        Some(out)
    }

    /// The text when the word is one unquoted literal (how keywords and fd numbers look).
    fn bare(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [WordPart::Literal { text, quoted: false }] => Some(text),
            _ => None,
        }
    }
}

/// A piece of a word. `quoted` records whether the piece stood inside quotes (or was
/// escaped): quoted pieces are neither split into fields nor used as glob patterns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WordPart {
    Literal {
        text: String,
        quoted: bool,
    },
    /// `$NAME`, `${NAME}` or a special parameter such as `$?` (name `?`).
    Var {
        name: String,
        quoted: bool,
    },
    /// `${#NAME}`, `${NAME:-word}` and friends.
    Param {
        name: String,
        op: ParamOp,
        quoted: bool,
    },
    /// `$(...)` or `` `...` ``.
    CommandSubst {
        script: Script,
        quoted: bool,
    },
    /// An unquoted `~` at the start of a word (or of an assignment value), followed by `/`
    /// or nothing: expands to `$HOME`.
    Tilde,
}

/// The operator of a `${...}` parameter expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ParamOp {
    /// `${#NAME}`: the length of the value in characters.
    Length,
    /// `${NAME:-word}` (`if_empty`: also when set but empty) or `${NAME-word}`.
    Default { word: Word, if_empty: bool },
    /// `${NAME:+word}` (`if_empty`: not when set but empty) or `${NAME+word}`.
    Alternative { word: Word, if_empty: bool },
}

/// A parse or expansion error, worded like bash's message (without the `bash: ` prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShellError {
    pub(crate) message: String,
}

impl ShellError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

impl fmt::Display for ShellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShellError {}

/// True when bash would print its `> ` continuation prompt and read another line: the
/// text ends in a backslash-newline (or a lone trailing backslash), or leaves a quote,
/// `$(`, `${` or backquote open, or ends in `&&` / `||`.
///
/// `text` is the physical lines typed so far joined with `\n`. Inputs with a syntax error
/// before the end return false, so that [`parse`] reports the error at once.
pub(crate) fn needs_more_input(text: &str) -> bool {
    let mut parser = Parser::new(text, 0);
    match parser.parse_script(false) {
        Ok(_) => parser.wants_more,
        Err(fail) => fail.incomplete,
    }
}

/// Parses a complete input (see the module documentation for the accepted language).
pub(crate) fn parse(text: &str) -> Result<Script, ShellError> {
    Parser::new(text, 0).parse_script(false).map_err(|fail| fail.error)
}

/// True for a valid shell variable name: a letter or `_`, then letters, digits or `_`.
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// Characters that end an unquoted word.
fn is_word_end(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')')
}

/// A parse failure; `incomplete` marks errors that more input could fix.
struct Fail {
    error: ShellError,
    incomplete: bool,
}

type PResult<T> = Result<T, Fail>;

fn hard(message: impl Into<String>) -> Fail {
    Fail { error: ShellError::new(message), incomplete: false }
}

fn eof(message: impl Into<String>) -> Fail {
    Fail { error: ShellError::new(message), incomplete: true }
}

fn unexpected(token: &str) -> Fail {
    hard(format!("syntax error near unexpected token `{token}'"))
}

fn eof_matching(c: char) -> Fail {
    eof(format!("unexpected EOF while looking for matching `{c}'"))
}

fn push_literal(parts: &mut Vec<WordPart>, s: &str, quoted: bool) {
    if let Some(WordPart::Literal { text, quoted: q }) = parts.last_mut() {
        if *q == quoted {
            text.push_str(s);
            return;
        }
    }
    parts.push(WordPart::Literal { text: s.to_string(), quoted });
}

fn push_char(parts: &mut Vec<WordPart>, c: char, quoted: bool) {
    let mut buf = [0u8; 4];
    push_literal(parts, c.encode_utf8(&mut buf), quoted);
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// `$(`/`${`/backquote nesting depth at this point.
    depth: usize,
    /// Set when the input ended right after a line continuation or on a lone backslash.
    wants_more: bool,
}

impl Parser {
    fn new(text: &str, depth: usize) -> Self {
        Self { chars: text.chars().collect(), pos: 0, depth, wants_more: false }
    }

    fn raw_at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn raw_peek(&self) -> Option<char> {
        self.raw_at(self.pos)
    }

    fn raw_bump(&mut self) {
        if self.pos < self.chars.len() {
            self.pos += 1;
        }
    }

    /// Index of the first character at or after `i` that is not a line continuation.
    fn skip_continuations_from(&self, mut i: usize) -> usize {
        while self.raw_at(i) == Some('\\') && self.raw_at(i + 1) == Some('\n') {
            i += 2;
        }
        i
    }

    /// Drops backslash-newline pairs at the current position.
    fn skip_cont(&mut self) {
        let next = self.skip_continuations_from(self.pos);
        if next != self.pos {
            self.pos = next;
            if self.pos >= self.chars.len() {
                self.wants_more = true;
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_cont();
        self.raw_peek()
    }

    /// The character after the next one, looking through line continuations.
    fn peek2(&mut self) -> Option<char> {
        self.skip_cont();
        let i = self.skip_continuations_from(self.pos + 1);
        self.raw_at(i)
    }

    fn bump(&mut self) {
        self.skip_cont();
        self.raw_bump();
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
    }

    /// Skips a comment up to (not including) the newline.
    fn skip_comment(&mut self) {
        while let Some(c) = self.raw_peek() {
            if c == '\n' {
                break;
            }
            self.raw_bump();
        }
    }

    fn skip_blank_lines(&mut self) {
        loop {
            self.skip_blanks();
            match self.peek() {
                Some('\n') => self.bump(),
                Some('#') => self.skip_comment(),
                _ => break,
            }
        }
    }

    /// Enters one level of `$(`, `${` or backquote nesting.
    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_NESTING {
            return Err(hard(format!("expansions nested too deeply (this console allows {MAX_NESTING} levels)")));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The operator token at the current position, as bash names it in syntax errors.
    fn token_here(&mut self) -> String {
        let (a, b) = (self.peek(), self.peek2());
        let token = match (a, b) {
            (None | Some('\n'), _) => "newline",
            (Some(';'), Some(';')) => ";;",
            (Some('&'), Some('&')) => "&&",
            (Some('&'), Some('>')) => "&>",
            (Some('|'), Some('|')) => "||",
            (Some('>'), Some('>')) => ">>",
            (Some('<'), Some('<')) => "<<",
            (Some(c), _) if is_word_end(c) => return c.to_string(),
            (Some(_), _) => {
                // A word: bash quotes its raw text.
                let mut text = String::new();
                let mut i = self.pos;
                while let Some(c) = self.raw_at(i) {
                    if is_word_end(c) || text.len() >= 64 {
                        break;
                    }
                    text.push(c);
                    i += 1;
                }
                return text;
            }
        };
        token.to_string()
    }

    /// Rejects an operator where a command must start.
    fn check_command_start(&mut self, in_subst: bool) -> PResult<()> {
        match self.peek() {
            Some(';' | '|') => Err(unexpected(&self.token_here())),
            Some('&') if self.peek2() != Some('>') => Err(unexpected(&self.token_here())),
            Some(')') if !in_subst => Err(unexpected(")")),
            Some('(') => Err(hard("subshells `( ... )' are not supported in this console")),
            _ => Ok(()),
        }
    }

    /// After `&&` or `||`: another command must follow, possibly on a later line.
    fn expect_command_after(&mut self, in_subst: bool) -> PResult<()> {
        self.skip_blank_lines();
        match self.peek() {
            None if in_subst => Err(eof_matching(')')),
            None => Err(eof("syntax error: unexpected end of file")),
            Some(')') if in_subst => Err(unexpected(")")),
            _ => Ok(()),
        }
    }

    /// A list of commands, up to the end of input or (inside `$(`) the closing `)`.
    fn parse_script(&mut self, in_subst: bool) -> PResult<Script> {
        let mut items = Vec::new();
        loop {
            self.skip_blank_lines();
            match self.peek() {
                None if in_subst => return Err(eof_matching(')')),
                None => break,
                Some(')') if in_subst => {
                    self.bump();
                    break;
                }
                _ => {}
            }
            self.check_command_start(in_subst)?;
            let command = self.parse_simple_command()?;
            if command.is_empty() {
                return Err(unexpected(&self.token_here()));
            }
            self.skip_blanks();
            let connector = match self.peek() {
                None => Connector::Sequence,
                Some('\n') => {
                    self.bump();
                    Connector::Sequence
                }
                Some(';') => {
                    if self.peek2() == Some(';') {
                        return Err(unexpected(";;"));
                    }
                    self.bump();
                    Connector::Sequence
                }
                Some('&') if self.peek2() == Some('&') => {
                    self.bump();
                    self.bump();
                    self.expect_command_after(in_subst)?;
                    Connector::And
                }
                Some('&') => {
                    self.bump();
                    Connector::Background
                }
                Some('|') if self.peek2() == Some('|') => {
                    self.bump();
                    self.bump();
                    self.expect_command_after(in_subst)?;
                    Connector::Or
                }
                Some('|') => {
                    return Err(hard(
                        "pipes (`|') are not supported in this console; \
                         run the commands one at a time or redirect to a file",
                    ))
                }
                Some(')') if in_subst => Connector::Sequence,
                Some(_) => return Err(unexpected(&self.token_here())),
            };
            items.push(ListItem { command, connector });
        }
        Ok(Script { items })
    }

    fn parse_simple_command(&mut self) -> PResult<SimpleCommand> {
        let mut cmd = SimpleCommand::default();
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else { break };
            match c {
                '\n' | ';' | '|' | ')' => break,
                '&' if self.peek2() == Some('>') => self.parse_redirect(None, &mut cmd)?,
                '&' => break,
                '#' => {
                    self.skip_comment();
                    break;
                }
                '(' => {
                    self.bump();
                    self.skip_blanks();
                    if self.peek() == Some(')') {
                        return Err(hard("function definitions are not supported in this console"));
                    }
                    return Err(unexpected(&self.token_here()));
                }
                '<' | '>' => self.parse_redirect(None, &mut cmd)?,
                _ => {
                    let word = self.parse_word()?;
                    if let Some(fd) = word.bare().and_then(io_number) {
                        if matches!(self.raw_peek(), Some('<' | '>')) {
                            self.parse_redirect(Some(fd), &mut cmd)?;
                            continue;
                        }
                    }
                    if cmd.words.is_empty() {
                        match split_assignment(word) {
                            Ok(assignment) => cmd.assignments.push(assignment),
                            Err(word) => cmd.words.push(word),
                        }
                    } else {
                        cmd.words.push(word);
                    }
                }
            }
        }
        if let Some(name) = cmd.words.first().and_then(Word::bare) {
            if KEYWORDS.contains(&name) {
                return Err(hard(format!(
                    "shell keyword `{name}' is not supported in this console \
                     (only simple commands joined by ;, &&, || and &)"
                )));
            }
        }
        Ok(cmd)
    }

    /// A redirection operator (at the current position) and its target.
    fn parse_redirect(&mut self, fd: Option<u32>, cmd: &mut SimpleCommand) -> PResult<()> {
        let Some(op) = self.peek() else {
            return Ok(());
        };
        self.bump();
        enum Shape {
            Plain(RedirectKind),
            Dup(RedirectKind),
            Both(RedirectKind),
        }
        let shape = match op {
            '<' => match self.peek() {
                Some('<') => return Err(hard("here-documents (`<<') are not supported in this console")),
                Some('>') => return Err(hard("`<>' redirections are not supported in this console")),
                Some('&') => {
                    self.bump();
                    Shape::Dup(RedirectKind::Read)
                }
                _ => Shape::Plain(RedirectKind::Read),
            },
            '&' => {
                // `&>` or `&>>`; the caller saw the `>`.
                self.bump();
                if self.peek() == Some('>') {
                    self.bump();
                    Shape::Both(RedirectKind::Append)
                } else {
                    Shape::Both(RedirectKind::Write)
                }
            }
            _ => match self.peek() {
                Some('>') => {
                    self.bump();
                    Shape::Plain(RedirectKind::Append)
                }
                Some('|') => {
                    self.bump();
                    Shape::Plain(RedirectKind::Write)
                }
                Some('&') => {
                    self.bump();
                    Shape::Dup(RedirectKind::Write)
                }
                _ => Shape::Plain(RedirectKind::Write),
            },
        };
        self.skip_blanks();
        match self.peek() {
            None | Some('\n') => return Err(unexpected("newline")),
            Some(c) if is_word_end(c) => return Err(unexpected(&self.token_here())),
            _ => {}
        }
        let target = self.parse_word()?;
        let default_fd = |kind: RedirectKind| match kind {
            RedirectKind::Read => 0,
            _ => 1,
        };
        match shape {
            Shape::Plain(kind) => cmd.redirects.push(Redirect {
                fd: fd.unwrap_or(default_fd(kind)),
                kind,
                target: RedirectTarget::File(target),
            }),
            Shape::Both(kind) => both(cmd, kind, target),
            Shape::Dup(kind) => {
                let fd = fd.unwrap_or(default_fd(kind));
                match target.bare() {
                    Some(text) if io_number(text).is_some() => {
                        let to = io_number(text).unwrap_or_default();
                        cmd.redirects.push(Redirect { fd, kind, target: RedirectTarget::Fd(to) });
                    }
                    Some("-") => return Err(hard("closing file descriptors (`>&-') is not supported in this console")),
                    _ if kind == RedirectKind::Write && fd == 1 => {
                        both(cmd, RedirectKind::Write, target);
                    }
                    _ => {
                        let shown = target.literal().unwrap_or_default();
                        return Err(hard(format!("{shown}: ambiguous redirect")));
                    }
                }
            }
        }
        Ok(())
    }

    /// An unquoted word of a command, up to a blank or an operator character.
    fn parse_word(&mut self) -> PResult<Word> {
        let mut parts = Vec::new();
        if self.peek() == Some('~') {
            let after = self.peek2();
            if after.is_none_or(|c| c == '/' || is_word_end(c)) {
                self.bump();
                parts.push(WordPart::Tilde);
            }
        }
        while let Some(c) = self.peek() {
            if is_word_end(c) {
                break;
            }
            self.bump();
            match c {
                '\\' => match self.raw_peek() {
                    Some(next) => {
                        self.raw_bump();
                        push_char(&mut parts, next, true);
                    }
                    None => {
                        push_literal(&mut parts, "\\", false);
                        self.wants_more = true;
                    }
                },
                '\'' => {
                    let text = self.single_quoted()?;
                    push_literal(&mut parts, &text, true);
                }
                '"' => self.double_quoted(&mut parts)?,
                '$' => self.dollar(false, &mut parts)?,
                '`' => {
                    let part = self.backquoted(false)?;
                    parts.push(part);
                }
                _ => push_char(&mut parts, c, false),
            }
        }
        Ok(Word { parts })
    }

    /// The body of `'...'` (the opening quote consumed).
    fn single_quoted(&mut self) -> PResult<String> {
        let mut text = String::new();
        loop {
            match self.raw_peek() {
                None => return Err(eof_matching('\'')),
                Some('\'') => {
                    self.raw_bump();
                    return Ok(text);
                }
                Some(c) => {
                    self.raw_bump();
                    text.push(c);
                }
            }
        }
    }

    /// The body of `"..."` (the opening quote consumed).
    fn double_quoted(&mut self, parts: &mut Vec<WordPart>) -> PResult<()> {
        let before = parts.len();
        loop {
            let Some(c) = self.peek() else {
                return Err(eof_matching('"'));
            };
            self.bump();
            match c {
                '"' => break,
                '\\' => match self.raw_peek() {
                    Some(next @ ('$' | '`' | '"' | '\\')) => {
                        self.raw_bump();
                        push_char(parts, next, true);
                    }
                    _ => push_char(parts, '\\', true),
                },
                '$' => self.dollar(true, parts)?,
                '`' => {
                    let part = self.backquoted(true)?;
                    parts.push(part);
                }
                _ => push_char(parts, c, true),
            }
        }
        if parts.len() == before {
            // `""` is still one (empty) word; mark it with an empty quoted literal.
            push_literal(parts, "", true);
        }
        Ok(())
    }

    /// What follows a `$` (already consumed).
    fn dollar(&mut self, quoted: bool, parts: &mut Vec<WordPart>) -> PResult<()> {
        match self.peek() {
            Some('(') => {
                self.bump();
                if self.peek() == Some('(') {
                    return Err(hard("arithmetic expansion `$((...))' is not supported in this console"));
                }
                self.enter()?;
                let script = self.parse_script(true)?;
                self.leave();
                parts.push(WordPart::CommandSubst { script, quoted });
            }
            Some('{') => {
                self.bump();
                self.enter()?;
                let part = self.braced_param(quoted)?;
                self.leave();
                parts.push(part);
            }
            Some('\'') if !quoted => {
                self.bump();
                let text = self.ansi_c_quoted()?;
                push_literal(parts, &text, true);
            }
            Some('"') if !quoted => {
                // `$"..."` (a translatable string) behaves like `"..."` here.
                self.bump();
                self.double_quoted(parts)?;
            }
            Some(c) if is_name_start(c) => {
                let mut name = String::new();
                while let Some(c) = self.peek() {
                    if !is_name_char(c) {
                        break;
                    }
                    self.bump();
                    name.push(c);
                }
                parts.push(WordPart::Var { name, quoted });
            }
            Some(c) if c.is_ascii_digit() || "?$!#@*-".contains(c) => {
                self.bump();
                parts.push(WordPart::Var { name: c.to_string(), quoted });
            }
            _ => push_char(parts, '$', quoted),
        }
        Ok(())
    }

    /// `${...}` after the `${`.
    fn braced_param(&mut self, quoted: bool) -> PResult<WordPart> {
        let start = self.pos;
        let mut length = false;
        if self.peek() == Some('#') && self.peek2() != Some('}') {
            self.bump();
            length = true;
        }
        let mut name = String::new();
        match self.peek() {
            Some(c) if is_name_start(c) => {
                while let Some(c) = self.peek() {
                    if !is_name_char(c) {
                        break;
                    }
                    self.bump();
                    name.push(c);
                }
            }
            Some(c) if c.is_ascii_digit() => {
                while let Some(c) = self.peek() {
                    if !c.is_ascii_digit() {
                        break;
                    }
                    self.bump();
                    name.push(c);
                }
            }
            Some(c) if "?$!#@*-".contains(c) => {
                self.bump();
                name.push(c);
            }
            _ => {}
        }
        if name.is_empty() {
            return Err(self.bad_substitution(start));
        }
        let op_char = self.peek();
        if length {
            return match op_char {
                Some('}') => {
                    self.bump();
                    Ok(WordPart::Param { name, op: ParamOp::Length, quoted })
                }
                _ => Err(self.bad_substitution(start)),
            };
        }
        let (alternative, if_empty) = match op_char {
            None => return Err(eof_matching('}')),
            Some('}') => {
                self.bump();
                return Ok(WordPart::Var { name, quoted });
            }
            Some(':') => match self.peek2() {
                Some('-') => (false, true),
                Some('+') => (true, true),
                _ => return Err(self.unsupported_param(start)),
            },
            Some('-') => (false, false),
            Some('+') => (true, false),
            Some('%' | '/' | '^' | ',' | '=' | '?' | '#' | '@') => return Err(self.unsupported_param(start)),
            Some(_) => return Err(self.bad_substitution(start)),
        };
        if if_empty {
            self.bump();
        }
        self.bump();
        let word = self.param_word(quoted)?;
        let op =
            if alternative { ParamOp::Alternative { word, if_empty } } else { ParamOp::Default { word, if_empty } };
        Ok(WordPart::Param { name, op, quoted })
    }

    /// The raw text of `${...}` from `start` to the closing brace, for error messages.
    fn brace_text(&self, start: usize) -> Result<String, Fail> {
        let mut text = String::from("${");
        let mut i = start;
        loop {
            match self.raw_at(i) {
                None => return Err(eof_matching('}')),
                Some('}') => {
                    text.push('}');
                    return Ok(text);
                }
                Some(c) => text.push(c),
            }
            i += 1;
        }
    }

    fn bad_substitution(&self, start: usize) -> Fail {
        match self.brace_text(start) {
            Ok(text) => hard(format!("{text}: bad substitution")),
            Err(fail) => fail,
        }
    }

    fn unsupported_param(&self, start: usize) -> Fail {
        match self.brace_text(start) {
            Ok(text) => hard(format!("{text}: this form of parameter expansion is not supported in this console")),
            Err(fail) => fail,
        }
    }

    /// The word of `${NAME:-word}` up to the closing brace (consumed).
    fn param_word(&mut self, quoted: bool) -> PResult<Word> {
        let mut parts = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(eof_matching('}'));
            };
            self.bump();
            match c {
                '}' => break,
                '\\' => match self.raw_peek() {
                    None => return Err(eof_matching('}')),
                    Some(next) if !quoted || "$`\"\\}".contains(next) => {
                        self.raw_bump();
                        push_char(&mut parts, next, true);
                    }
                    Some(_) => push_char(&mut parts, '\\', true),
                },
                '\'' if !quoted => {
                    let text = self.single_quoted()?;
                    push_literal(&mut parts, &text, true);
                }
                '"' => self.double_quoted(&mut parts)?,
                '$' => self.dollar(quoted, &mut parts)?,
                '`' => {
                    let part = self.backquoted(quoted)?;
                    parts.push(part);
                }
                _ => push_char(&mut parts, c, quoted),
            }
        }
        Ok(Word { parts })
    }

    /// The body of `$'...'` (after the quote) with C-style escapes decoded.
    fn ansi_c_quoted(&mut self) -> PResult<String> {
        let mut text = String::new();
        loop {
            let Some(c) = self.raw_peek() else {
                return Err(eof_matching('\''));
            };
            self.raw_bump();
            match c {
                '\'' => return Ok(text),
                '\\' => {
                    let Some(e) = self.raw_peek() else {
                        return Err(eof_matching('\''));
                    };
                    self.raw_bump();
                    match e {
                        'n' => text.push('\n'),
                        't' => text.push('\t'),
                        'r' => text.push('\r'),
                        'a' => text.push('\u{7}'),
                        'b' => text.push('\u{8}'),
                        'e' | 'E' => text.push('\u{1b}'),
                        'f' => text.push('\u{c}'),
                        'v' => text.push('\u{b}'),
                        '\\' | '\'' | '"' | '?' => text.push(e),
                        'x' => {
                            let value = self.raw_digits(16, 2);
                            match value.and_then(char::from_u32) {
                                Some(ch) => text.push(ch),
                                None => text.push_str("\\x"),
                            }
                        }
                        '0'..='7' => {
                            let mut value = e.to_digit(8).unwrap_or(0);
                            for _ in 0..2 {
                                match self.raw_peek().and_then(|d| d.to_digit(8)) {
                                    Some(d) => {
                                        self.raw_bump();
                                        value = value * 8 + d;
                                    }
                                    None => break,
                                }
                            }
                            if let Some(ch) = char::from_u32(value & 0xff) {
                                text.push(ch);
                            }
                        }
                        other => {
                            text.push('\\');
                            text.push(other);
                        }
                    }
                }
                _ => text.push(c),
            }
        }
    }

    /// Up to `max` raw digits in `radix`; None when there is none.
    fn raw_digits(&mut self, radix: u32, max: usize) -> Option<u32> {
        let mut value: Option<u32> = None;
        for _ in 0..max {
            match self.raw_peek().and_then(|d| d.to_digit(radix)) {
                Some(d) => {
                    self.raw_bump();
                    value = Some(value.unwrap_or(0) * radix + d);
                }
                None => break,
            }
        }
        value
    }

    /// `` `...` `` after the opening backquote: the body is unescaped and parsed anew.
    fn backquoted(&mut self, quoted: bool) -> PResult<WordPart> {
        self.enter()?;
        let mut body = String::new();
        loop {
            let Some(c) = self.raw_peek() else {
                return Err(eof_matching('`'));
            };
            self.raw_bump();
            match c {
                '`' => break,
                '\\' => match self.raw_peek() {
                    Some(next @ ('`' | '\\' | '$')) => {
                        self.raw_bump();
                        body.push(next);
                    }
                    Some('"') if quoted => {
                        self.raw_bump();
                        body.push('"');
                    }
                    _ => body.push('\\'),
                },
                _ => body.push(c),
            }
        }
        let mut inner = Parser::new(&body, self.depth);
        let script = inner.parse_script(false).map_err(|fail| Fail { incomplete: false, ..fail })?;
        self.leave();
        Ok(WordPart::CommandSubst { script, quoted })
    }
}

/// A redirection's file-descriptor number: a short all-digit word.
fn io_number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Adds `&> target` (or `&>>`): stdout to the file and stderr to stdout.
fn both(cmd: &mut SimpleCommand, kind: RedirectKind, target: Word) {
    cmd.redirects.push(Redirect { fd: 1, kind, target: RedirectTarget::File(target) });
    cmd.redirects.push(Redirect { fd: 2, kind: RedirectKind::Write, target: RedirectTarget::Fd(1) });
}

/// Splits `NAME=value` into its name and value word; gives the word back otherwise.
fn split_assignment(word: Word) -> Result<(String, Word), Word> {
    let Some(WordPart::Literal { text, quoted: false }) = word.parts.first() else {
        return Err(word);
    };
    let Some(eq) = text.find('=') else {
        return Err(word);
    };
    let name = &text[..eq];
    if !is_valid_name(name) {
        return Err(word);
    }
    let name = name.to_string();
    let rest = text[eq + 1..].to_string();
    let mut value = Vec::new();
    let more = word.parts.len() > 1;
    if rest == "~" && !more {
        value.push(WordPart::Tilde);
    } else if let Some(after) = rest.strip_prefix("~/") {
        value.push(WordPart::Tilde);
        value.push(WordPart::Literal { text: format!("/{after}"), quoted: false });
    } else if !rest.is_empty() {
        value.push(WordPart::Literal { text: rest, quoted: false });
    }
    value.extend(word.parts.into_iter().skip(1));
    Ok((name, Word { parts: value }))
}

/// What expansion needs from the console: variables, running `$(...)`, and globbing.
pub(crate) trait ShellHost {
    /// A variable's value (shell or environment), or a special parameter such as `?`.
    fn var(&self, name: &str) -> Option<String>;
    /// Runs a command substitution and returns its standard output.
    fn capture(&mut self, script: &Script) -> Result<String, ShellError>;
    /// Paths matching a glob pattern, sorted; empty when nothing matches (the word then
    /// stays as typed, as in bash). In the pattern, characters that were quoted are
    /// escaped with a backslash. The default matches nothing.
    fn glob(&mut self, _pattern: &str) -> Vec<String> {
        Vec::new()
    }
}

/// One field being built during expansion.
#[derive(Default)]
struct Field {
    text: String,
    /// The same text as a glob pattern (quoted metacharacters escaped).
    pattern: String,
    /// Whether an unquoted glob metacharacter occurs.
    globby: bool,
}

#[derive(Default)]
struct Fields {
    done: Vec<Field>,
    current: Field,
    started: bool,
}

fn is_glob_meta(c: char) -> bool {
    matches!(c, '*' | '?' | '[')
}

impl Fields {
    fn push_quoted(&mut self, s: &str) {
        self.current.text.push_str(s);
        for c in s.chars() {
            if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                self.current.pattern.push('\\');
            }
            self.current.pattern.push(c);
        }
        self.started = true;
    }

    fn push_unquoted_char(&mut self, c: char) {
        self.current.text.push(c);
        self.current.pattern.push(c);
        self.current.globby |= is_glob_meta(c);
        self.started = true;
    }

    fn push_unquoted(&mut self, s: &str) {
        for c in s.chars() {
            self.push_unquoted_char(c);
        }
    }

    /// An unquoted expansion: split on blanks and newlines.
    fn push_split(&mut self, s: &str) {
        for c in s.chars() {
            if matches!(c, ' ' | '\t' | '\n') {
                self.finish();
            } else {
                self.push_unquoted_char(c);
            }
        }
    }

    fn push_value(&mut self, s: &str, quoted: bool) {
        if quoted {
            self.push_quoted(s);
        } else {
            self.push_split(s);
        }
    }

    fn finish(&mut self) {
        if self.started {
            self.done.push(std::mem::take(&mut self.current));
            self.started = false;
        }
    }
}

fn param_value(name: &str, op: &ParamOp, host: &mut dyn ShellHost) -> Result<Result<String, Word>, ShellError> {
    let value = host.var(name);
    Ok(match op {
        ParamOp::Length => Ok(value.unwrap_or_default().chars().count().to_string()),
        ParamOp::Default { word, if_empty } => match value {
            Some(v) if !(*if_empty && v.is_empty()) => Ok(v),
            _ => Err(word.clone()),
        },
        ParamOp::Alternative { word, if_empty } => match value {
            Some(v) if !(*if_empty && v.is_empty()) => Err(word.clone()),
            _ => Ok(String::new()),
        },
    })
}

fn strip_trailing_newlines(mut s: String) -> String {
    while s.ends_with('\n') {
        s.pop();
    }
    s
}

fn expand_part(part: &WordPart, host: &mut dyn ShellHost, fields: &mut Fields) -> Result<(), ShellError> {
    match part {
        WordPart::Literal { text, quoted } => {
            if *quoted {
                fields.push_quoted(text);
            } else {
                fields.push_unquoted(text);
            }
        }
        WordPart::Var { name, quoted } => {
            let value = host.var(name).unwrap_or_default();
            fields.push_value(&value, *quoted);
        }
        WordPart::Param { name, op, quoted } => {
            if *quoted {
                fields.started = true;
            }
            match param_value(name, op, host)? {
                Ok(value) => fields.push_value(&value, *quoted),
                Err(word) => {
                    // The operator's word expands in place; its unquoted text splits too.
                    for inner in &word.parts {
                        match inner {
                            WordPart::Literal { text, quoted: false } => fields.push_split(text),
                            _ => expand_part(inner, host, fields)?,
                        }
                    }
                }
            }
        }
        WordPart::CommandSubst { script, quoted } => {
            let out = strip_trailing_newlines(host.capture(script)?);
            fields.push_value(&out, *quoted);
        }
        WordPart::Tilde => match host.var("HOME") {
            Some(home) => fields.push_quoted(&home),
            None => fields.push_unquoted("~"),
        },
    }
    Ok(())
}

/// Expands one word into fields: variables and substitutions are replaced, unquoted
/// results are split on blanks and newlines, an unquoted empty result yields no field,
/// `""` yields one empty field, and unquoted glob patterns are matched through the host.
pub(crate) fn expand_word(word: &Word, host: &mut dyn ShellHost) -> Result<Vec<String>, ShellError> {
    let mut fields = Fields::default();
    for part in &word.parts {
        expand_part(part, host, &mut fields)?;
    }
    fields.finish();
    let mut out = Vec::new();
    for field in fields.done {
        if field.globby {
            let matches = host.glob(&field.pattern);
            if !matches.is_empty() {
                out.extend(matches);
                continue;
            }
        }
        out.push(field.text);
    }
    Ok(out)
}

/// Expands each word (see [`expand_word`]) and concatenates the fields.
pub(crate) fn expand_words(words: &[Word], host: &mut dyn ShellHost) -> Result<Vec<String>, ShellError> {
    let mut out = Vec::new();
    for word in words {
        out.extend(expand_word(word, host)?);
    }
    Ok(out)
}

/// Expands a word to one string without field splitting or globbing, as bash does for
/// assignment values and (here) redirection targets.
pub(crate) fn expand_to_string(word: &Word, host: &mut dyn ShellHost) -> Result<String, ShellError> {
    let mut out = String::new();
    for part in &word.parts {
        match part {
            WordPart::Literal { text, .. } => out.push_str(text),
            WordPart::Var { name, .. } => out.push_str(&host.var(name).unwrap_or_default()),
            WordPart::Param { name, op, .. } => match param_value(name, op, host)? {
                Ok(value) => out.push_str(&value),
                Err(word) => out.push_str(&expand_to_string(&word, host)?),
            },
            WordPart::CommandSubst { script, .. } => {
                out.push_str(&strip_trailing_newlines(host.capture(script)?));
            }
            WordPart::Tilde => match host.var("HOME") {
                Some(home) => out.push_str(&home),
                None => out.push('~'),
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vec_map::VecMap;
    use proptest::prelude::*;

    /// A host with fixed variables whose command substitutions understand `echo`,
    /// `printf` (no newline) and `fail`, and whose globs come from a fixed file list.
    #[derive(Default)]
    struct FakeHost {
        vars: VecMap<String, String>,
        files: Vec<String>,
        globbed: Vec<String>,
        captures: usize,
    }

    impl FakeHost {
        fn with(vars: &[(&str, &str)]) -> Self {
            Self { vars: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..Self::default() }
        }
    }

    impl ShellHost for FakeHost {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned()
        }

        fn capture(&mut self, script: &Script) -> Result<String, ShellError> {
            self.captures += 1;
            let mut out = String::new();
            for item in &script.items {
                let words = expand_words(&item.command.words, self)?;
                match words.split_first() {
                    Some((cmd, args)) if cmd == "echo" => {
                        out.push_str(&args.join(" "));
                        out.push('\n');
                    }
                    Some((cmd, args)) if cmd == "printf" => out.push_str(&args.concat()),
                    Some((cmd, _)) if cmd == "fail" => return Err(ShellError::new("failed")),
                    _ => {}
                }
            }
            Ok(out)
        }

        fn glob(&mut self, pattern: &str) -> Vec<String> {
            self.globbed.push(pattern.to_string());
            let prefix = pattern.trim_end_matches('*');
            if pattern.ends_with('*') && !prefix.contains(['*', '?', '[', '\\']) {
                self.files.iter().filter(|f| f.starts_with(prefix)).cloned().collect()
            } else {
                Vec::new()
            }
        }
    }

    fn lit(text: &str) -> WordPart {
        WordPart::Literal { text: text.to_string(), quoted: false }
    }

    fn qlit(text: &str) -> WordPart {
        WordPart::Literal { text: text.to_string(), quoted: true }
    }

    fn word(parts: Vec<WordPart>) -> Word {
        Word { parts }
    }

    fn plain(text: &str) -> Word {
        word(vec![lit(text)])
    }

    fn one(text: &str) -> SimpleCommand {
        let script = parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(script.items.len(), 1, "{text:?}");
        script.items[0].command.clone()
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(script) => panic!("{text:?} parsed: {script:?}"),
            Err(e) => e.message,
        }
    }

    /// Parses `text` as one command and expands its words.
    fn run(text: &str, host: &mut FakeHost) -> Vec<String> {
        let cmd = one(text);
        expand_words(&cmd.words, host).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    // ------------------------------------------------------------ continuation

    #[test]
    fn workflow_continuation_lines() {
        let lines = [
            "bin/kafka-storage.sh format --standalone \\",
            "    -t $KAFKA_CLUSTER_ID \\",
            "    -c config/kraft/reconfig-server.properties",
        ];
        assert!(needs_more_input(lines[0]));
        assert!(needs_more_input(&lines[..2].join("\n")));
        let full = lines.join("\n");
        assert!(!needs_more_input(&full));
        let cmd = one(&full);
        assert_eq!(cmd.words.len(), 7);
        assert_eq!(cmd.words[0], plain("bin/kafka-storage.sh"));
        assert_eq!(cmd.words[3], plain("-t"));
        assert_eq!(cmd.words[4], word(vec![WordPart::Var { name: "KAFKA_CLUSTER_ID".into(), quoted: false }]));
        assert_eq!(cmd.words[6], plain("config/kraft/reconfig-server.properties"));
    }

    #[test]
    fn workflow_lines_parse() {
        let cmd = one("KAFKA_CLUSTER_ID=$(bin/kafka-storage.sh random-uuid)");
        assert!(cmd.words.is_empty());
        assert_eq!(cmd.assignments.len(), 1);
        let (name, value) = &cmd.assignments[0];
        assert_eq!(name, "KAFKA_CLUSTER_ID");
        let [WordPart::CommandSubst { script, quoted }] = value.parts.as_slice() else {
            panic!("{value:?}");
        };
        assert!(!quoted);
        assert_eq!(script.items[0].command.words, vec![plain("bin/kafka-storage.sh"), plain("random-uuid")]);

        let cmd = one("echo -e \"foo\\nbar\" > test.txt");
        assert_eq!(cmd.words, vec![plain("echo"), plain("-e"), word(vec![qlit("foo\\nbar")])]);
        assert_eq!(
            cmd.redirects,
            vec![Redirect { fd: 1, kind: RedirectKind::Write, target: RedirectTarget::File(plain("test.txt")) }]
        );

        let cmd = one("cat config/kraft/reconfig-server.properties");
        assert_eq!(cmd.words.len(), 2);

        let script = parse("kafka-console-consumer.sh --topic t --bootstrap-server localhost:9092 &").unwrap();
        assert_eq!(script.items.len(), 1);
        assert_eq!(script.items[0].connector, Connector::Background);
        assert_eq!(script.items[0].command.words.len(), 5);
    }

    #[test]
    fn needs_more_input_cases() {
        for text in [
            "echo \\",
            "echo a \\\n",
            "echo a \\\n\\\n",
            "echo 'a",
            "echo 'a\nb",
            "echo \"a",
            "echo \"a\\",
            "echo \"a\\\"",
            "echo $(ls",
            "echo $(echo \")\"",
            "echo $(echo $(ls)",
            "echo \"$(ls\"",
            "echo `ls",
            "echo ${A",
            "echo ${A:-x",
            "echo $'a",
            "ls &&",
            "ls ||",
            "ls && \n",
            "ls &&\n# comment\n",
        ] {
            assert!(needs_more_input(text), "{text:?}");
        }
        for text in [
            "",
            "   ",
            "echo a",
            "echo \\\\",
            "echo '\\'",
            "echo \"\\\\\"",
            "# comment \\",
            "echo a # comment \\",
            "echo 'a\nb'",
            "echo $(ls)",
            "echo \"$(echo ')')\"",
            "ls &",
            "ls;",
            "&& ls \\",
            "echo a | \\",
            "echo \"a\" \\\nb",
        ] {
            assert!(!needs_more_input(text), "{text:?}");
        }
    }

    #[test]
    fn continuation_is_removed_everywhere_but_single_quotes() {
        assert_eq!(one("ec\\\nho a").words, vec![plain("echo"), plain("a")]);
        assert_eq!(one("echo \"a\\\nb\"").words[1], word(vec![qlit("ab")]));
        assert_eq!(one("echo 'a\\\nb'").words[1], word(vec![qlit("a\\\nb")]));
        // `&\<newline>&` is still `&&`.
        let script = parse("true &\\\n& false").unwrap();
        assert_eq!(script.items[0].connector, Connector::And);
    }

    // ------------------------------------------------------------ quoting

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(one("echo 'a b'").words[1], word(vec![qlit("a b")]));
        assert_eq!(one("echo 'a\"$X'").words[1], word(vec![qlit("a\"$X")]));
        assert_eq!(
            one("echo \"a $X b\"").words[1],
            word(vec![qlit("a "), WordPart::Var { name: "X".into(), quoted: true }, qlit(" b")])
        );
        assert_eq!(one("echo \"\\\" \\\\ \\$ \\` \\n\"").words[1], word(vec![qlit("\" \\ $ ` \\n")]));
        assert_eq!(one("echo a\\ b").words[1], word(vec![lit("a"), qlit(" "), lit("b")]));
        assert_eq!(one("echo 'it'\\''s'").words[1].literal().as_deref(), Some("it's"));
        assert_eq!(one("echo ''").words[1], word(vec![qlit("")]));
        assert_eq!(one("echo \"\"").words[1], word(vec![qlit("")]));
        assert_eq!(one("echo $'a\\tb\\x41\\''").words[1], word(vec![qlit("a\tbA'")]));
        assert_eq!(one("echo $\"hi\"").words[1], word(vec![qlit("hi")]));
        assert_eq!(one("echo a$").words[1], word(vec![lit("a$")]));
        assert_eq!(one("echo \"$\"").words[1], word(vec![qlit("$")]));
        assert_eq!(one("echo \\").words[1], word(vec![lit("\\")]));
    }

    #[test]
    fn variables() {
        let var = |name: &str, quoted| WordPart::Var { name: name.into(), quoted };
        assert_eq!(one("echo $A_1b").words[1], word(vec![var("A_1b", false)]));
        assert_eq!(one("echo ${A}x").words[1], word(vec![var("A", false), lit("x")]));
        assert_eq!(one("echo $A-x").words[1], word(vec![var("A", false), lit("-x")]));
        for special in ["?", "$", "!", "#", "@", "*", "-", "0", "1"] {
            assert_eq!(one(&format!("echo ${special}")).words[1], word(vec![var(special, false)]));
        }
        assert_eq!(one("echo ${10}").words[1], word(vec![var("10", false)]));
        assert_eq!(one("echo ${#}").words[1], word(vec![var("#", false)]));
        assert_eq!(
            one("echo ${#A}").words[1],
            word(vec![WordPart::Param { name: "A".into(), op: ParamOp::Length, quoted: false }])
        );
        assert_eq!(
            one("echo \"${A:-x y}\"").words[1],
            word(vec![WordPart::Param {
                name: "A".into(),
                op: ParamOp::Default { word: word(vec![qlit("x y")]), if_empty: true },
                quoted: true
            }])
        );
    }

    #[test]
    fn tilde_only_at_word_start() {
        assert_eq!(one("cd ~").words[1], word(vec![WordPart::Tilde]));
        assert_eq!(one("cd ~/x").words[1], word(vec![WordPart::Tilde, lit("/x")]));
        assert_eq!(one("echo a~").words[1], plain("a~"));
        assert_eq!(one("echo ~user").words[1], plain("~user"));
        assert_eq!(one("echo '~'").words[1], word(vec![qlit("~")]));
        let cmd = one("D=~/data");
        assert_eq!(cmd.assignments[0].1, word(vec![WordPart::Tilde, lit("/data")]));
    }

    // ------------------------------------------------------------ substitution

    #[test]
    fn nested_command_substitution() {
        let cmd = one("echo $(echo $(echo hi))");
        let [WordPart::CommandSubst { script, .. }] = cmd.words[1].parts.as_slice() else {
            panic!("{cmd:?}");
        };
        let inner = &script.items[0].command.words[1];
        assert!(matches!(inner.parts.as_slice(), [WordPart::CommandSubst { .. }]));
        let mut host = FakeHost::default();
        assert_eq!(run("echo $(echo $(echo hi))", &mut host), strings(&["echo", "hi"]));
        assert_eq!(host.captures, 2);
        assert_eq!(run("echo \"$(echo \"a  b\")\"", &mut host), strings(&["echo", "a  b"]));
        assert_eq!(run("echo $(echo ')')", &mut host), strings(&["echo", ")"]));
        assert_eq!(run("echo $(echo a; echo b)", &mut host), strings(&["echo", "a", "b"]));
        assert_eq!(run("echo $(\necho a\n)", &mut host), strings(&["echo", "a"]));
        assert_eq!(run("echo $()x", &mut host), strings(&["echo", "x"]));
    }

    #[test]
    fn backquotes() {
        let mut host = FakeHost::default();
        assert_eq!(run("echo `echo hi`", &mut host), strings(&["echo", "hi"]));
        assert_eq!(run("echo \"`echo a  b`\"", &mut host), strings(&["echo", "a b"]));
        assert_eq!(run("echo `echo \\`echo in\\``", &mut host), strings(&["echo", "in"]));
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!("{}echo hi{}", "$(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}echo hi{}", "$(".repeat(MAX_NESTING + 1), ")".repeat(MAX_NESTING + 1));
        assert!(err(&deep).contains("nested too deeply"));
        let braces = format!("{}{}", "${A:-".repeat(100), "}".repeat(100));
        assert!(err(&braces).contains("nested too deeply"));
        let huge = "$(".repeat(100_000);
        assert!(parse(&huge).is_err());
        assert!(!needs_more_input(&huge));
    }

    #[test]
    fn adversarial_inputs_finish() {
        // Each is around a megabyte; the parser is linear (times the nesting bound).
        let nested = format!("{}x{}", "$(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        let inputs = [
            "\\\n".repeat(300_000),
            format!("echo {nested}; ").repeat(20_000),
            "${A:-".repeat(MAX_NESTING).repeat(20_000),
            "`".repeat(1_000_000),
            "a &&\n".repeat(200_000),
            "'".repeat(1_000_001),
            "\"$(\"".repeat(300_000),
            "# \\\n".repeat(300_000),
            "x=".repeat(500_000),
            "2>&1 ".repeat(200_000),
        ];
        for text in &inputs {
            let _ = needs_more_input(text);
            let _ = parse(text);
        }
        let script = parse(&format!("echo {nested}; ").repeat(1000)).unwrap();
        assert_eq!(script.items.len(), 1000);
    }

    // ------------------------------------------------------------ comments, lists

    #[test]
    fn comments() {
        assert!(parse("# just a comment").unwrap().is_empty());
        assert!(parse("   # indented").unwrap().is_empty());
        assert!(parse("").unwrap().is_empty());
        assert!(parse("\n\n  \n").unwrap().is_empty());
        assert_eq!(one("echo a # b c").words, vec![plain("echo"), plain("a")]);
        assert_eq!(one("echo a#b").words[1], plain("a#b"));
        assert_eq!(one("echo '#'").words[1], word(vec![qlit("#")]));
        assert_eq!(one("echo \\#").words[1], word(vec![qlit("#")]));
        let script = parse("echo a # one\necho b # two").unwrap();
        assert_eq!(script.items.len(), 2);
    }

    #[test]
    fn connectors() {
        let script = parse("a && b || c; d & e\nf").unwrap();
        let got: Vec<(String, Connector)> =
            script.items.iter().map(|i| (i.command.words[0].literal().unwrap(), i.connector)).collect();
        let expected = [
            ("a", Connector::And),
            ("b", Connector::Or),
            ("c", Connector::Sequence),
            ("d", Connector::Background),
            ("e", Connector::Sequence),
            ("f", Connector::Sequence),
        ];
        assert_eq!(got, expected.iter().map(|(n, c)| (n.to_string(), *c)).collect::<Vec<_>>());
        let script = parse("a &&\n\n  b").unwrap();
        assert_eq!(script.items.len(), 2);
        let script = parse("a&b&").unwrap();
        assert_eq!(script.items[0].connector, Connector::Background);
        assert_eq!(script.items[1].connector, Connector::Background);
        assert_eq!(parse("a;").unwrap().items.len(), 1);
    }

    // ------------------------------------------------------------ assignments

    #[test]
    fn assignments() {
        let cmd = one("A=1");
        assert_eq!(cmd.assignments, vec![("A".into(), plain("1"))]);
        assert!(cmd.words.is_empty());
        let cmd = one("A=");
        assert_eq!(cmd.assignments, vec![("A".into(), word(vec![]))]);
        let cmd = one("A=1 B=\"x y\" cmd C=3");
        assert_eq!(cmd.assignments.len(), 2);
        assert_eq!(cmd.assignments[1], ("B".into(), word(vec![qlit("x y")])));
        assert_eq!(cmd.words, vec![plain("cmd"), plain("C=3")]);
        assert_eq!(one("1A=2").words, vec![plain("1A=2")]);
        assert_eq!(one("\"A\"=2").words.len(), 1);
        assert_eq!(one("=x").words, vec![plain("=x")]);
        let cmd = one("A=a=b");
        assert_eq!(cmd.assignments, vec![("A".into(), plain("a=b"))]);

        let mut host = FakeHost::with(&[("X", "a  b")]);
        let cmd = one("A=$X");
        let value = expand_to_string(&cmd.assignments[0].1, &mut host).unwrap();
        assert_eq!(value, "a  b");
    }

    // ------------------------------------------------------------ redirections

    #[test]
    fn redirections() {
        let file = |fd, kind, name: &str| Redirect { fd, kind, target: RedirectTarget::File(plain(name)) };
        let dup = |fd, to| Redirect { fd, kind: RedirectKind::Write, target: RedirectTarget::Fd(to) };
        use RedirectKind::*;
        assert_eq!(one("echo a > f").redirects, vec![file(1, Write, "f")]);
        assert_eq!(one("echo a>f").redirects, vec![file(1, Write, "f")]);
        assert_eq!(one("echo a >> f").redirects, vec![file(1, Append, "f")]);
        assert_eq!(one("cat < f").redirects, vec![file(0, Read, "f")]);
        assert_eq!(one("cmd 2> err").redirects, vec![file(2, Write, "err")]);
        assert_eq!(one("cmd 2>>err").redirects, vec![file(2, Append, "err")]);
        assert_eq!(one("cmd > out 2>&1").redirects, vec![file(1, Write, "out"), dup(2, 1)]);
        assert_eq!(one("cmd >&2").redirects, vec![dup(1, 2)]);
        assert_eq!(one("cmd 1>&2").redirects, vec![dup(1, 2)]);
        assert_eq!(one("cmd &> all").redirects, vec![file(1, Write, "all"), dup(2, 1)]);
        assert_eq!(one("cmd &>> all").redirects, vec![file(1, Append, "all"), dup(2, 1)]);
        assert_eq!(one("cmd >& all").redirects, vec![file(1, Write, "all"), dup(2, 1)]);
        assert_eq!(one("cmd >| f").redirects, vec![file(1, Write, "f")]);
        // Digits glued to a word are part of it; a separate number is an argument.
        let cmd = one("echo a2>f");
        assert_eq!(cmd.words, vec![plain("echo"), plain("a2")]);
        assert_eq!(cmd.redirects, vec![file(1, Write, "f")]);
        let cmd = one("echo 2 >f");
        assert_eq!(cmd.words, vec![plain("echo"), plain("2")]);
        // A redirection alone, and before the command.
        let cmd = one("> empty.txt");
        assert!(cmd.words.is_empty());
        assert_eq!(cmd.redirects, vec![file(1, Write, "empty.txt")]);
        let cmd = one("<in cat");
        assert_eq!(cmd.words, vec![plain("cat")]);
        assert_eq!(one("echo > \"my file\"").redirects[0].target, RedirectTarget::File(word(vec![qlit("my file")])));
    }

    // ------------------------------------------------------------ errors

    #[test]
    fn error_texts() {
        let cases = [
            ("&& ls", "syntax error near unexpected token `&&'"),
            ("|| ls", "syntax error near unexpected token `||'"),
            ("; ls", "syntax error near unexpected token `;'"),
            ("& ls", "syntax error near unexpected token `&'"),
            ("echo a; ;", "syntax error near unexpected token `;'"),
            ("echo a &;", "syntax error near unexpected token `;'"),
            ("echo a ;;", "syntax error near unexpected token `;;'"),
            ("echo a && && b", "syntax error near unexpected token `&&'"),
            ("echo (a)", "syntax error near unexpected token `a'"),
            ("echo a )", "syntax error near unexpected token `)'"),
            ("echo >", "syntax error near unexpected token `newline'"),
            ("echo > ;", "syntax error near unexpected token `;'"),
            ("echo > >", "syntax error near unexpected token `>'"),
            ("echo >>", "syntax error near unexpected token `newline'"),
            ("echo 2>&1 >", "syntax error near unexpected token `newline'"),
            ("echo \"a", "unexpected EOF while looking for matching `\"'"),
            ("echo 'a", "unexpected EOF while looking for matching `''"),
            ("echo `a", "unexpected EOF while looking for matching ``'"),
            ("echo $(ls", "unexpected EOF while looking for matching `)'"),
            ("echo ${A", "unexpected EOF while looking for matching `}'"),
            ("echo ${a b}", "${a b}: bad substitution"),
            ("echo ${}", "${}: bad substitution"),
            ("echo ${1a}", "${1a}: bad substitution"),
            ("echo \"${a b}\"", "${a b}: bad substitution"),
            ("ls &&", "syntax error: unexpected end of file"),
            ("ls ||  # nothing", "syntax error: unexpected end of file"),
            ("echo $(ls &&)", "syntax error near unexpected token `)'"),
        ];
        for (text, expected) in cases {
            assert_eq!(err(text), expected, "{text:?}");
        }
    }

    #[test]
    fn unsupported_syntax_is_explained() {
        let pipe = err("kafka-topics.sh --list | grep t");
        assert!(pipe.contains("pipes") && pipe.contains("not supported in this console"));
        assert!(err("ls |").contains("pipes"));
        assert!(err("ls |& cat").contains("pipes"));
        assert!(err("cat <<EOF").contains("here-documents"));
        assert!(err("(cd /tmp && ls)").contains("subshells"));
        assert!(err("echo $((1 + 2))").contains("arithmetic"));
        assert!(err("for i in 1 2; do echo $i; done").contains("`for'"));
        assert!(err("if true; then echo; fi").contains("`if'"));
        assert!(err("f() { echo; }").contains("function definitions"));
        assert!(err("echo ${A%x}").contains("not supported"));
        assert!(err("echo ${A:0:1}").contains("not supported"));
        assert!(err("cmd 2>&-").contains("not supported"));
        assert!(err("cmd 2>&file").contains("ambiguous redirect"));
        // Quoted keywords are ordinary command names.
        assert_eq!(one("'for' x").words.len(), 2);
        assert_eq!(one("echo for do done").words.len(), 4);
    }

    // ------------------------------------------------------------ expansion

    #[test]
    fn field_splitting() {
        let mut host = FakeHost::with(&[("A", " x  y "), ("E", ""), ("T", "a\tb\nc")]);
        assert_eq!(run("echo $A", &mut host), strings(&["echo", "x", "y"]));
        assert_eq!(run("echo \"$A\"", &mut host), strings(&["echo", " x  y "]));
        assert_eq!(run("echo p$A\"q\"", &mut host), strings(&["echo", "p", "x", "y", "q"]));
        assert_eq!(run("echo $T", &mut host), strings(&["echo", "a", "b", "c"]));
        assert_eq!(run("echo $E", &mut host), strings(&["echo"]));
        assert_eq!(run("echo $UNSET", &mut host), strings(&["echo"]));
        assert_eq!(run("echo \"$E\"", &mut host), strings(&["echo", ""]));
        assert_eq!(run("echo \"\"", &mut host), strings(&["echo", ""]));
        assert_eq!(run("echo ''", &mut host), strings(&["echo", ""]));
        assert_eq!(run("echo $E\"\"", &mut host), strings(&["echo", ""]));
        assert_eq!(run("echo x$E", &mut host), strings(&["echo", "x"]));
        assert_eq!(run("echo ${A}z", &mut host), strings(&["echo", "x", "y", "z"]));
    }

    #[test]
    fn substitution_strips_trailing_newlines_only() {
        let mut host = FakeHost::default();
        assert_eq!(run("echo \"$(printf 'a\n\nb\n\n\n')\"", &mut host), strings(&["echo", "a\n\nb"]));
        assert_eq!(run("echo \"[$(printf '')]\"", &mut host), strings(&["echo", "[]"]));
        assert_eq!(run("echo $(printf '')", &mut host), strings(&["echo"]));
        let cmd = one("echo $(fail)");
        assert_eq!(expand_words(&cmd.words, &mut host), Err(ShellError::new("failed")));
    }

    #[test]
    fn parameter_operators() {
        let mut host = FakeHost::with(&[("SET", "v"), ("EMPTY", ""), ("S", "a b")]);
        let cases = [
            ("echo ${SET:-d}", vec!["echo", "v"]),
            ("echo ${UNSET:-d}", vec!["echo", "d"]),
            ("echo ${EMPTY:-d}", vec!["echo", "d"]),
            ("echo ${EMPTY-d}", vec!["echo"]),
            ("echo ${UNSET-d e}", vec!["echo", "d", "e"]),
            ("echo \"${UNSET-d e}\"", vec!["echo", "d e"]),
            ("echo ${UNSET:-\"d e\"}", vec!["echo", "d e"]),
            ("echo ${UNSET:-$S}", vec!["echo", "a", "b"]),
            ("echo ${UNSET:-$(echo sub)}", vec!["echo", "sub"]),
            ("echo ${SET:+alt}", vec!["echo", "alt"]),
            ("echo ${EMPTY:+alt}", vec!["echo"]),
            ("echo ${EMPTY+alt}", vec!["echo", "alt"]),
            ("echo ${UNSET+alt}", vec!["echo"]),
            ("echo \"${UNSET:-}\"", vec!["echo", ""]),
            ("echo ${#S}", vec!["echo", "3"]),
            ("echo ${#UNSET}", vec!["echo", "0"]),
            ("echo ${UNSET:-${SET}}", vec!["echo", "v"]),
            ("echo ${UNSET:-a\\}b}", vec!["echo", "a}b"]),
        ];
        for (text, expected) in cases {
            assert_eq!(run(text, &mut host), strings(&expected), "{text:?}");
        }
        let cmd = one("X=${UNSET:-a b}");
        assert_eq!(expand_to_string(&cmd.assignments[0].1, &mut host).unwrap(), "a b");
    }

    #[test]
    fn tilde_expansion() {
        let mut host = FakeHost::with(&[("HOME", "/root")]);
        assert_eq!(run("ls ~ ~/x a~", &mut host), strings(&["ls", "/root", "/root/x", "a~"]));
        let mut homeless = FakeHost::default();
        assert_eq!(run("ls ~/x", &mut homeless), strings(&["ls", "~/x"]));
    }

    #[test]
    fn globbing_goes_through_the_host() {
        let mut host =
            FakeHost { files: strings(&["config/a.properties", "config/b.properties"]), ..FakeHost::default() };
        assert_eq!(run("cat config/*", &mut host), strings(&["cat", "config/a.properties", "config/b.properties"]));
        // No match: the word stays as typed.
        assert_eq!(run("cat nothing*", &mut host), strings(&["cat", "nothing*"]));
        // Quoted metacharacters are not globbed at all, or reach the host escaped.
        host.globbed.clear();
        assert_eq!(run("cat 'config/*'", &mut host), strings(&["cat", "config/*"]));
        assert_eq!(run("cat \\*", &mut host), strings(&["cat", "*"]));
        assert!(host.globbed.is_empty());
        assert_eq!(run("cat '[x]'*", &mut host), strings(&["cat", "[x]*"]));
        assert_eq!(host.globbed, strings(&["\\[x\\]*"]));
    }

    // ------------------------------------------------------------ properties

    /// Single-quotes any text for the shell.
    fn single_quote(s: &str) -> String {
        format!("'{}'", s.replace('\'', "'\\''"))
    }

    /// Double-quotes any text for the shell.
    fn double_quote(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            if matches!(c, '"' | '\\' | '$' | '`') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    }

    /// Backslash-escapes any text for the shell (newlines must be quoted instead).
    fn backslash_quote(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            if c == '\n' {
                out.push_str("'\n'");
            } else {
                out.push('\\');
                out.push(c);
            }
        }
        out
    }

    fn shellish() -> impl Strategy<Value = String> {
        let pieces = vec![
            "$(", ")", "(", "\"", "'", "\\", "\n", "`", "${", "}", " ", "a", "X", "=", "&&", "||", "|", ";", "&", ">",
            ">>", "<", "<<", "#", "~", "*", "2>&1", "$", "#A", ":-", "é", "\u{0}", "\t", "for", "$'", "\\\n",
        ];
        prop::collection::vec(prop::sample::select(pieces), 0..80).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics_on_arbitrary_text(text in any::<String>()) {
            let _ = needs_more_input(&text);
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_shellish_text(text in shellish()) {
            let more = needs_more_input(&text);
            let parsed = parse(&text);
            if more {
                if let Ok(script) = &parsed {
                    // Only a trailing continuation leaves a parsable text incomplete.
                    prop_assert!(text.ends_with('\\') || text.ends_with("\\\n"), "{:?}", script);
                }
            }
            if let Ok(script) = parsed {
                let mut host = FakeHost::with(&[("X", "1 2"), ("HOME", "/root")]);
                for item in &script.items {
                    let _ = expand_words(&item.command.words, &mut host);
                }
            }
        }

        #[test]
        fn long_inputs_are_handled(piece in shellish(), n in 1usize..2000) {
            let text = piece.repeat(n);
            let _ = needs_more_input(&text);
            let _ = parse(&text);
        }

        #[test]
        fn single_quoting_round_trips(s in any::<String>()) {
            let mut host = FakeHost::default();
            let script = parse(&format!("echo {}", single_quote(&s))).unwrap();
            let words = expand_words(&script.items[0].command.words, &mut host).unwrap();
            prop_assert_eq!(words, vec!["echo".to_string(), s]);
        }

        #[test]
        fn double_quoting_round_trips(s in any::<String>()) {
            let mut host = FakeHost::default();
            let script = parse(&format!("echo {}", double_quote(&s))).unwrap();
            let words = expand_words(&script.items[0].command.words, &mut host).unwrap();
            prop_assert_eq!(words, vec!["echo".to_string(), s]);
        }

        #[test]
        fn backslash_quoting_round_trips(s in any::<String>()) {
            let mut host = FakeHost::default();
            let script = parse(&format!("echo {}", backslash_quote(&s))).unwrap();
            let words = expand_words(&script.items[0].command.words, &mut host).unwrap();
            let expected = if s.is_empty() { vec!["echo".to_string()] } else { vec!["echo".to_string(), s] };
            prop_assert_eq!(words, expected);
        }

        #[test]
        fn unquoted_variables_split_on_blanks(s in "[a-z \t\n]{0,40}") {
            let mut host = FakeHost::with(&[("V", s.as_str())]);
            let script = parse("cmd $V").unwrap();
            let words = expand_words(&script.items[0].command.words, &mut host).unwrap();
            let mut expected = vec!["cmd".to_string()];
            expected.extend(s.split([' ', '\t', '\n']).filter(|f| !f.is_empty()).map(String::from));
            prop_assert_eq!(words, expected);
        }

        #[test]
        fn quoted_substitution_keeps_all_but_trailing_newlines(s in "[a-z \n]{0,40}") {
            let mut host = FakeHost::default();
            let script = parse(&format!("x \"$(printf {})\"", single_quote(&s))).unwrap();
            let words = expand_words(&script.items[0].command.words, &mut host).unwrap();
            prop_assert_eq!(words, vec!["x".to_string(), s.trim_end_matches('\n').to_string()]);
        }

        #[test]
        fn assignment_values_are_not_split(s in any::<String>()) {
            let mut host = FakeHost::with(&[("V", s.as_str())]);
            let script = parse("A=$V").unwrap();
            let (name, value) = &script.items[0].command.assignments[0];
            prop_assert_eq!(name, "A");
            prop_assert_eq!(expand_to_string(value, &mut host).unwrap(), s);
        }
    }
}
