//! The console's built-in commands: the bash builtins and GNU coreutils a student uses
//! around the Kafka tools (`echo`, `cat`, `ls`, `cd`, `export`, `mkdir`, `head`, ...).
//!
//! Each one runs against the in-memory [`Vfs`] and the shell's variables, and returns what
//! it wrote to stdout and stderr and its exit status. Messages follow bash and coreutils
//! (C locale) wording: `ls: cannot access 'x': No such file or directory`,
//! `bash: cd: x: No such file or directory`, `ls: invalid option -- 'z'`. Options may be
//! clustered (`-rf`) and, as in GNU tools, may follow the operands; `--` ends them.
//!
//! `help` is not here: the console itself provides it.

use crate::vec_map::VecMap;

use super::shell::is_valid_name;
use super::vfs::{Vfs, VfsError, VfsErrorKind};

/// What a builtin printed and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BuiltinOutput {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) status: i32,
}

impl BuiltinOutput {
    fn out(stdout: impl Into<String>) -> Self {
        Self { stdout: stdout.into(), ..Self::default() }
    }

    fn fail(stderr: impl Into<String>, status: i32) -> Self {
        Self { stderr: stderr.into(), status, ..Self::default() }
    }

    /// Adds an error line and marks the command failed with `status`.
    fn error(&mut self, line: &str, status: i32) {
        self.stderr.push_str(line);
        self.stderr.push('\n');
        self.status = status;
    }
}

/// Runs builtin `name` with its (already expanded) arguments; None when `name` is not a
/// builtin. `stdin` is the redirected standard input, if any (`cat < file`); without it
/// the commands that would read the terminal read nothing.
pub(crate) fn run_builtin(
    name: &str,
    args: &[String],
    stdin: Option<&str>,
    vfs: &mut Vfs,
    vars: &mut VecMap<String, String>,
) -> Option<BuiltinOutput> {
    let out = match name {
        "echo" => echo(args),
        "cat" => cat(args, stdin, vfs),
        "more" => more(args, stdin, vfs),
        "ls" => ls(args, vfs),
        "pwd" => pwd(args, vfs),
        "cd" => cd(args, vfs, vars),
        "export" => export(args, vars),
        "unset" => unset(args, vars),
        "env" => env(args, vars),
        "printenv" => printenv(args, vars),
        "mkdir" => mkdir(args, vfs),
        "rm" => rm(args, vfs),
        "touch" => touch(args, vfs),
        "head" => head_tail(true, args, stdin, vfs),
        "tail" => head_tail(false, args, stdin, vfs),
        "wc" => wc(args, stdin, vfs),
        "true" | ":" => BuiltinOutput::default(),
        "false" => BuiltinOutput::fail("", 1),
        "clear" => BuiltinOutput::out("\u{c}"),
        _ => return None,
    };
    Some(out)
}

/// Options parsed GNU style.
#[derive(Debug, Default)]
struct Opts {
    flags: Vec<char>,
    values: Vec<(char, String)>,
    operands: Vec<String>,
}

impl Opts {
    fn has(&self, flag: char) -> bool {
        self.flags.contains(&flag)
    }

    fn value(&self, flag: char) -> Option<&str> {
        self.values.iter().rev().find(|(f, _)| *f == flag).map(|(_, v)| v.as_str())
    }
}

enum OptError {
    Help,
    Message(String),
}

/// The spec of a coreutils command's options.
struct Spec {
    prog: &'static str,
    /// Flags without a value.
    flags: &'static str,
    /// Flags that take a value (`-n 5`, `-n5`).
    valued: &'static str,
    /// Long options and the short flag they stand for.
    long: &'static [(&'static str, char)],
    usage: &'static str,
    /// Exit status on a usage error.
    bad_status: i32,
}

impl Spec {
    fn try_help(&self) -> String {
        format!("Try '{} --help' for more information.\n", self.prog)
    }

    fn parse(&self, args: &[String]) -> Result<Opts, OptError> {
        let mut opts = Opts::default();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            if arg == "--" {
                opts.operands.extend(iter.cloned());
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                if long == "help" {
                    return Err(OptError::Help);
                }
                let (name, value) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let Some(&(_, flag)) = self.long.iter().find(|(l, _)| *l == name) else {
                    return Err(OptError::Message(format!(
                        "{}: unrecognized option '{arg}'\n{}",
                        self.prog,
                        self.try_help()
                    )));
                };
                if self.valued.contains(flag) {
                    match value.or_else(|| iter.next().cloned()) {
                        Some(v) => opts.values.push((flag, v)),
                        None => {
                            return Err(OptError::Message(format!(
                                "{}: option '--{name}' requires an argument\n{}",
                                self.prog,
                                self.try_help()
                            )))
                        }
                    }
                } else if value.is_some() {
                    return Err(OptError::Message(format!(
                        "{}: option '--{name}' doesn't allow an argument\n{}",
                        self.prog,
                        self.try_help()
                    )));
                } else {
                    opts.flags.push(flag);
                }
                continue;
            }
            let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
                opts.operands.push(arg.clone());
                continue;
            };
            for (i, c) in cluster.char_indices() {
                if self.valued.contains(c) {
                    let rest = &cluster[i + c.len_utf8()..];
                    let value = if rest.is_empty() { iter.next().cloned() } else { Some(rest.to_string()) };
                    match value {
                        Some(v) => opts.values.push((c, v)),
                        None => {
                            return Err(OptError::Message(format!(
                                "{}: option requires an argument -- '{c}'\n{}",
                                self.prog,
                                self.try_help()
                            )))
                        }
                    }
                    break;
                }
                if !self.flags.contains(c) {
                    return Err(OptError::Message(format!(
                        "{}: invalid option -- '{c}'\n{}",
                        self.prog,
                        self.try_help()
                    )));
                }
                opts.flags.push(c);
            }
        }
        Ok(opts)
    }

    /// Parses, or gives the output for `--help` or a usage error.
    fn run(&self, args: &[String]) -> Result<Opts, BuiltinOutput> {
        self.parse(args).map_err(|e| match e {
            OptError::Help => BuiltinOutput::out(self.usage),
            OptError::Message(m) => BuiltinOutput::fail(m, self.bad_status),
        })
    }
}

// ---------------------------------------------------------------------------- echo

/// bash's `echo`: `-n` (no newline), `-e` (escapes), `-E` (no escapes, the default).
fn echo(args: &[String]) -> BuiltinOutput {
    let mut newline = true;
    let mut escapes = false;
    let mut rest = args;
    while let Some((first, tail)) = rest.split_first() {
        let Some(flags) = first.strip_prefix('-') else {
            break;
        };
        if flags.is_empty() || !flags.chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            break;
        }
        for c in flags.chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        rest = tail;
    }
    let text = rest.join(" ");
    let mut out = if escapes {
        let (decoded, stop) = echo_escapes(&text);
        if stop {
            return BuiltinOutput::out(decoded);
        }
        decoded
    } else {
        text
    };
    if newline {
        out.push('\n');
    }
    BuiltinOutput::out(out)
}

/// Decodes `echo -e` escapes; the flag is true when `\c` stopped the output.
fn echo_escapes(text: &str) -> (String, bool) {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'c' => return (out, true),
            'e' | 'E' => out.push('\u{1b}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '0' => {
                let mut value = 0u32;
                for _ in 0..3 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            chars.next();
                            value = value * 8 + d;
                        }
                        None => break,
                    }
                }
                if let Some(ch) = char::from_u32(value & 0xff) {
                    out.push(ch);
                }
            }
            'x' | 'u' | 'U' => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut digits = 0;
                let mut value = 0u32;
                while digits < max {
                    match chars.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            chars.next();
                            value = value.saturating_mul(16).saturating_add(d);
                            digits += 1;
                        }
                        None => break,
                    }
                }
                match (digits, char::from_u32(value)) {
                    (0, _) => {
                        out.push('\\');
                        out.push(e);
                    }
                    (_, Some(ch)) => out.push(ch),
                    (_, None) => out.push('\u{fffd}'),
                }
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    (out, false)
}

// --------------------------------------------------------------------------- more

/// util-linux `more` writing to a pipe-like terminal: the whole text at once (the page
/// scrolls), several files each under a `::::::::::::::` banner.
fn more(args: &[String], stdin: Option<&str>, vfs: &Vfs) -> BuiltinOutput {
    let mut out = BuiltinOutput::default();
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-') || a.as_str() == "-").collect();
    if files.is_empty() {
        match stdin {
            Some(text) => out.stdout.push_str(text),
            None => out.error("more: bad usage\nTry 'more --help' for more information.", 1),
        }
        return out;
    }
    for file in &files {
        if vfs.is_dir(file) {
            out.stdout.push_str(&format!("\n*** {file}: directory ***\n\n"));
            continue;
        }
        match vfs.read(file) {
            Ok(text) => {
                if files.len() > 1 {
                    out.stdout.push_str(&format!("::::::::::::::\n{file}\n::::::::::::::\n"));
                }
                out.stdout.push_str(text);
            }
            Err(e) => out.error(&format!("more: cannot open {file}: {}", e.kind.reason()), 1),
        }
    }
    out
}

// ---------------------------------------------------------------------------- cat

const CAT: Spec = Spec {
    prog: "cat",
    flags: "nu",
    valued: "",
    long: &[("number", 'n')],
    usage: "Usage: cat [OPTION]... [FILE]...\n\
            Print FILEs (or standard input for - or no FILE) one after another.\n\
            \n  -n, --number   number the output lines\n",
    bad_status: 1,
};

fn cat(args: &[String], stdin: Option<&str>, vfs: &Vfs) -> BuiltinOutput {
    let opts = match CAT.run(args) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let mut out = BuiltinOutput::default();
    let mut text = String::new();
    let operands = if opts.operands.is_empty() { vec!["-".to_string()] } else { opts.operands.clone() };
    for operand in &operands {
        if operand == "-" {
            text.push_str(stdin.unwrap_or(""));
            continue;
        }
        match vfs.read(operand) {
            Ok(contents) => text.push_str(contents),
            Err(e) => out.error(&format!("cat: {e}"), 1),
        }
    }
    out.stdout = if opts.has('n') {
        text.split_inclusive('\n').enumerate().map(|(i, line)| format!("{:>6}\t{line}", i + 1)).collect()
    } else {
        text
    };
    out
}

// ---------------------------------------------------------------------------- ls

const LS: Spec = Spec {
    prog: "ls",
    flags: "aAl1hdF",
    valued: "",
    long: &[("all", 'a'), ("almost-all", 'A'), ("human-readable", 'h'), ("directory", 'd'), ("classify", 'F')],
    usage: "Usage: ls [OPTION]... [FILE]...\n\
            List the files in each directory FILE (the current directory by default).\n\
            \n  -a  include names starting with .   -A  same, without . and ..\n  \
            -l  long listing                      -1  one name per line\n  \
            -d  list directories themselves       -F  mark directories with /\n",
    bad_status: 2,
};

/// What `ls` prints for one entry.
struct Entry {
    name: String,
    is_dir: bool,
    size: usize,
}

fn entry_for(vfs: &Vfs, path: &str, name: String) -> Entry {
    let is_dir = vfs.is_dir(path);
    let size = if is_dir { 4096 } else { vfs.read(path).map_or(0, str::len) };
    Entry { name, is_dir, size }
}

fn is_executable(entry: &Entry) -> bool {
    !entry.is_dir && entry.name.ends_with(".sh")
}

fn format_entries(entries: &[Entry], opts: &Opts, with_total: bool) -> String {
    let decorate = |e: &Entry| {
        let mut name = e.name.clone();
        if opts.has('F') {
            if e.is_dir {
                name.push('/');
            } else if is_executable(e) {
                name.push('*');
            }
        }
        name
    };
    if opts.has('l') {
        let width = entries.iter().map(|e| e.size.to_string().len()).max().unwrap_or(1);
        let mut out = String::new();
        if with_total {
            let blocks: usize = entries.iter().map(|e| e.size.div_ceil(4096) * 4).sum();
            out.push_str(&format!("total {blocks}\n"));
        }
        for e in entries {
            let (mode, links) = if e.is_dir {
                ("drwxr-xr-x", 2)
            } else if is_executable(e) {
                ("-rwxr-xr-x", 1)
            } else {
                ("-rw-r--r--", 1)
            };
            out.push_str(&format!("{mode} {links} root root {:>width$} Mar 18  2025 {}\n", e.size, decorate(e)));
        }
        out
    } else if entries.is_empty() {
        String::new()
    } else if opts.has('1') {
        entries.iter().map(|e| decorate(e) + "\n").collect()
    } else {
        let names: Vec<String> = entries.iter().map(decorate).collect();
        names.join("  ") + "\n"
    }
}

fn ls(args: &[String], vfs: &Vfs) -> BuiltinOutput {
    let opts = match LS.run(args) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let mut out = BuiltinOutput::default();
    let operands = if opts.operands.is_empty() { vec![".".to_string()] } else { opts.operands.clone() };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for operand in &operands {
        if vfs.is_dir(operand) && !opts.has('d') {
            dirs.push(operand.clone());
        } else if vfs.is_file(operand) && !operand.ends_with('/') || vfs.is_dir(operand) {
            files.push(operand.clone());
        } else {
            let reason = match vfs.read(operand) {
                Err(VfsError { kind, .. }) if kind != VfsErrorKind::IsADirectory => kind,
                _ => VfsErrorKind::NotFound,
            };
            out.error(&format!("ls: cannot access '{operand}': {}", reason.reason()), 2);
        }
    }
    crate::sort::sort(&mut files);
    crate::sort::sort(&mut dirs);
    let mut sections = Vec::new();
    if !files.is_empty() {
        let entries: Vec<Entry> = files.iter().map(|f| entry_for(vfs, f, f.clone())).collect();
        sections.push(format_entries(&entries, &opts, false));
    }
    for dir in &dirs {
        let names = match vfs.list(dir) {
            Ok(names) => names,
            Err(e) => {
                out.error(&format!("ls: cannot open directory '{dir}': {}", e.kind.reason()), 2);
                continue;
            }
        };
        let mut entries = Vec::new();
        if opts.has('a') {
            for special in [".", ".."] {
                entries.push(Entry { name: special.to_string(), is_dir: true, size: 4096 });
            }
        }
        for name in names {
            if name.starts_with('.') && !opts.has('a') && !opts.has('A') {
                continue;
            }
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            entries.push(entry_for(vfs, &path, name));
        }
        let mut section = String::new();
        if operands.len() > 1 {
            section.push_str(&format!("{dir}:\n"));
        }
        section.push_str(&format_entries(&entries, &opts, true));
        sections.push(section);
    }
    out.stdout = sections.join("\n");
    out
}

// ---------------------------------------------------------------------------- pwd, cd

fn bash_invalid_option(builtin: &str, arg: &str, usage: &str) -> BuiltinOutput {
    let option: String = arg.chars().take(2).collect();
    BuiltinOutput::fail(format!("bash: {builtin}: {option}: invalid option\n{builtin}: usage: {usage}\n"), 2)
}

fn pwd(args: &[String], vfs: &Vfs) -> BuiltinOutput {
    for arg in args {
        if arg.starts_with('-') && arg != "-" && arg != "--" && arg != "-L" && arg != "-P" {
            return bash_invalid_option("pwd", arg, "pwd [-LP]");
        }
    }
    BuiltinOutput::out(format!("{}\n", vfs.cwd()))
}

fn cd(args: &[String], vfs: &mut Vfs, vars: &mut VecMap<String, String>) -> BuiltinOutput {
    let mut operands = Vec::new();
    let mut options_done = false;
    for arg in args {
        if !options_done && arg == "--" {
            options_done = true;
        } else if !options_done && arg.starts_with('-') && arg != "-" {
            if !matches!(arg.as_str(), "-L" | "-P" | "-e" | "-@") {
                return bash_invalid_option("cd", arg, "cd [-L|[-P [-e]] [-@]] [dir]");
            }
        } else {
            options_done = true;
            operands.push(arg.as_str());
        }
    }
    let mut print = false;
    let target = match operands.as_slice() {
        [] => vars.get("HOME").cloned().unwrap_or_else(|| super::vfs::HOME.to_string()),
        ["-"] => match vars.get("OLDPWD") {
            Some(old) => {
                print = true;
                old.clone()
            }
            None => return BuiltinOutput::fail("bash: cd: OLDPWD not set\n", 1),
        },
        [dir] => dir.to_string(),
        _ => return BuiltinOutput::fail("bash: cd: too many arguments\n", 1),
    };
    if target.is_empty() {
        return BuiltinOutput::default();
    }
    let old = vfs.cwd().to_string();
    if let Err(e) = vfs.set_cwd(&target) {
        return BuiltinOutput::fail(format!("bash: cd: {e}\n"), 1);
    }
    let new = vfs.cwd().to_string();
    vars.insert("OLDPWD".to_string(), old);
    vars.insert("PWD".to_string(), new.clone());
    if print {
        BuiltinOutput::out(format!("{new}\n"))
    } else {
        BuiltinOutput::default()
    }
}

// ---------------------------------------------------------------------------- variables

/// `declare -x` quoting of a value: double quotes with `"`, `\`, `$` and `` ` `` escaped.
fn declare_quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn export(args: &[String], vars: &mut VecMap<String, String>) -> BuiltinOutput {
    let mut out = BuiltinOutput::default();
    let mut names = Vec::new();
    let mut options_done = false;
    for arg in args {
        if !options_done && arg == "--" {
            options_done = true;
        } else if !options_done && arg.starts_with('-') && arg.len() > 1 {
            if !arg.chars().skip(1).all(|c| matches!(c, 'p' | 'n' | 'f')) {
                return bash_invalid_option("export", arg, "export [-fn] [name[=value] ...] or export -p");
            }
        } else {
            options_done = true;
            names.push(arg);
        }
    }
    if names.is_empty() {
        for (name, value) in vars.iter().filter(|(n, _)| is_valid_name(n)) {
            out.stdout.push_str(&format!("declare -x {name}={}\n", declare_quote(value)));
        }
        return out;
    }
    for arg in names {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (arg.as_str(), None),
        };
        if !is_valid_name(name) {
            out.error(&format!("bash: export: `{arg}': not a valid identifier"), 1);
            continue;
        }
        if let Some(value) = value {
            vars.insert(name.to_string(), value.to_string());
        }
    }
    out
}

fn unset(args: &[String], vars: &mut VecMap<String, String>) -> BuiltinOutput {
    let mut out = BuiltinOutput::default();
    let mut options_done = false;
    for arg in args {
        if !options_done && arg == "--" {
            options_done = true;
        } else if !options_done && arg.starts_with('-') && arg.len() > 1 {
            if !arg.chars().skip(1).all(|c| matches!(c, 'v' | 'f' | 'n')) {
                return bash_invalid_option("unset", arg, "unset [-f] [-v] [-n] [name ...]");
            }
        } else {
            options_done = true;
            if is_valid_name(arg) {
                vars.remove(arg.as_str());
            } else {
                out.error(&format!("bash: unset: `{arg}': not a valid identifier"), 1);
            }
        }
    }
    out
}

fn environment(vars: &VecMap<String, String>) -> String {
    vars.iter().filter(|(n, _)| is_valid_name(n)).map(|(n, v)| format!("{n}={v}\n")).collect()
}

fn env(args: &[String], vars: &VecMap<String, String>) -> BuiltinOutput {
    let mut merged = vars.clone();
    for arg in args {
        if arg == "--help" {
            return BuiltinOutput::out(
                "Usage: env [NAME=VALUE]...\nPrint the environment, with any NAME=VALUE added.\n",
            );
        }
        if let Some(option) = arg.strip_prefix('-').filter(|o| !o.is_empty()) {
            let c = option.chars().next().unwrap_or('-');
            let message = if option.starts_with('-') {
                format!("env: unrecognized option '{arg}'\n")
            } else {
                format!("env: invalid option -- '{c}'\n")
            };
            return BuiltinOutput::fail(message + "Try 'env --help' for more information.\n", 125);
        }
        match arg.split_once('=') {
            Some((name, value)) if !name.is_empty() => {
                merged.insert(name.to_string(), value.to_string());
            }
            _ => {
                return BuiltinOutput::fail(
                    format!(
                        "env: running a command through env ('{arg}') is not supported in this \
                         console; run it directly, with NAME=value before it\n"
                    ),
                    125,
                )
            }
        }
    }
    BuiltinOutput::out(environment(&merged))
}

fn printenv(args: &[String], vars: &VecMap<String, String>) -> BuiltinOutput {
    let mut out = BuiltinOutput::default();
    if args.is_empty() {
        out.stdout = environment(vars);
        return out;
    }
    for arg in args {
        if arg.starts_with('-') && arg.len() > 1 {
            let c = arg.chars().nth(1).unwrap_or('-');
            return BuiltinOutput::fail(
                format!("printenv: invalid option -- '{c}'\nTry 'printenv --help' for more information.\n"),
                2,
            );
        }
        match vars.get(arg.as_str()) {
            Some(value) if is_valid_name(arg) => out.stdout.push_str(&format!("{value}\n")),
            _ => out.status = 1,
        }
    }
    out
}

// ---------------------------------------------------------------------------- files

const MKDIR: Spec = Spec {
    prog: "mkdir",
    flags: "pv",
    valued: "",
    long: &[("parents", 'p'), ("verbose", 'v')],
    usage: "Usage: mkdir [OPTION]... DIRECTORY...\n\
            Create the DIRECTORY(ies) if they do not already exist.\n\
            \n  -p, --parents   no error if existing, make parent directories as needed\n",
    bad_status: 1,
};

fn mkdir(args: &[String], vfs: &mut Vfs) -> BuiltinOutput {
    let opts = match MKDIR.run(args) {
        Ok(o) => o,
        Err(out) => return out,
    };
    if opts.operands.is_empty() {
        return BuiltinOutput::fail(format!("mkdir: missing operand\n{}", MKDIR.try_help()), 1);
    }
    let mut out = BuiltinOutput::default();
    for dir in &opts.operands {
        let result = if opts.has('p') { vfs.create_dir_all(dir) } else { vfs.create_dir(dir) };
        match result {
            Ok(()) if opts.has('v') => {
                out.stdout.push_str(&format!("mkdir: created directory '{dir}'\n"));
            }
            Ok(()) => {}
            Err(e) => out.error(&format!("mkdir: cannot create directory '{dir}': {}", e.kind.reason()), 1),
        }
    }
    out
}

const RM: Spec = Spec {
    prog: "rm",
    flags: "rRfv",
    valued: "",
    long: &[("recursive", 'r'), ("force", 'f'), ("verbose", 'v')],
    usage: "Usage: rm [OPTION]... [FILE]...\n\
            Remove the FILE(s).\n\
            \n  -f, --force       ignore nonexistent files, never prompt\n  \
            -r, -R, --recursive   remove directories and their contents\n",
    bad_status: 1,
};

fn rm(args: &[String], vfs: &mut Vfs) -> BuiltinOutput {
    let opts = match RM.run(args) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let force = opts.has('f');
    let recursive = opts.has('r') || opts.has('R');
    if opts.operands.is_empty() {
        if force {
            return BuiltinOutput::default();
        }
        return BuiltinOutput::fail(format!("rm: missing operand\n{}", RM.try_help()), 1);
    }
    let mut out = BuiltinOutput::default();
    for path in &opts.operands {
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if last == "." || last == ".." {
            out.error(&format!("rm: refusing to remove '.' or '..' directory: skipping '{path}'"), 1);
            continue;
        }
        if recursive && vfs.resolve(path) == "/" {
            out.error("rm: it is dangerous to operate recursively on '/'", 1);
            out.error("rm: use --no-preserve-root to override this failsafe", 1);
            continue;
        }
        match vfs.remove(path, recursive) {
            Ok(()) if opts.has('v') => out.stdout.push_str(&format!("removed '{path}'\n")),
            Ok(()) => {}
            Err(e) if force && e.kind == VfsErrorKind::NotFound => {}
            Err(e) => out.error(&format!("rm: cannot remove '{path}': {}", e.kind.reason()), 1),
        }
    }
    out
}

const TOUCH: Spec = Spec {
    prog: "touch",
    flags: "acm",
    valued: "",
    long: &[("no-create", 'c')],
    usage: "Usage: touch [OPTION]... FILE...\n\
            Create each FILE that does not exist as an empty file.\n\
            \n  -c, --no-create   do not create any files\n",
    bad_status: 1,
};

fn touch(args: &[String], vfs: &mut Vfs) -> BuiltinOutput {
    let opts = match TOUCH.run(args) {
        Ok(o) => o,
        Err(out) => return out,
    };
    if opts.operands.is_empty() {
        return BuiltinOutput::fail(format!("touch: missing file operand\n{}", TOUCH.try_help()), 1);
    }
    let mut out = BuiltinOutput::default();
    for path in &opts.operands {
        if vfs.exists(path) || opts.has('c') {
            continue;
        }
        if let Err(e) = vfs.write(path, "") {
            out.error(&format!("touch: cannot touch '{path}': {}", e.kind.reason()), 1);
        }
    }
    out
}

// ---------------------------------------------------------------------------- head, tail

const HEAD: Spec = Spec {
    prog: "head",
    flags: "qv",
    valued: "n",
    long: &[("lines", 'n'), ("quiet", 'q'), ("silent", 'q'), ("verbose", 'v')],
    usage: "Usage: head [OPTION]... [FILE]...\n\
            Print the first 10 lines of each FILE.\n\
            \n  -n, --lines=[-]NUM   print the first NUM lines (all but the last NUM with -)\n",
    bad_status: 1,
};

const TAIL: Spec = Spec {
    prog: "tail",
    flags: "qvfF",
    valued: "n",
    long: &[("lines", 'n'), ("quiet", 'q'), ("silent", 'q'), ("verbose", 'v'), ("follow", 'f')],
    usage: "Usage: tail [OPTION]... [FILE]...\n\
            Print the last 10 lines of each FILE.\n\
            \n  -n, --lines=[+]NUM   print the last NUM lines (from line NUM on with +)\n",
    bad_status: 1,
};

/// How many lines `head`/`tail` keep.
enum Count {
    /// head: the first N; tail: the last N.
    Lines(usize),
    /// head `-n -N`: all but the last N; tail `-n +N`: from line N on.
    Other(usize),
}

fn parse_count(prog: &str, text: &str) -> Result<Count, String> {
    let (other, digits) = match (prog, text.chars().next()) {
        ("head", Some('-')) => (true, &text[1..]),
        ("tail", Some('+')) => (true, &text[1..]),
        (_, Some('-' | '+')) => (false, &text[1..]),
        _ => (false, text),
    };
    let valid = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let n = if valid {
        // Absurdly large counts saturate, as the limit is all lines anyway.
        digits.parse::<usize>().unwrap_or(usize::MAX)
    } else {
        return Err(format!("{prog}: invalid number of lines: '{text}'\n"));
    };
    Ok(if other { Count::Other(n) } else { Count::Lines(n) })
}

fn select_lines(head: bool, count: &Count, text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let total = lines.len();
    let range = match (head, count) {
        (true, Count::Lines(n)) => 0..(*n).min(total),
        (true, Count::Other(n)) => 0..total.saturating_sub(*n),
        (false, Count::Lines(n)) => total.saturating_sub(*n)..total,
        (false, Count::Other(n)) => n.saturating_sub(1).min(total)..total,
    };
    lines.get(range).unwrap_or_default().concat()
}

fn head_tail(head: bool, args: &[String], stdin: Option<&str>, vfs: &Vfs) -> BuiltinOutput {
    let spec = if head { &HEAD } else { &TAIL };
    // The obsolete `head -5` form (first argument only) means `-n 5`.
    let mut args = args.to_vec();
    let obsolete = args.first().and_then(|a| {
        a.strip_prefix('-').filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())).map(str::to_string)
    });
    if let Some(digits) = obsolete {
        args.splice(0..1, ["-n".to_string(), digits]);
    }
    let opts = match spec.run(&args) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let count = match opts.value('n') {
        None => Count::Lines(10),
        Some(text) => match parse_count(spec.prog, text) {
            Ok(c) => c,
            Err(message) => return BuiltinOutput::fail(message, 1),
        },
    };
    let operands = if opts.operands.is_empty() { vec!["-".to_string()] } else { opts.operands.clone() };
    let headers = (operands.len() > 1 && !opts.has('q')) || opts.has('v');
    let mut out = BuiltinOutput::default();
    let mut first = true;
    for operand in &operands {
        let text = if operand == "-" {
            stdin.unwrap_or("")
        } else {
            match vfs.read(operand) {
                Ok(text) => text,
                Err(e) if e.kind == VfsErrorKind::IsADirectory => {
                    out.error(&format!("{}: error reading '{operand}': Is a directory", spec.prog), 1);
                    continue;
                }
                Err(e) => {
                    out.error(&format!("{}: cannot open '{operand}' for reading: {}", spec.prog, e.kind.reason()), 1);
                    continue;
                }
            }
        };
        if headers {
            let name = if operand == "-" { "standard input" } else { operand };
            if !first {
                out.stdout.push('\n');
            }
            out.stdout.push_str(&format!("==> {name} <==\n"));
        }
        first = false;
        out.stdout.push_str(&select_lines(head, &count, text));
    }
    out
}

// ---------------------------------------------------------------------------- wc

const WC: Spec = Spec {
    prog: "wc",
    flags: "lwcm",
    valued: "",
    long: &[("lines", 'l'), ("words", 'w'), ("bytes", 'c'), ("chars", 'm')],
    usage: "Usage: wc [OPTION]... [FILE]...\n\
            Print newline, word and byte counts for each FILE.\n\
            \n  -l  lines   -w  words   -m  characters   -c  bytes\n",
    bad_status: 1,
};

/// A `wc` output row: the name shown (none for standard input), the counts, and whether
/// the input was a regular file (GNU pads to 7 columns otherwise).
type WcRow = (Option<String>, Vec<usize>, bool);

fn wc(args: &[String], stdin: Option<&str>, vfs: &Vfs) -> BuiltinOutput {
    let opts = match WC.run(args) {
        Ok(o) => o,
        Err(out) => return out,
    };
    let mut selected: Vec<char> = ['l', 'w', 'm', 'c'].into_iter().filter(|c| opts.has(*c)).collect();
    if selected.is_empty() {
        selected = vec!['l', 'w', 'c'];
    }
    let counts = |text: &str| -> Vec<usize> {
        selected
            .iter()
            .map(|c| match c {
                'l' => text.matches('\n').count(),
                'w' => text.split_whitespace().count(),
                'm' => text.chars().count(),
                _ => text.len(),
            })
            .collect()
    };
    // One row per operand; None for one that could not be read at all.
    let mut rows: Vec<Option<WcRow>> = Vec::new();
    let mut out = BuiltinOutput::default();
    let operands: Vec<Option<&str>> =
        if opts.operands.is_empty() { vec![None] } else { opts.operands.iter().map(|o| Some(o.as_str())).collect() };
    let mut regular_total = 0usize;
    for operand in &operands {
        match operand {
            None | Some("-") => {
                let text = stdin.unwrap_or("");
                // Standard input here can only be a redirected file.
                regular_total += text.len();
                rows.push(Some((operand.map(str::to_string), counts(text), true)));
            }
            Some(path) => match vfs.read(path) {
                Ok(text) => {
                    regular_total += text.len();
                    rows.push(Some((Some(path.to_string()), counts(text), true)));
                }
                Err(e) if e.kind == VfsErrorKind::IsADirectory => {
                    out.error(&format!("wc: {e}"), 1);
                    rows.push(Some((Some(path.to_string()), vec![0; selected.len()], false)));
                }
                Err(e) => {
                    out.error(&format!("wc: {e}"), 1);
                    rows.push(None);
                }
            },
        }
    }
    let width = if matches!(rows.first(), Some(None)) || (selected.len() == 1 && operands.len() == 1) {
        1
    } else {
        let digits = regular_total.max(1).to_string().len();
        let has_irregular = rows.iter().flatten().any(|(_, _, regular)| !regular);
        if has_irregular {
            digits.max(7)
        } else {
            digits
        }
    };
    let format_row = |name: Option<&str>, values: &[usize]| {
        let mut line = values.iter().map(|v| format!("{v:>width$}")).collect::<Vec<_>>().join(" ");
        if let Some(name) = name {
            line.push(' ');
            line.push_str(name);
        }
        line.push('\n');
        line
    };
    let mut totals = vec![0usize; selected.len()];
    for (name, values, _) in rows.iter().flatten() {
        for (total, v) in totals.iter_mut().zip(values) {
            *total += v;
        }
        out.stdout.push_str(&format_row(name.as_deref(), values));
    }
    if operands.len() > 1 {
        out.stdout.push_str(&format_row(Some("total"), &totals));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The names [`run_builtin`] handles.
    const BUILTINS: &[&str] = &[
        ":", "cat", "cd", "clear", "echo", "env", "export", "false", "head", "ls", "mkdir", "printenv", "pwd", "rm",
        "tail", "touch", "true", "unset", "wc",
    ];

    fn is_builtin(name: &str) -> bool {
        let mut vfs = Vfs::new();
        let mut vars = VecMap::new();
        run_builtin(name, &[], Some(""), &mut vfs, &mut vars).is_some()
    }

    struct Env {
        vfs: Vfs,
        vars: VecMap<String, String>,
    }

    impl Env {
        fn new() -> Self {
            let mut vars = VecMap::new();
            vars.insert("HOME".to_string(), "/root".to_string());
            Self { vfs: Vfs::with_kafka_install(), vars }
        }

        fn run_in(&mut self, line: &str, stdin: Option<&str>) -> BuiltinOutput {
            let mut words = line.split_whitespace().map(str::to_string);
            let name = words.next().unwrap_or_default();
            let args: Vec<String> = words.collect();
            run_builtin(&name, &args, stdin, &mut self.vfs, &mut self.vars)
                .unwrap_or_else(|| panic!("{name} is not a builtin"))
        }

        /// Runs a line (split on whitespace: no quoting needed in these tests).
        fn run(&mut self, line: &str) -> BuiltinOutput {
            self.run_in(line, None)
        }

        fn run_args(&mut self, name: &str, args: &[&str]) -> BuiltinOutput {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            run_builtin(name, &args, None, &mut self.vfs, &mut self.vars).unwrap()
        }

        fn stdout(&mut self, line: &str) -> String {
            let out = self.run(line);
            assert_eq!(out.stderr, "", "{line}");
            assert_eq!(out.status, 0, "{line}");
            out.stdout
        }
    }

    fn failed(out: &BuiltinOutput, stderr: &str, status: i32) {
        assert_eq!(out.stderr, stderr);
        assert_eq!(out.status, status);
    }

    #[test]
    fn not_builtins() {
        let mut env = Env::new();
        for name in ["help", "kafka-topics.sh", "bin/kafka-storage.sh", "grep", ""] {
            assert!(run_builtin(name, &[], None, &mut env.vfs, &mut env.vars).is_none(), "{name}");
            assert!(!is_builtin(name));
        }
        for name in BUILTINS {
            assert!(is_builtin(name));
        }
    }

    // ------------------------------------------------------------ echo

    #[test]
    fn echo_options_and_escapes() {
        let mut env = Env::new();
        assert_eq!(env.stdout("echo"), "\n");
        assert_eq!(env.stdout("echo a b"), "a b\n");
        assert_eq!(env.stdout("echo -n a"), "a");
        assert_eq!(env.run_args("echo", &["-e", "foo\\nbar"]).stdout, "foo\nbar\n");
        assert_eq!(env.run_args("echo", &["foo\\nbar"]).stdout, "foo\\nbar\n");
        assert_eq!(env.run_args("echo", &["-e", "-E", "a\\tb"]).stdout, "a\\tb\n");
        assert_eq!(env.run_args("echo", &["-ne", "a\\tb\\\\"]).stdout, "a\tb\\");
        assert_eq!(env.run_args("echo", &["-e", "x\\x41\\0101\\101\\u00e9\\q"]).stdout, "xAA\\101é\\q\n");
        assert_eq!(env.run_args("echo", &["-e", "a\\cb", "c"]).stdout, "a");
        assert_eq!(env.run_args("echo", &["-e", "end\\"]).stdout, "end\\\n");
        assert_eq!(env.stdout("echo -x"), "-x\n");
        assert_eq!(env.stdout("echo - a"), "- a\n");
        assert_eq!(env.stdout("echo -- a"), "-- a\n");
        assert_eq!(env.stdout("echo a -n"), "a -n\n");
    }

    // ------------------------------------------------------------ cat

    #[test]
    fn cat_files_and_stdin() {
        let mut env = Env::new();
        let text = env.stdout("cat config/producer.properties");
        assert!(text.contains("bootstrap.servers=localhost:9092\n"));
        env.vfs.write("a", "1\n2\n").unwrap();
        env.vfs.write("b", "3").unwrap();
        assert_eq!(env.stdout("cat a b"), "1\n2\n3");
        assert_eq!(env.stdout("cat -n a b"), "     1\t1\n     2\t2\n     3\t3");
        assert_eq!(env.run_in("cat", Some("in\n")).stdout, "in\n");
        assert_eq!(env.run_in("cat a - b", Some("in\n")).stdout, "1\n2\nin\n3");
        assert_eq!(env.run("cat").stdout, "");
        let out = env.run("cat x a config LICENSE/x");
        assert_eq!(out.stdout, "1\n2\n");
        failed(
            &out,
            "cat: x: No such file or directory\ncat: config: Is a directory\n\
             cat: LICENSE/x: Not a directory\n",
            1,
        );
        failed(&env.run("cat -z a"), "cat: invalid option -- 'z'\nTry 'cat --help' for more information.\n", 1);
        assert!(env.stdout("cat --help").starts_with("Usage: cat"));
    }

    // ------------------------------------------------------------ ls

    #[test]
    fn ls_directories() {
        let mut env = Env::new();
        assert_eq!(env.stdout("ls"), "LICENSE  NOTICE  bin  config  libs\n");
        assert_eq!(env.stdout("ls ."), "LICENSE  NOTICE  bin  config  libs\n");
        assert_eq!(env.stdout("ls /"), "dev  opt  root  tmp\n");
        assert_eq!(env.stdout("ls libs"), "");
        assert_eq!(
            env.stdout("ls config/kraft"),
            "broker.properties  controller.properties  reconfig-server.properties  \
             server.properties\n"
        );
        assert_eq!(env.stdout("ls -1 /"), "dev\nopt\nroot\ntmp\n");
        assert_eq!(env.stdout("ls -F"), "LICENSE  NOTICE  bin/  config/  libs/\n");
        assert_eq!(env.stdout("ls -a /"), ".  ..  dev  opt  root  tmp\n");
        env.vfs.write("/tmp/.hidden", "").unwrap();
        assert_eq!(env.stdout("ls /tmp"), "");
        assert_eq!(env.stdout("ls -A /tmp"), ".hidden\n");
        assert_eq!(env.stdout("ls /tmp -A"), ".hidden\n");
    }

    #[test]
    fn ls_operands() {
        let mut env = Env::new();
        assert_eq!(env.stdout("ls LICENSE"), "LICENSE\n");
        assert_eq!(env.stdout("ls libs / NOTICE LICENSE"), "LICENSE  NOTICE\n\n/:\ndev  opt  root  tmp\n\nlibs:\n");
        assert_eq!(env.stdout("ls / libs"), "/:\ndev  opt  root  tmp\n\nlibs:\n");
        let out = env.run("ls nope /tmp");
        assert_eq!(out.stdout, "/tmp:\n");
        failed(&out, "ls: cannot access 'nope': No such file or directory\n", 2);
        failed(&env.run("ls x"), "ls: cannot access 'x': No such file or directory\n", 2);
        failed(&env.run("ls LICENSE/"), "ls: cannot access 'LICENSE/': Not a directory\n", 2);
        assert_eq!(env.stdout("ls -d config /"), "/  config\n");
        failed(&env.run("ls -z"), "ls: invalid option -- 'z'\nTry 'ls --help' for more information.\n", 2);
        failed(&env.run("ls --zz"), "ls: unrecognized option '--zz'\nTry 'ls --help' for more information.\n", 2);
        failed(&env.run("ls -- -x"), "ls: cannot access '-x': No such file or directory\n", 2);
    }

    #[test]
    fn ls_long() {
        let mut env = Env::new();
        env.vfs.write("test.txt", "foo\nbar\n").unwrap();
        let text = env.stdout("ls -l");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "total 24");
        assert_eq!(lines.len(), 7);
        assert!(lines[1].starts_with("-rw-r--r-- 1 root root"));
        assert!(lines[1].ends_with(" LICENSE"));
        assert!(lines[3].starts_with("drwxr-xr-x 2 root root 4096 Mar 18  2025 bin"));
        assert!(lines[6].contains("   8 Mar 18  2025 test.txt"));
        let bin = env.stdout("ls -l bin");
        assert!(bin.lines().skip(1).all(|l| l.starts_with("-rwxr-xr-x 1 root root")));
        let one = env.stdout("ls -l test.txt");
        assert_eq!(one, "-rw-r--r-- 1 root root 8 Mar 18  2025 test.txt\n");
        assert_eq!(env.stdout("ls -lF bin").lines().nth(1).map(|l| l.ends_with(".sh*")), Some(true));
    }

    // ------------------------------------------------------------ pwd, cd

    #[test]
    fn pwd_and_cd() {
        let mut env = Env::new();
        assert_eq!(env.stdout("pwd"), "/opt/kafka\n");
        assert_eq!(env.stdout("cd config"), "");
        assert_eq!(env.stdout("pwd"), "/opt/kafka/config\n");
        assert_eq!(env.vars.get("PWD").map(String::as_str), Some("/opt/kafka/config"));
        assert_eq!(env.vars.get("OLDPWD").map(String::as_str), Some("/opt/kafka"));
        assert_eq!(env.stdout("cd -"), "/opt/kafka\n");
        assert_eq!(env.stdout("cd"), "");
        assert_eq!(env.stdout("pwd"), "/root\n");
        env.stdout("cd ../opt/./kafka/..");
        assert_eq!(env.stdout("pwd"), "/opt\n");
        env.stdout("cd ~");
        assert_eq!(env.stdout("pwd"), "/root\n");
        failed(&env.run("cd x"), "bash: cd: x: No such file or directory\n", 1);
        failed(&env.run("cd /opt/kafka/LICENSE"), "bash: cd: /opt/kafka/LICENSE: Not a directory\n", 1);
        failed(&env.run("cd a b"), "bash: cd: too many arguments\n", 1);
        failed(&env.run("cd -z"), "bash: cd: -z: invalid option\ncd: usage: cd [-L|[-P [-e]] [-@]] [dir]\n", 2);
        assert_eq!(env.stdout("pwd"), "/root\n");
        assert_eq!(env.run_args("cd", &[""]).status, 0);
        env.vars.remove("OLDPWD");
        failed(&env.run("cd -"), "bash: cd: OLDPWD not set\n", 1);
        env.vars.remove("HOME");
        env.stdout("cd /tmp");
        env.stdout("cd");
        assert_eq!(env.stdout("pwd"), "/root\n");
        assert_eq!(env.stdout("pwd -P"), "/root\n");
        failed(&env.run("pwd -x"), "bash: pwd: -x: invalid option\npwd: usage: pwd [-LP]\n", 2);
    }

    // ------------------------------------------------------------ variables

    #[test]
    fn export_unset_env() {
        let mut env = Env::new();
        assert_eq!(env.stdout("export A=1 B=x=y"), "");
        assert_eq!(env.vars.get("A").map(String::as_str), Some("1"));
        assert_eq!(env.vars.get("B").map(String::as_str), Some("x=y"));
        assert_eq!(env.stdout("export A"), "");
        assert_eq!(env.vars.get("A").map(String::as_str), Some("1"));
        assert_eq!(env.stdout("export NEW"), "");
        assert!(!env.vars.contains_key("NEW"));
        let out = env.run("export 1a=b C=3");
        failed(&out, "bash: export: `1a=b': not a valid identifier\n", 1);
        assert_eq!(env.vars.get("C").map(String::as_str), Some("3"));
        env.vars.insert("Q".into(), "say \"$hi\"".into());
        env.vars.insert("?".into(), "0".into());
        assert_eq!(
            env.stdout("export"),
            "declare -x A=\"1\"\ndeclare -x B=\"x=y\"\ndeclare -x C=\"3\"\n\
             declare -x HOME=\"/root\"\ndeclare -x Q=\"say \\\"\\$hi\\\"\"\n"
        );
        assert_eq!(env.stdout("export -p"), env.stdout("export"));
        failed(
            &env.run("export -z"),
            "bash: export: -z: invalid option\n\
             export: usage: export [-fn] [name[=value] ...] or export -p\n",
            2,
        );
        assert_eq!(env.stdout("env"), "A=1\nB=x=y\nC=3\nHOME=/root\nQ=say \"$hi\"\n");
        assert_eq!(env.stdout("printenv"), env.stdout("env"));
        assert_eq!(env.stdout("env Z=9 A=0"), "A=0\nB=x=y\nC=3\nHOME=/root\nQ=say \"$hi\"\nZ=9\n");
        assert_eq!(env.stdout("printenv A C"), "1\n3\n");
        let out = env.run("printenv A NOPE");
        assert_eq!((out.stdout.as_str(), out.status), ("1\n", 1));
        assert_eq!(env.run("env kafka-topics.sh").status, 125);
        failed(&env.run("env -z"), "env: invalid option -- 'z'\nTry 'env --help' for more information.\n", 125);
        assert_eq!(env.stdout("unset A B"), "");
        assert!(!env.vars.contains_key("A") && !env.vars.contains_key("B"));
        assert_eq!(env.stdout("unset NEVER_SET"), "");
        failed(&env.run("unset 1a"), "bash: unset: `1a': not a valid identifier\n", 1);
        assert_eq!(env.stdout("unset -v C"), "");
        assert!(!env.vars.contains_key("C"));
    }

    // ------------------------------------------------------------ files

    #[test]
    fn mkdir_touch_rm() {
        let mut env = Env::new();
        assert_eq!(env.stdout("mkdir data"), "");
        assert!(env.vfs.is_dir("data"));
        failed(&env.run("mkdir data"), "mkdir: cannot create directory 'data': File exists\n", 1);
        failed(&env.run("mkdir a/b"), "mkdir: cannot create directory 'a/b': No such file or directory\n", 1);
        assert_eq!(env.stdout("mkdir -p a/b data"), "");
        assert!(env.vfs.is_dir("a/b"));
        failed(&env.run("mkdir"), "mkdir: missing operand\nTry 'mkdir --help' for more information.\n", 1);
        assert_eq!(env.stdout("mkdir -v c"), "mkdir: created directory 'c'\n");

        assert_eq!(env.stdout("touch a/b/f data/g"), "");
        assert_eq!(env.vfs.read("a/b/f").unwrap(), "");
        env.vfs.write("data/g", "keep").unwrap();
        env.stdout("touch data/g");
        assert_eq!(env.vfs.read("data/g").unwrap(), "keep");
        failed(&env.run("touch nope/x"), "touch: cannot touch 'nope/x': No such file or directory\n", 1);
        failed(&env.run("touch"), "touch: missing file operand\nTry 'touch --help' for more information.\n", 1);
        env.stdout("touch -c never");
        assert!(!env.vfs.exists("never"));

        assert_eq!(env.stdout("rm a/b/f"), "");
        assert!(!env.vfs.exists("a/b/f"));
        failed(&env.run("rm a/b/f"), "rm: cannot remove 'a/b/f': No such file or directory\n", 1);
        assert_eq!(env.stdout("rm -f a/b/f"), "");
        failed(&env.run("rm data"), "rm: cannot remove 'data': Is a directory\n", 1);
        assert_eq!(env.stdout("rm -rf data a"), "");
        assert!(!env.vfs.exists("data") && !env.vfs.exists("a"));
        assert_eq!(env.stdout("rm -r -f c"), "");
        failed(&env.run("rm"), "rm: missing operand\nTry 'rm --help' for more information.\n", 1);
        assert_eq!(env.stdout("rm -f"), "");
        failed(&env.run("rm -i x"), "rm: invalid option -- 'i'\nTry 'rm --help' for more information.\n", 1);
        failed(
            &env.run("rm -rf /"),
            "rm: it is dangerous to operate recursively on '/'\n\
             rm: use --no-preserve-root to override this failsafe\n",
            1,
        );
        failed(&env.run("rm -r ."), "rm: refusing to remove '.' or '..' directory: skipping '.'\n", 1);
        assert!(env.vfs.exists("/opt/kafka/bin/kafka-topics.sh"));
    }

    // ------------------------------------------------------------ head, tail, wc

    fn numbered(n: usize) -> String {
        (1..=n).map(|i| format!("{i}\n")).collect()
    }

    #[test]
    fn head_and_tail() {
        let mut env = Env::new();
        env.vfs.write("n", &numbered(15)).unwrap();
        env.vfs.write("short", "a\nb").unwrap();
        assert_eq!(env.stdout("head n"), numbered(10));
        assert_eq!(env.stdout("head -n 3 n"), "1\n2\n3\n");
        assert_eq!(env.stdout("head -n3 n"), "1\n2\n3\n");
        assert_eq!(env.stdout("head -3 n"), "1\n2\n3\n");
        assert_eq!(env.stdout("head --lines=2 n"), "1\n2\n");
        assert_eq!(env.stdout("head -n -13 n"), "1\n2\n");
        assert_eq!(env.stdout("head -n 0 n"), "");
        assert_eq!(env.stdout("head -n 5 short"), "a\nb");
        assert_eq!(env.stdout("tail -n 2 n"), "14\n15\n");
        assert_eq!(env.stdout("tail -2 n"), "14\n15\n");
        assert_eq!(env.stdout("tail -n +14 n"), "14\n15\n");
        assert_eq!(env.stdout("tail -n +0 short"), "a\nb");
        assert_eq!(env.stdout("tail -n 1 short"), "b");
        assert_eq!(env.stdout("tail n"), (6..=15).map(|i| format!("{i}\n")).collect::<String>());
        assert_eq!(env.stdout("tail -f -n 1 n"), "15\n");
        assert_eq!(env.stdout("tail -n 99999999999999999999999 short"), "a\nb");
        assert_eq!(env.run_in("head -n 1", Some("x\ny\n")).stdout, "x\n");
        assert_eq!(env.stdout("head -n 1 n short"), "==> n <==\n1\n\n==> short <==\na\n");
        assert_eq!(env.stdout("head -q -n 1 n short"), "1\na\n");
        assert_eq!(env.run_in("tail -v -n 1", Some("x\n")).stdout, "==> standard input <==\nx\n");
        failed(&env.run("head nope"), "head: cannot open 'nope' for reading: No such file or directory\n", 1);
        failed(&env.run("tail config"), "tail: error reading 'config': Is a directory\n", 1);
        failed(&env.run("head -n x n"), "head: invalid number of lines: 'x'\n", 1);
        failed(
            &env.run("head -n"),
            "head: option requires an argument -- 'n'\nTry 'head --help' for more information.\n",
            1,
        );
        failed(&env.run("tail -z"), "tail: invalid option -- 'z'\nTry 'tail --help' for more information.\n", 1);
    }

    #[test]
    fn wc_counts() {
        let mut env = Env::new();
        env.vfs.write("w1", "a b\nc\n").unwrap();
        env.vfs.write("w2", "hello world foo\n").unwrap();
        assert_eq!(env.stdout("wc -l w1"), "2 w1\n");
        assert_eq!(env.stdout("wc w1"), "2 3 6 w1\n");
        assert_eq!(env.stdout("wc w1 w2"), " 2  3  6 w1\n 1  3 16 w2\n 3  6 22 total\n");
        assert_eq!(env.stdout("wc -l w1 w2"), " 2 w1\n 1 w2\n 3 total\n");
        assert_eq!(env.run_in("wc -l", Some("a b\nc\n")).stdout, "2\n");
        assert_eq!(env.run_in("wc", Some("a b\nc\n")).stdout, "2 3 6\n");
        assert_eq!(env.stdout("wc -m -c w2"), "16 16 w2\n");
        assert_eq!(env.stdout("wc --words w2"), "3 w2\n");
        let out = env.run("wc nope w1");
        assert_eq!(out.stdout, "2 3 6 w1\n2 3 6 total\n");
        failed(&out, "wc: nope: No such file or directory\n", 1);
        let out = env.run("wc /tmp w1");
        assert_eq!(
            out.stdout,
            "      0       0       0 /tmp\n      2       3       6 w1\n      2       3       6 total\n"
        );
        failed(&out, "wc: /tmp: Is a directory\n", 1);
    }

    #[test]
    fn trivial_builtins() {
        let mut env = Env::new();
        assert_eq!(env.run("true"), BuiltinOutput::default());
        assert_eq!(env.run(":"), BuiltinOutput::default());
        assert_eq!(env.run("false").status, 1);
        assert_eq!(env.run("clear").stdout, "\u{c}");
    }

    proptest! {
        #[test]
        fn builtins_never_panic(
            name in prop::sample::select(BUILTINS.to_vec()),
            args in prop::collection::vec(
                prop_oneof![
                    any::<String>(),
                    "-[a-zA-Z0-9+-]{0,4}",
                    "--[a-z=]{0,8}",
                    "[./~a-z]{0,10}",
                    prop::sample::select(vec!["-n", "5", "+2", "-", "--", "config", "/", "..", "LICENSE"])
                        .prop_map(String::from),
                ],
                0..6,
            ),
            stdin in prop::option::of(any::<String>()),
        ) {
            let mut vfs = Vfs::with_kafka_install();
            let mut vars = VecMap::new();
            let out = run_builtin(name, &args, stdin.as_deref(), &mut vfs, &mut vars);
            prop_assert!(out.is_some());
        }

        #[test]
        fn echo_joins_plain_words(words in prop::collection::vec("[a-z ]{1,8}", 0..6)) {
            let mut vfs = Vfs::new();
            let mut vars = VecMap::new();
            let out = run_builtin("echo", &words, None, &mut vfs, &mut vars).unwrap();
            prop_assert_eq!(out.stdout, format!("{}\n", words.join(" ")));
        }

        #[test]
        fn head_plus_tail_is_everything(n in 0usize..30, k in 0usize..40) {
            let mut env = Env::new();
            env.vfs.write("f", &numbered(n)).unwrap();
            let head = env.run_args("head", &["-n", &k.to_string(), "f"]).stdout;
            let rest = env.run_args("tail", &["-n", &format!("+{}", k + 1), "f"]).stdout;
            prop_assert_eq!(head + &rest, numbered(n));
        }
    }
}
