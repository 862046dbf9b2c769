//! A tiny in-memory file system for the console: the Kafka install a student explores.
//!
//! It models a Unix tree of directories and text files with absolute, normalized paths
//! (`/opt/kafka/config/server.properties`), a current directory (starting in the install
//! directory `/opt/kafka`), `~` meaning `/root`, and the handful of operations the console's
//! builtins and redirections need. Errors carry the reason in coreutils' wording ("No such
//! file or directory", "Is a directory", ...) and the path as the user typed it, so a
//! builtin prints `cat: x: No such file or directory` with `format!("cat: {err}")`.
//!
//! [`Vfs::with_kafka_install`] ships the files of a Kafka 4.0 binary distribution that
//! matter for the quickstart: the `bin/` script names and `config/` properties files
//! (keys and values as Kafka ships them; the comments are the playground's own).
//! [`parse_properties`] reads such files the way `java.util.Properties` does.
//!
//! Directories are kept explicitly (every ancestor of a file or directory exists), so no
//! listing depends on hash order, and every file is capped at [`MAX_FILE_BYTES`].

use crate::vec_map::{VecMap, VecSet};
use std::fmt;
use std::sync::Arc;

/// The Kafka install directory, the console's starting directory.
pub(crate) const KAFKA_HOME: &str = "/opt/kafka";
/// The home directory `~` stands for.
pub(crate) const HOME: &str = "/root";
/// The largest file the console will hold (bounds the work of `cat f >> f` loops).
pub(crate) const MAX_FILE_BYTES: usize = 1 << 20;

/// Why a file-system operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VfsErrorKind {
    NotFound,
    IsADirectory,
    NotADirectory,
    AlreadyExists,
    FileTooLarge,
}

impl VfsErrorKind {
    /// The C library's text for the error (`strerror`), as coreutils prints it.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::NotFound => "No such file or directory",
            Self::IsADirectory => "Is a directory",
            Self::NotADirectory => "Not a directory",
            Self::AlreadyExists => "File exists",
            Self::FileTooLarge => "File too large",
        }
    }
}

/// A failed operation: the reason and the path as it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct VfsError {
    pub(crate) kind: VfsErrorKind,
    pub(crate) path: String,
}

impl VfsError {
    fn new(kind: VfsErrorKind, path: &str) -> Self {
        Self { kind, path: path.to_string() }
    }
}

impl fmt::Display for VfsError {
    /// `path: reason`, the tail of most coreutils messages (`cat: x: Is a directory`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind.reason())
    }
}

impl std::error::Error for VfsError {}

/// The in-memory file system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Vfs {
    /// Contents behind `Arc`s: a clone (a session checkpoint) shares every file, and a
    /// write or append after it copies only the file it changes.
    files: VecMap<String, Arc<String>>,
    /// Every directory, including `/` and all ancestors of every entry.
    dirs: VecSet<String>,
    cwd: String,
}

impl Default for Vfs {
    fn default() -> Self {
        Self::new()
    }
}

/// `/a/b` → `/a`; `/a` → `/`.
fn parent_of(abs: &str) -> &str {
    match abs.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &abs[..i],
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// Collapses `.`, `..` and repeated slashes of an absolute path.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Adds the names of the direct children of `prefix` (a directory path ending in `/`)
/// among sorted keys, where `first_from(k)` gives the first key not less than `k`. Whole
/// subtrees are skipped (`name/` sorts just before `name0`), so the work is proportional
/// to the number of children, not of descendants.
fn child_names<'a>(first_from: impl Fn(String) -> Option<&'a String>, prefix: &str, names: &mut VecSet<String>) {
    let mut from = prefix.to_string();
    while let Some(key) = first_from(from) {
        let Some(rest) = key.strip_prefix(prefix) else {
            break;
        };
        from = match rest.split_once('/') {
            Some((name, _)) => {
                names.insert(name.to_string());
                format!("{prefix}{name}0")
            }
            None => {
                if !rest.is_empty() {
                    names.insert(rest.to_string());
                }
                format!("{key}\u{0}")
            }
        };
    }
}

/// Discards what is written to it and reads as empty, so `> /dev/null` works as in a shell.
const DEV_NULL: &str = "/dev/null";

impl Vfs {
    /// An empty tree with `/`, `/opt/kafka`, `/root`, `/tmp` and `/dev/null`, in `/opt/kafka`.
    pub(crate) fn new() -> Self {
        let mut vfs = Self { files: VecMap::new(), dirs: VecSet::new(), cwd: KAFKA_HOME.to_string() };
        vfs.dirs.insert("/".to_string());
        for dir in [KAFKA_HOME, HOME, "/tmp"] {
            vfs.add_dir(dir);
        }
        vfs.add_file(DEV_NULL, "");
        vfs
    }

    /// The tree of a Kafka 4.0 binary distribution unpacked in `/opt/kafka`.
    pub(crate) fn with_kafka_install() -> Self {
        let mut vfs = Self::new();
        let note = "This is a simulated Apache Kafka installation inside Kafka Playground; \
                    the real distribution's file is not included.\n";
        vfs.add_file("/opt/kafka/LICENSE", note);
        vfs.add_file("/opt/kafka/NOTICE", note);
        for script in KAFKA_SCRIPTS {
            let text = format!(
                "#!/bin/bash\n# Kafka Playground runs {script} itself; this file only marks \
                 where the real script lives.\n"
            );
            vfs.add_file(&format!("/opt/kafka/bin/{script}"), &text);
        }
        vfs.add_dir("/opt/kafka/libs");
        for (path, text) in kafka_config_files() {
            vfs.add_file(&format!("/opt/kafka/{path}"), &text);
        }
        vfs
    }

    /// Inserts a directory and its ancestors (no checks; for building the tree).
    fn add_dir(&mut self, abs: &str) {
        let mut path = abs.to_string();
        while path != "/" && self.dirs.insert(path.clone()) {
            path = parent_of(&path).to_string();
        }
    }

    /// Inserts a file and its ancestor directories (no checks; for building the tree).
    fn add_file(&mut self, abs: &str, contents: &str) {
        self.add_dir(parent_of(abs));
        self.files.insert(abs.to_string(), Arc::new(contents.to_string()));
    }

    /// The current directory.
    pub(crate) fn cwd(&self) -> &str {
        &self.cwd
    }

    /// The absolute, normalized form of `path`: relative to the current directory, with
    /// `.` and `..` resolved and a leading `~` meaning `/root`. `..` of `/` is `/`.
    pub(crate) fn resolve(&self, path: &str) -> String {
        if path == "~" {
            return HOME.to_string();
        }
        if let Some(rest) = path.strip_prefix("~/") {
            return normalize(&format!("{HOME}/{rest}"));
        }
        if path.starts_with('/') {
            normalize(path)
        } else {
            normalize(&format!("{}/{path}", self.cwd))
        }
    }

    /// Why `abs` (which is neither a file nor a directory) cannot be reached.
    fn missing(&self, abs: &str) -> VfsErrorKind {
        let mut ancestor = parent_of(abs);
        loop {
            if self.files.contains_key(ancestor) {
                return VfsErrorKind::NotADirectory;
            }
            if ancestor == "/" || self.dirs.contains(ancestor) {
                return VfsErrorKind::NotFound;
            }
            ancestor = parent_of(ancestor);
        }
    }

    /// True when `path` names a file or a directory.
    pub(crate) fn exists(&self, path: &str) -> bool {
        let abs = self.resolve(path);
        self.files.contains_key(&abs) || self.dirs.contains(&abs)
    }

    /// True when `path` names a directory.
    pub(crate) fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(&self.resolve(path))
    }

    /// True when `path` names a regular file.
    pub(crate) fn is_file(&self, path: &str) -> bool {
        self.files.contains_key(&self.resolve(path))
    }

    /// The contents of a file.
    pub(crate) fn read(&self, path: &str) -> Result<&str, VfsError> {
        let abs = self.resolve(path);
        if let Some(text) = self.files.get(&abs) {
            if path.ends_with('/') {
                return Err(VfsError::new(VfsErrorKind::NotADirectory, path));
            }
            return Ok(text);
        }
        if self.dirs.contains(&abs) {
            return Err(VfsError::new(VfsErrorKind::IsADirectory, path));
        }
        Err(VfsError::new(self.missing(&abs), path))
    }

    /// Checks that a file may be written at `path` and returns its absolute path.
    fn writable(&self, path: &str) -> Result<String, VfsError> {
        let abs = self.resolve(path);
        if self.dirs.contains(&abs) || path.ends_with('/') {
            return Err(VfsError::new(VfsErrorKind::IsADirectory, path));
        }
        if !self.dirs.contains(parent_of(&abs)) {
            return Err(VfsError::new(self.missing(&abs), path));
        }
        Ok(abs)
    }

    /// Creates or replaces a file.
    pub(crate) fn write(&mut self, path: &str, contents: &str) -> Result<(), VfsError> {
        let abs = self.writable(path)?;
        if abs == DEV_NULL {
            return Ok(());
        }
        if contents.len() > MAX_FILE_BYTES {
            return Err(VfsError::new(VfsErrorKind::FileTooLarge, path));
        }
        self.files.insert(abs, Arc::new(contents.to_string()));
        Ok(())
    }

    /// Bytes of the files no clone shares (those written since the last one), for the
    /// session's checkpoint budget: what a checkpoint taken now holds on its own.
    pub(crate) fn unshared_bytes(&self) -> usize {
        self.files.values().filter(|text| Arc::strong_count(text) == 1).map(|text| text.len()).sum()
    }

    /// Appends to a file, creating it when missing.
    pub(crate) fn append(&mut self, path: &str, contents: &str) -> Result<(), VfsError> {
        let abs = self.writable(path)?;
        if abs == DEV_NULL {
            return Ok(());
        }
        let existing = self.files.get(&abs).map_or(0, |text| text.len());
        if existing.saturating_add(contents.len()) > MAX_FILE_BYTES {
            return Err(VfsError::new(VfsErrorKind::FileTooLarge, path));
        }
        Arc::make_mut(self.files.entry(abs).or_default()).push_str(contents);
        Ok(())
    }

    /// The names in a directory, sorted bytewise (as `ls` does in the C locale).
    pub(crate) fn list(&self, dir: &str) -> Result<Vec<String>, VfsError> {
        let abs = self.resolve(dir);
        if self.files.contains_key(&abs) {
            return Err(VfsError::new(VfsErrorKind::NotADirectory, dir));
        }
        if !self.dirs.contains(&abs) {
            return Err(VfsError::new(self.missing(&abs), dir));
        }
        let prefix = join(&abs, "");
        let mut names = VecSet::new();
        child_names(|from| self.dirs.range(from..).next(), &prefix, &mut names);
        child_names(|from| self.files.range(from..).next().map(|(k, _)| k), &prefix, &mut names);
        Ok(names.into_iter().collect())
    }

    /// `mkdir`: creates one directory whose parent exists.
    pub(crate) fn create_dir(&mut self, path: &str) -> Result<(), VfsError> {
        let abs = self.resolve(path);
        if self.files.contains_key(&abs) || self.dirs.contains(&abs) {
            return Err(VfsError::new(VfsErrorKind::AlreadyExists, path));
        }
        if !self.dirs.contains(parent_of(&abs)) {
            return Err(VfsError::new(self.missing(&abs), path));
        }
        self.dirs.insert(abs);
        Ok(())
    }

    /// `mkdir -p`: creates a directory and any missing parents; fine if it exists.
    pub(crate) fn create_dir_all(&mut self, path: &str) -> Result<(), VfsError> {
        let abs = self.resolve(path);
        if self.files.contains_key(&abs) {
            return Err(VfsError::new(VfsErrorKind::AlreadyExists, path));
        }
        let mut current = String::new();
        for part in abs.split('/').filter(|p| !p.is_empty()) {
            current.push('/');
            current.push_str(part);
            if self.files.contains_key(&current) {
                return Err(VfsError::new(VfsErrorKind::NotADirectory, path));
            }
            self.dirs.insert(current.clone());
        }
        Ok(())
    }

    /// Removes a file, or a directory with everything below it when `recursive`.
    /// Removing `/` removes its contents but keeps `/` itself.
    pub(crate) fn remove(&mut self, path: &str, recursive: bool) -> Result<(), VfsError> {
        let abs = self.resolve(path);
        if self.files.contains_key(&abs) {
            if path.ends_with('/') {
                return Err(VfsError::new(VfsErrorKind::NotADirectory, path));
            }
            self.files.remove(&abs);
            return Ok(());
        }
        if !self.dirs.contains(&abs) {
            return Err(VfsError::new(self.missing(&abs), path));
        }
        if !recursive {
            return Err(VfsError::new(VfsErrorKind::IsADirectory, path));
        }
        let prefix = join(&abs, "");
        self.files.retain(|p, _| !p.starts_with(&prefix));
        self.dirs.retain(|p| p == "/" || !p.starts_with(&prefix));
        if abs != "/" {
            self.dirs.remove(&abs);
        }
        Ok(())
    }

    /// `cd`: makes `path` the current directory.
    pub(crate) fn set_cwd(&mut self, path: &str) -> Result<(), VfsError> {
        let abs = self.resolve(path);
        if self.dirs.contains(&abs) {
            self.cwd = abs;
            return Ok(());
        }
        let kind = if self.files.contains_key(&abs) { VfsErrorKind::NotADirectory } else { self.missing(&abs) };
        Err(VfsError::new(kind, path))
    }

    /// Paths matching a shell glob pattern (`*`, `?`, `[...]`, `\` escapes), spelled like
    /// the pattern (relative patterns give relative paths), sorted; names starting with
    /// `.` match only a pattern that starts with `.`. Empty when nothing matches.
    pub(crate) fn glob(&self, pattern: &str) -> Vec<String> {
        const MAX_MATCHES: usize = 4096;
        if pattern.is_empty() {
            return Vec::new();
        }
        let absolute = pattern.starts_with('/');
        let dirs_only = pattern.ends_with('/');
        let components: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
        // (spelling shown to the user, absolute path)
        let mut candidates: Vec<(String, String)> =
            vec![if absolute { ("/".to_string(), "/".to_string()) } else { (String::new(), self.cwd.clone()) }];
        let last = components.len().saturating_sub(1);
        for (i, component) in components.iter().enumerate() {
            let need_dir = i < last || dirs_only;
            let tokens = GlobToken::parse(component);
            let mut next = Vec::new();
            for (shown, abs) in &candidates {
                let spelled = |name: &str| {
                    if shown.is_empty() {
                        name.to_string()
                    } else {
                        join(shown, name)
                    }
                };
                if let Some(name) = GlobToken::literal(&tokens) {
                    let child = normalize(&join(abs, &name));
                    let ok = if need_dir {
                        self.dirs.contains(&child)
                    } else {
                        self.dirs.contains(&child) || self.files.contains_key(&child)
                    };
                    if ok {
                        next.push((spelled(&name), child));
                    }
                    continue;
                }
                let Ok(names) = self.list(abs) else { continue };
                for name in names {
                    if name.starts_with('.') && !matches!(tokens.first(), Some(GlobToken::Char('.'))) {
                        continue;
                    }
                    if !glob_match(&tokens, &name) {
                        continue;
                    }
                    let child = join(abs, &name);
                    if need_dir && !self.dirs.contains(&child) {
                        continue;
                    }
                    next.push((spelled(&name), child));
                }
            }
            next.truncate(MAX_MATCHES);
            candidates = next;
        }
        if components.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<String> =
            candidates.into_iter().map(|(shown, _)| if dirs_only { join(&shown, "") } else { shown }).collect();
        crate::sort::sort(&mut out);
        out.dedup();
        out
    }
}

/// One element of a glob pattern component.
#[derive(Clone, Debug, PartialEq, Eq)]
enum GlobToken {
    Char(char),
    AnyChar,
    AnyString,
    Class { negated: bool, ranges: Vec<(char, char)> },
}

impl GlobToken {
    fn parse(pattern: &str) -> Vec<GlobToken> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            i += 1;
            match c {
                '\\' => match chars.get(i) {
                    Some(&next) => {
                        i += 1;
                        tokens.push(GlobToken::Char(next));
                    }
                    None => tokens.push(GlobToken::Char('\\')),
                },
                '?' => tokens.push(GlobToken::AnyChar),
                '*' => {
                    if tokens.last() != Some(&GlobToken::AnyString) {
                        tokens.push(GlobToken::AnyString);
                    }
                }
                '[' => match Self::class(&chars, i) {
                    Some((token, end)) => {
                        tokens.push(token);
                        i = end;
                    }
                    None => tokens.push(GlobToken::Char('[')),
                },
                _ => tokens.push(GlobToken::Char(c)),
            }
        }
        tokens
    }

    /// A bracket expression starting after `[` at `start`; None when it is not closed.
    fn class(chars: &[char], start: usize) -> Option<(GlobToken, usize)> {
        let mut i = start;
        let negated = matches!(chars.get(i), Some('!' | '^'));
        if negated {
            i += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let mut c = *chars.get(i)?;
            i += 1;
            if c == ']' && !first {
                return Some((GlobToken::Class { negated, ranges }, i));
            }
            first = false;
            if c == '\\' {
                c = *chars.get(i)?;
                i += 1;
            }
            if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&e| e != ']') {
                let mut end = *chars.get(i + 1)?;
                i += 2;
                if end == '\\' {
                    end = *chars.get(i)?;
                    i += 1;
                }
                ranges.push((c, end));
            } else {
                ranges.push((c, c));
            }
        }
    }

    /// The plain name when the tokens contain no wildcard.
    fn literal(tokens: &[GlobToken]) -> Option<String> {
        tokens
            .iter()
            .map(|t| match t {
                GlobToken::Char(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    fn matches_char(&self, c: char) -> bool {
        match self {
            GlobToken::Char(p) => *p == c,
            GlobToken::AnyChar | GlobToken::AnyString => true,
            GlobToken::Class { negated, ranges } => ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated,
        }
    }
}

/// Whether `name` matches the tokens (classic single-backtrack wildcard matching, so the
/// work is at most proportional to the product of both lengths).
fn glob_match(tokens: &[GlobToken], name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let (mut t, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while let Some(&c) = name.get(n) {
        match tokens.get(t) {
            Some(GlobToken::AnyString) => {
                star = Some((t, n));
                t += 1;
            }
            Some(token) if token.matches_char(c) => {
                t += 1;
                n += 1;
            }
            _ => match star {
                Some((st, sn)) => {
                    t = st + 1;
                    n = sn + 1;
                    star = Some((st, sn + 1));
                }
                None => return false,
            },
        }
    }
    tokens.get(t..).unwrap_or_default().iter().all(|tok| *tok == GlobToken::AnyString)
}

/// The scripts of the distribution's `bin/` directory that the playground models.
pub(crate) const KAFKA_SCRIPTS: &[&str] = &[
    "connect-standalone.sh",
    "kafka-configs.sh",
    "kafka-console-consumer.sh",
    "kafka-console-producer.sh",
    "kafka-consumer-groups.sh",
    "kafka-consumer-perf-test.sh",
    "kafka-delete-records.sh",
    "kafka-dump-log.sh",
    "kafka-get-offsets.sh",
    "kafka-leader-election.sh",
    "kafka-log-dirs.sh",
    "kafka-metadata-quorum.sh",
    "kafka-producer-perf-test.sh",
    "kafka-reassign-partitions.sh",
    "kafka-run-class.sh",
    "kafka-server-start.sh",
    "kafka-server-stop.sh",
    "kafka-storage.sh",
    "kafka-topics.sh",
];

const SECURITY_MAP: &str =
    "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL";

/// Thread, socket, log and internal-topic settings shared by the server configs.
fn server_tuning(log_dirs: &str) -> String {
    format!(
        "\n# --- Threads and sockets ---\n\
         # Threads that read requests from and write responses to the network.\n\
         num.network.threads=3\n\
         # Threads that do the disk work of requests.\n\
         num.io.threads=8\n\
         socket.send.buffer.bytes=102400\n\
         socket.receive.buffer.bytes=102400\n\
         # The largest request the server accepts, in bytes.\n\
         socket.request.max.bytes=104857600\n\
         \n# --- Where and how partitions are stored ---\n\
         # Comma-separated directories that hold the partition logs (and metadata).\n\
         log.dirs={log_dirs}\n\
         # Partitions of a topic created without --partitions.\n\
         num.partitions=1\n\
         num.recovery.threads.per.data.dir=1\n\
         \n# --- Internal topics (one copy each: this is a single-node setup) ---\n\
         offsets.topic.replication.factor=1\n\
         share.coordinator.state.topic.replication.factor=1\n\
         share.coordinator.state.topic.min.isr=1\n\
         transaction.state.log.replication.factor=1\n\
         transaction.state.log.min.isr=1\n\
         \n# --- Retention: when old log segments are deleted ---\n\
         # Keep data for a week.\n\
         log.retention.hours=168\n\
         # Roll to a new segment file after 1 GiB.\n\
         log.segment.bytes=1073741824\n\
         # How often to look for segments to delete.\n\
         log.retention.check.interval.ms=300000\n\
         \n# --- Group coordinator ---\n\
         # Start a new group's first rebalance at once (the default waits 3 s for more members).\n\
         group.initial.rebalance.delay.ms=0\n"
    )
}

/// A combined broker+controller config; `quorum_line` picks the dynamic or static quorum.
fn combined_config(title: &str, quorum_line: &str) -> String {
    format!(
        "# {title}\n\
         # (Kafka Playground's copy; the keys and values are those Kafka 4.0 ships.)\n\
         \n# --- Roles and identity ---\n\
         # This node is both a broker and a KRaft controller.\n\
         process.roles=broker,controller\n\
         # Unique id of this node in the cluster.\n\
         node.id=1\n\
         # How to find the controller quorum.\n\
         {quorum_line}\n\
         \n# --- Listeners ---\n\
         # Client traffic on 9092, controller traffic on 9093.\n\
         listeners=PLAINTEXT://:9092,CONTROLLER://:9093\n\
         # Brokers talk to each other over this listener.\n\
         inter.broker.listener.name=PLAINTEXT\n\
         # The addresses given to clients and other nodes.\n\
         advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093\n\
         controller.listener.names=CONTROLLER\n\
         # Security protocol of each listener name.\n\
         listener.security.protocol.map={SECURITY_MAP}\n{}",
        server_tuning("/tmp/kraft-combined-logs")
    )
}

/// The `config/` files of the install, as (path below `/opt/kafka`, contents).
fn kafka_config_files() -> Vec<(&'static str, String)> {
    let dynamic = combined_config(
        "Single-node KRaft server (broker and controller together), dynamic quorum.",
        "controller.quorum.bootstrap.servers=localhost:9093",
    );
    let fixed = combined_config(
        "Single-node KRaft server (broker and controller together), static quorum.",
        "controller.quorum.voters=1@localhost:9093",
    );
    let broker = format!(
        "# A KRaft node that is only a broker; it needs a separate controller.\n\
         # (Kafka Playground's copy; the keys and values are those Kafka 4.0 ships.)\n\
         \n# --- Roles and identity ---\n\
         process.roles=broker\n\
         node.id=2\n\
         # How to find the controller quorum.\n\
         controller.quorum.bootstrap.servers=localhost:9093\n\
         \n# --- Listeners ---\n\
         listeners=PLAINTEXT://localhost:9092\n\
         inter.broker.listener.name=PLAINTEXT\n\
         advertised.listeners=PLAINTEXT://localhost:9092\n\
         # The listener the controllers use (this node only connects to it).\n\
         controller.listener.names=CONTROLLER\n\
         listener.security.protocol.map={SECURITY_MAP}\n{}",
        server_tuning("/tmp/kraft-broker-logs")
    );
    let controller = format!(
        "# A KRaft node that is only a controller: it keeps the cluster metadata.\n\
         # (Kafka Playground's copy; the keys and values are those Kafka 4.0 ships.)\n\
         \n# --- Roles and identity ---\n\
         process.roles=controller\n\
         node.id=1\n\
         # How to find the controller quorum.\n\
         controller.quorum.bootstrap.servers=localhost:9093\n\
         \n# --- Listeners ---\n\
         listeners=CONTROLLER://:9093\n\
         advertised.listeners=CONTROLLER://localhost:9093\n\
         controller.listener.names=CONTROLLER\n\
         listener.security.protocol.map={SECURITY_MAP}\n{}",
        server_tuning("/tmp/kraft-controller-logs")
    );
    let producer = "# Settings for kafka-console-producer.sh --producer.config\n\
         \n# Where to find the cluster (host:port, comma-separated).\n\
         bootstrap.servers=localhost:9092\n\
         \n# Compress batches? none, gzip, snappy, lz4 or zstd.\n\
         compression.type=none\n"
        .to_string();
    let consumer = "# Settings for kafka-console-consumer.sh --consumer.config\n\
         \n# Where to find the cluster (host:port, comma-separated).\n\
         bootstrap.servers=localhost:9092\n\
         \n# The consumer group this consumer joins.\n\
         group.id=test-consumer-group\n"
        .to_string();
    let connect = "# Kafka Connect worker in standalone mode (one process, offsets in a file).\n\
         \n# Where to find the cluster.\n\
         bootstrap.servers=localhost:9092\n\
         \n# --- How records are turned into bytes and back ---\n\
         key.converter=org.apache.kafka.connect.json.JsonConverter\n\
         value.converter=org.apache.kafka.connect.json.JsonConverter\n\
         # Wrap each JSON value with its schema.\n\
         key.converter.schemas.enable=true\n\
         value.converter.schemas.enable=true\n\
         \n# --- Source offsets (how far each connector has read) ---\n\
         offset.storage.file.filename=/tmp/connect.offsets\n\
         offset.flush.interval.ms=10000\n"
        .to_string();
    let source = "# A connector that reads lines of a file into a topic.\n\
         name=local-file-source\n\
         connector.class=FileStreamSource\n\
         tasks.max=1\n\
         # The file to read (relative to where the worker was started).\n\
         file=test.txt\n\
         # The topic the lines are written to.\n\
         topic=connect-test\n"
        .to_string();
    let sink = "# A connector that writes the records of topics into a file.\n\
         name=local-file-sink\n\
         connector.class=FileStreamSink\n\
         tasks.max=1\n\
         # The file to append to.\n\
         file=test.sink.txt\n\
         # The topics to read from.\n\
         topics=connect-test\n"
        .to_string();
    let medical = "# The playground's own simulated bedside monitors (not part of Kafka): every\n\
         # poll.interval.ms each device sends a heart-rate and SpO2 reading, keyed by device.\n\
         name=icu-monitors\n\
         connector.class=MedicalDeviceSource\n\
         tasks.max=1\n\
         devices=icu-bed-1,icu-bed-2\n\
         topic=heart-rate-measures\n\
         poll.interval.ms=1000\n"
        .to_string();
    let table = "# The playground's stand-in for a JDBC sink connector (not part of Kafka): it keeps\n\
         # a database table in memory, one row per record key (upsert), shown by ksim status\n\
         # and in the page's Connect panel. The settings are the JDBC sink's names.\n\
         name=vitals-table\n\
         connector.class=TableSink\n\
         tasks.max=1\n\
         topics=heart-rate-measures\n\
         table.name.format=latest_vitals\n\
         pk.mode=record_key\n\
         insert.mode=upsert\n"
        .to_string();
    vec![
        ("config/server.properties", dynamic.clone()),
        ("config/kraft/reconfig-server.properties", dynamic),
        ("config/kraft/server.properties", fixed),
        ("config/kraft/broker.properties", broker),
        ("config/kraft/controller.properties", controller),
        ("config/producer.properties", producer),
        ("config/consumer.properties", consumer),
        ("config/connect-standalone.properties", connect),
        ("config/connect-file-source.properties", source),
        ("config/connect-file-sink.properties", sink),
        ("config/connect-medical-device-source.properties", medical),
        ("config/connect-table-sink.properties", table),
    ]
}

/// Parses `.properties` text like `java.util.Properties.load`: `#` and `!` comment lines,
/// `key=value`, `key:value` or `key value`, keys and the start of values trimmed, a
/// backslash at the end of a line continuing it, and `\t`, `\n`, `\r`, `\f`, `\uXXXX`
/// escapes. Pairs come back in file order; a repeated key appears each time (the last
/// one wins when loaded into a map, as in Java).
pub(crate) fn parse_properties(text: &str) -> Vec<(String, String)> {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\u{c}');
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        i += 1;
        let line = line.trim_start_matches(is_ws);
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let mut logical = line.to_string();
        while ends_with_odd_backslashes(&logical) {
            logical.pop();
            match lines.get(i) {
                Some(next) => {
                    i += 1;
                    logical.push_str(next.trim_start_matches(is_ws));
                }
                None => break,
            }
        }
        out.push(split_property(&logical));
    }
    out
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

fn split_property(line: &str) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\u{c}');
    let mut key_end = chars.len();
    let mut value_start = chars.len();
    let mut has_separator = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
        } else if c == '=' || c == ':' {
            key_end = i;
            value_start = i + 1;
            has_separator = true;
            break;
        } else if is_ws(c) {
            key_end = i;
            value_start = i + 1;
            break;
        }
    }
    while let Some(&c) = chars.get(value_start) {
        if is_ws(c) {
            value_start += 1;
        } else if !has_separator && (c == '=' || c == ':') {
            has_separator = true;
            value_start += 1;
        } else {
            break;
        }
    }
    let key: String = chars.get(..key_end).unwrap_or_default().iter().collect();
    let value: String = chars.get(value_start..).unwrap_or_default().iter().collect();
    (unescape_property(&key), unescape_property(&value))
}

fn unescape_property(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = (0..4).filter_map(|_| chars.next_if(char::is_ascii_hexdigit)).collect();
                match u32::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 4).and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push('u');
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kafka() -> Vfs {
        Vfs::with_kafka_install()
    }

    fn props(vfs: &Vfs, path: &str) -> Vec<(String, String)> {
        parse_properties(vfs.read(path).unwrap())
    }

    fn get(pairs: &[(String, String)], key: &str) -> Option<String> {
        pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    // ------------------------------------------------------------ paths

    #[test]
    fn resolve_paths() {
        let vfs = Vfs::new();
        assert_eq!(vfs.cwd(), "/opt/kafka");
        let cases = [
            ("", "/opt/kafka"),
            (".", "/opt/kafka"),
            ("./", "/opt/kafka"),
            ("config", "/opt/kafka/config"),
            ("config/", "/opt/kafka/config"),
            ("./config/./kraft", "/opt/kafka/config/kraft"),
            ("..", "/opt"),
            ("../..", "/"),
            ("../../../..", "/"),
            ("/..", "/"),
            ("/", "/"),
            ("//tmp//x/", "/tmp/x"),
            ("a/../b", "/opt/kafka/b"),
            ("~", "/root"),
            ("~/x/../y", "/root/y"),
            ("~x", "/opt/kafka/~x"),
            ("/opt/kafka/bin/../config", "/opt/kafka/config"),
        ];
        for (path, expected) in cases {
            assert_eq!(vfs.resolve(path), expected, "{path:?}");
        }
    }

    #[test]
    fn cwd_changes_resolution() {
        let mut vfs = kafka();
        vfs.set_cwd("config/kraft").unwrap();
        assert_eq!(vfs.cwd(), "/opt/kafka/config/kraft");
        assert_eq!(vfs.resolve("../server.properties"), "/opt/kafka/config/server.properties");
        assert!(vfs.read("server.properties").unwrap().contains("controller.quorum.voters"));
        vfs.set_cwd("/").unwrap();
        assert_eq!(vfs.resolve("tmp"), "/tmp");
        let e = vfs.set_cwd("nope").unwrap_err();
        assert_eq!(e.to_string(), "nope: No such file or directory");
        let e = vfs.set_cwd("/opt/kafka/LICENSE").unwrap_err();
        assert_eq!(e.to_string(), "/opt/kafka/LICENSE: Not a directory");
        assert_eq!(vfs.cwd(), "/");
    }

    // ------------------------------------------------------------ files

    #[test]
    fn read_errors_use_coreutils_wording() {
        let vfs = kafka();
        let e = vfs.read("x").unwrap_err();
        assert_eq!(e.kind, VfsErrorKind::NotFound);
        assert_eq!(format!("cat: {e}"), "cat: x: No such file or directory");
        assert_eq!(format!("cat: {}", vfs.read("config").unwrap_err()), "cat: config: Is a directory");
        assert_eq!(format!("cat: {}", vfs.read("LICENSE/x").unwrap_err()), "cat: LICENSE/x: Not a directory");
        assert_eq!(vfs.read("LICENSE/").unwrap_err().kind, VfsErrorKind::NotADirectory);
        assert_eq!(vfs.read("nope/x").unwrap_err().kind, VfsErrorKind::NotFound);
        assert_eq!(
            format!("ls: cannot access '{}': {}", "x", vfs.list("x").unwrap_err().kind.reason()),
            "ls: cannot access 'x': No such file or directory"
        );
    }

    #[test]
    fn write_append_read() {
        let mut vfs = kafka();
        vfs.write("test.txt", "foo\nbar\n").unwrap();
        assert_eq!(vfs.read("/opt/kafka/test.txt").unwrap(), "foo\nbar\n");
        vfs.append("test.txt", "baz\n").unwrap();
        assert_eq!(vfs.read("test.txt").unwrap(), "foo\nbar\nbaz\n");
        vfs.write("test.txt", "new").unwrap();
        assert_eq!(vfs.read("test.txt").unwrap(), "new");
        vfs.append("fresh.txt", "x").unwrap();
        assert_eq!(vfs.read("fresh.txt").unwrap(), "x");
        assert!(vfs.exists("fresh.txt") && vfs.is_file("fresh.txt") && !vfs.is_dir("fresh.txt"));

        let e = vfs.write("nope/x", "").unwrap_err();
        assert_eq!(e.to_string(), "nope/x: No such file or directory");
        assert_eq!(vfs.write("config", "").unwrap_err().kind, VfsErrorKind::IsADirectory);
        assert_eq!(vfs.write("new/", "").unwrap_err().kind, VfsErrorKind::IsADirectory);
        assert_eq!(vfs.write("LICENSE/x", "").unwrap_err().kind, VfsErrorKind::NotADirectory);
        assert_eq!(vfs.append("bin", "").unwrap_err().kind, VfsErrorKind::IsADirectory);
    }

    #[test]
    fn files_are_capped() {
        let mut vfs = Vfs::new();
        let big = "x".repeat(MAX_FILE_BYTES);
        vfs.write("big", &big).unwrap();
        let e = vfs.append("big", "y").unwrap_err();
        assert_eq!(e.to_string(), "big: File too large");
        assert_eq!(vfs.read("big").unwrap().len(), MAX_FILE_BYTES);
        assert_eq!(vfs.write("bigger", &format!("{big}y")).unwrap_err().kind, VfsErrorKind::FileTooLarge);
    }

    #[test]
    fn a_clone_shares_files_until_one_changes() {
        let mut live = Vfs::new();
        live.write("monitors.txt", "80 bpm\n").unwrap();
        live.write("notes.txt", "ward 3\n").unwrap();
        assert_eq!(live.unshared_bytes(), 14, "nothing shares them yet");
        let checkpoint = live.clone();
        assert_eq!(live.unshared_bytes(), 0, "the clone shares every file");
        live.append("monitors.txt", "82 bpm\n").unwrap();
        assert_eq!(live.unshared_bytes(), 14, "the appended file is copied, the other still shared");
        assert_eq!(checkpoint.read("monitors.txt").unwrap(), "80 bpm\n");
        assert_eq!(live.read("monitors.txt").unwrap(), "80 bpm\n82 bpm\n");
    }

    // ------------------------------------------------------------ directories

    #[test]
    fn dev_null_discards_and_reads_empty() {
        let mut vfs = kafka();
        vfs.write("/dev/null", "gone").unwrap();
        vfs.append("/dev/null", &"x".repeat(MAX_FILE_BYTES + 1)).unwrap();
        assert_eq!(vfs.read("/dev/null").unwrap(), "");
        assert!(vfs.is_file("/dev/null"));
    }

    #[test]
    fn install_layout() {
        let vfs = kafka();
        assert_eq!(vfs.list(".").unwrap(), vec!["LICENSE", "NOTICE", "bin", "config", "libs"]);
        assert_eq!(vfs.list("/").unwrap(), vec!["dev", "opt", "root", "tmp"]);
        assert_eq!(vfs.list("libs").unwrap(), Vec::<String>::new());
        assert_eq!(vfs.list("bin").unwrap(), KAFKA_SCRIPTS.to_vec());
        assert_eq!(
            vfs.list("config").unwrap(),
            vec![
                "connect-file-sink.properties",
                "connect-file-source.properties",
                "connect-medical-device-source.properties",
                "connect-standalone.properties",
                "connect-table-sink.properties",
                "consumer.properties",
                "kraft",
                "producer.properties",
                "server.properties",
            ]
        );
        assert_eq!(
            vfs.list("config/kraft").unwrap(),
            vec!["broker.properties", "controller.properties", "reconfig-server.properties", "server.properties"]
        );
        assert!(vfs.read("LICENSE").unwrap().contains("simulated"));
        assert!(vfs.read("NOTICE").unwrap().contains("simulated"));
        assert!(vfs.read("bin/kafka-topics.sh").unwrap().contains("Kafka Playground runs kafka-topics.sh itself"));
        assert_eq!(vfs.list("LICENSE").unwrap_err().kind, VfsErrorKind::NotADirectory);
        assert!(vfs.is_dir("/") && vfs.is_dir("/tmp") && vfs.is_dir("~"));
    }

    #[test]
    fn directories_are_implied_and_explicit() {
        let mut vfs = Vfs::new();
        vfs.create_dir_all("/a/b/c").unwrap();
        assert!(vfs.is_dir("/a") && vfs.is_dir("/a/b") && vfs.is_dir("/a/b/c"));
        vfs.create_dir_all("/a/b").unwrap();
        vfs.write("/a/b/f", "").unwrap();
        assert_eq!(vfs.list("/a/b").unwrap(), vec!["c", "f"]);
        assert_eq!(vfs.list("/a").unwrap(), vec!["b"]);
        assert_eq!(vfs.create_dir_all("/a/b/f").unwrap_err().kind, VfsErrorKind::AlreadyExists);
        assert_eq!(vfs.create_dir_all("/a/b/f/g").unwrap_err().kind, VfsErrorKind::NotADirectory);
        assert_eq!(vfs.create_dir("/a").unwrap_err().kind, VfsErrorKind::AlreadyExists);
        assert_eq!(vfs.create_dir("/x/y").unwrap_err().kind, VfsErrorKind::NotFound);
        vfs.create_dir("/x").unwrap();
        vfs.create_dir("/x/y").unwrap();
        assert!(vfs.is_dir("/x/y"));
        // Names that share a prefix are not children.
        vfs.write("/a/bb", "").unwrap();
        assert_eq!(vfs.list("/a/b").unwrap(), vec!["c", "f"]);
        assert_eq!(vfs.list("/a").unwrap(), vec!["b", "bb"]);
        // Listing skips whole subtrees but keeps siblings that sort among them.
        for file in ["/d/a.x", "/d/a/b/c", "/d/a/b/d", "/d/a0", "/d/a/z", "/d/b"] {
            vfs.add_file(file, "");
        }
        vfs.add_dir("/d/a/e/f");
        assert_eq!(vfs.list("/d").unwrap(), vec!["a", "a.x", "a0", "b"]);
        assert_eq!(vfs.list("/d/a").unwrap(), vec!["b", "e", "z"]);
    }

    #[test]
    fn remove_files_and_trees() {
        let mut vfs = kafka();
        vfs.remove("LICENSE", false).unwrap();
        assert!(!vfs.exists("LICENSE"));
        assert_eq!(vfs.remove("LICENSE", false).unwrap_err().kind, VfsErrorKind::NotFound);
        let e = vfs.remove("config", false).unwrap_err();
        assert_eq!(e.to_string(), "config: Is a directory");
        vfs.remove("config", true).unwrap();
        assert!(!vfs.exists("config") && !vfs.exists("config/kraft/server.properties"));
        assert_eq!(vfs.list(".").unwrap(), vec!["NOTICE", "bin", "libs"]);
        vfs.remove("/", true).unwrap();
        assert_eq!(vfs.list("/").unwrap(), Vec::<String>::new());
        assert!(vfs.is_dir("/"));
    }

    // ------------------------------------------------------------ globs

    #[test]
    fn globs() {
        let mut vfs = kafka();
        vfs.write(".hidden", "").unwrap();
        vfs.write("a*b", "").unwrap();
        assert_eq!(
            vfs.glob("config/*.properties"),
            vec![
                "config/connect-file-sink.properties",
                "config/connect-file-source.properties",
                "config/connect-medical-device-source.properties",
                "config/connect-standalone.properties",
                "config/connect-table-sink.properties",
                "config/consumer.properties",
                "config/producer.properties",
                "config/server.properties",
            ]
        );
        assert_eq!(vfs.glob("*/"), vec!["bin/", "config/", "libs/"]);
        assert_eq!(
            vfs.glob("/opt/kafka/config/kraft/[bc]*"),
            vec!["/opt/kafka/config/kraft/broker.properties", "/opt/kafka/config/kraft/controller.properties"]
        );
        assert_eq!(vfs.glob("bin/kafka-[!ct]*-st*.sh"), vec!["bin/kafka-server-start.sh", "bin/kafka-server-stop.sh"]);
        assert_eq!(vfs.glob("*"), vec!["LICENSE", "NOTICE", "a*b", "bin", "config", "libs"]);
        assert_eq!(vfs.glob(".*"), vec![".hidden"]);
        assert_eq!(vfs.glob("N?TICE"), vec!["NOTICE"]);
        assert_eq!(vfs.glob("a\\*b"), vec!["a*b"]);
        assert_eq!(vfs.glob("a\\*"), Vec::<String>::new());
        assert_eq!(vfs.glob("*/*/server.*"), vec!["config/kraft/server.properties"]);
        assert_eq!(vfs.glob("../kafka/N*"), vec!["../kafka/NOTICE"]);
        assert_eq!(vfs.glob("nothing*"), Vec::<String>::new());
        assert_eq!(vfs.glob("LICENSE/*"), Vec::<String>::new());
        assert_eq!(vfs.glob(""), Vec::<String>::new());
        assert_eq!(vfs.glob("[z-a]*"), Vec::<String>::new());
        assert_eq!(vfs.glob("[*"), Vec::<String>::new());
    }

    #[test]
    fn glob_matching() {
        let m = |p: &str, n: &str| glob_match(&GlobToken::parse(p), n);
        assert!(m("*", ""));
        assert!(m("*", "abc"));
        assert!(m("a*c", "abbbc"));
        assert!(!m("a*c", "abcd"));
        assert!(m("*.properties", "server.properties"));
        assert!(m("?", "é"));
        assert!(!m("?", ""));
        assert!(m("[a-c]x", "bx"));
        assert!(!m("[!a-c]x", "bx"));
        assert!(m("[^a-c]x", "dx"));
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "a"));
        assert!(m("[", "["));
        assert!(m("a[", "a["));
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("**a**", "xa"));
        assert!(!m("*a*b", &"a".repeat(200)));
    }

    // ------------------------------------------------------------ config files

    const TUNING: &[(&str, &str)] = &[
        ("num.network.threads", "3"),
        ("num.io.threads", "8"),
        ("socket.send.buffer.bytes", "102400"),
        ("socket.receive.buffer.bytes", "102400"),
        ("socket.request.max.bytes", "104857600"),
        ("num.partitions", "1"),
        ("num.recovery.threads.per.data.dir", "1"),
        ("offsets.topic.replication.factor", "1"),
        ("share.coordinator.state.topic.replication.factor", "1"),
        ("share.coordinator.state.topic.min.isr", "1"),
        ("transaction.state.log.replication.factor", "1"),
        ("transaction.state.log.min.isr", "1"),
        ("log.retention.hours", "168"),
        ("log.segment.bytes", "1073741824"),
        ("log.retention.check.interval.ms", "300000"),
        ("group.initial.rebalance.delay.ms", "0"),
    ];

    fn assert_has(pairs: &[(String, String)], expected: &[(&str, &str)]) {
        for (key, value) in expected {
            assert_eq!(get(pairs, key).as_deref(), Some(*value), "{key}");
        }
    }

    fn keys(pairs: &[(String, String)]) -> Vec<&str> {
        pairs.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn combined_server_configs() {
        let vfs = kafka();
        let server = props(&vfs, "config/server.properties");
        let reconfig = props(&vfs, "config/kraft/reconfig-server.properties");
        assert_eq!(server, reconfig);
        assert_has(
            &server,
            &[
                ("process.roles", "broker,controller"),
                ("node.id", "1"),
                ("controller.quorum.bootstrap.servers", "localhost:9093"),
                ("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"),
                ("inter.broker.listener.name", "PLAINTEXT"),
                ("advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093"),
                ("controller.listener.names", "CONTROLLER"),
                ("listener.security.protocol.map", SECURITY_MAP),
                ("log.dirs", "/tmp/kraft-combined-logs"),
            ],
        );
        assert_has(&server, TUNING);
        assert_eq!(server.len(), 9 + TUNING.len());
        assert!(get(&server, "controller.quorum.voters").is_none());

        let fixed = props(&vfs, "config/kraft/server.properties");
        assert_eq!(get(&fixed, "controller.quorum.voters").as_deref(), Some("1@localhost:9093"));
        assert!(get(&fixed, "controller.quorum.bootstrap.servers").is_none());
        let mut expected_keys = keys(&server);
        let i = expected_keys.iter().position(|k| *k == "controller.quorum.bootstrap.servers").unwrap();
        expected_keys[i] = "controller.quorum.voters";
        assert_eq!(keys(&fixed), expected_keys);
        assert!(SECURITY_MAP.contains("SASL_SSL:SASL_SSL"));
    }

    #[test]
    fn split_role_configs() {
        let vfs = kafka();
        let broker = props(&vfs, "config/kraft/broker.properties");
        assert_has(
            &broker,
            &[
                ("process.roles", "broker"),
                ("node.id", "2"),
                ("controller.quorum.bootstrap.servers", "localhost:9093"),
                ("listeners", "PLAINTEXT://localhost:9092"),
                ("inter.broker.listener.name", "PLAINTEXT"),
                ("advertised.listeners", "PLAINTEXT://localhost:9092"),
                ("controller.listener.names", "CONTROLLER"),
                ("listener.security.protocol.map", SECURITY_MAP),
                ("log.dirs", "/tmp/kraft-broker-logs"),
            ],
        );
        assert_has(&broker, TUNING);
        let controller = props(&vfs, "config/kraft/controller.properties");
        assert_has(
            &controller,
            &[
                ("process.roles", "controller"),
                ("node.id", "1"),
                ("controller.quorum.bootstrap.servers", "localhost:9093"),
                ("listeners", "CONTROLLER://:9093"),
                ("advertised.listeners", "CONTROLLER://localhost:9093"),
                ("controller.listener.names", "CONTROLLER"),
                ("listener.security.protocol.map", SECURITY_MAP),
                ("log.dirs", "/tmp/kraft-controller-logs"),
            ],
        );
        assert_has(&controller, TUNING);
        assert!(get(&controller, "inter.broker.listener.name").is_none());
    }

    #[test]
    fn client_and_connect_configs() {
        let vfs = kafka();
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("config/producer.properties", &[("bootstrap.servers", "localhost:9092"), ("compression.type", "none")]),
            (
                "config/consumer.properties",
                &[("bootstrap.servers", "localhost:9092"), ("group.id", "test-consumer-group")],
            ),
            (
                "config/connect-standalone.properties",
                &[
                    ("bootstrap.servers", "localhost:9092"),
                    ("key.converter", "org.apache.kafka.connect.json.JsonConverter"),
                    ("value.converter", "org.apache.kafka.connect.json.JsonConverter"),
                    ("key.converter.schemas.enable", "true"),
                    ("value.converter.schemas.enable", "true"),
                    ("offset.storage.file.filename", "/tmp/connect.offsets"),
                    ("offset.flush.interval.ms", "10000"),
                ],
            ),
            (
                "config/connect-file-source.properties",
                &[
                    ("name", "local-file-source"),
                    ("connector.class", "FileStreamSource"),
                    ("tasks.max", "1"),
                    ("file", "test.txt"),
                    ("topic", "connect-test"),
                ],
            ),
            (
                "config/connect-file-sink.properties",
                &[
                    ("name", "local-file-sink"),
                    ("connector.class", "FileStreamSink"),
                    ("tasks.max", "1"),
                    ("file", "test.sink.txt"),
                    ("topics", "connect-test"),
                ],
            ),
        ];
        for (path, expected) in cases {
            let pairs = props(&vfs, path);
            assert_has(&pairs, expected);
            assert_eq!(pairs.len(), expected.len(), "{path}");
        }
    }

    #[test]
    fn config_files_have_comments_and_end_in_newline() {
        let vfs = kafka();
        for path in vfs.glob("/opt/kafka/config/*.properties").into_iter().chain(vfs.glob("/opt/kafka/config/kraft/*"))
        {
            let text = vfs.read(&path).unwrap();
            assert!(text.starts_with('#'), "{path}");
            assert!(text.ends_with('\n'), "{path}");
            assert!(!text.contains("Licensed to the Apache"), "{path}");
        }
    }

    // ------------------------------------------------------------ properties parser

    #[test]
    fn properties_syntax() {
        let text = "# comment\n\
                    ! bang comment\n\
                    \n\
                    a=1\n\
                    b = 2\n\
                    c:3\n\
                    d 4\n\
                    \t  e\t=\t5 \n\
                    f==6\n\
                    g\n\
                    h=\n\
                    long=one,\\\n    two,\\\n\tthree\n\
                    path=C:\\\\dir\\\\\n\
                    esc\\ key=x\\ty\\nz\\u0041\\q\n\
                    k\\=eq=v\n\
                    a=again\n\
                    cr=1\r\nlf=2\rlast=3";
        let pairs = parse_properties(text);
        let expected: Vec<(String, String)> = [
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "4"),
            ("e", "5 "),
            ("f", "=6"),
            ("g", ""),
            ("h", ""),
            ("long", "one,two,three"),
            ("path", "C:\\dir\\"),
            ("esc key", "x\ty\nzAq"),
            ("k=eq", "v"),
            ("a", "again"),
            ("cr", "1"),
            ("lf", "2"),
            ("last", "3"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(pairs, expected);
        assert_eq!(parse_properties("x=a\\"), vec![("x".to_string(), "a".to_string())]);
        assert_eq!(parse_properties("# a=1 \\\nb=2"), vec![("b".to_string(), "2".to_string())]);
        assert_eq!(parse_properties("a=1\\\n# not a comment"), vec![("a".to_string(), "1# not a comment".to_string())]);
        assert_eq!(parse_properties("u=\\u00"), vec![("u".to_string(), "u00".to_string())]);
        assert!(parse_properties("").is_empty());
    }

    proptest! {
        #[test]
        fn resolve_is_absolute_and_normal(path in "[a-z./~]{0,30}") {
            let vfs = Vfs::new();
            let abs = vfs.resolve(&path);
            prop_assert!(abs.starts_with('/'));
            prop_assert!(abs == "/" || !abs.ends_with('/'));
            for part in abs.split('/').skip(1) {
                prop_assert!(abs == "/" || (!part.is_empty() && part != "." && part != ".."));
            }
            prop_assert_eq!(vfs.resolve(&abs), abs.clone());
        }

        #[test]
        fn operations_never_panic(ops in prop::collection::vec((0u8..8, "[a-c/.~]{0,8}", any::<String>()), 0..40)) {
            let mut vfs = Vfs::with_kafka_install();
            for (op, path, text) in ops {
                match op {
                    0 => { let _ = vfs.write(&path, &text); }
                    1 => { let _ = vfs.append(&path, &text); }
                    2 => { let _ = vfs.create_dir_all(&path); }
                    3 => { let _ = vfs.create_dir(&path); }
                    4 => { let _ = vfs.remove(&path, text.len() % 2 == 0); }
                    5 => { let _ = vfs.set_cwd(&path); }
                    6 => { let _ = vfs.glob(&format!("{path}{text}")); }
                    _ => { let _ = vfs.list(&path); }
                }
                // Invariant: every file's directory exists.
                for file in vfs.files.keys() {
                    prop_assert!(vfs.dirs.contains(parent_of(file)), "{}", file);
                }
            }
        }

        #[test]
        fn write_then_read(path in "[a-z]{1,8}(/[a-z]{1,8}){0,3}", text in any::<String>()) {
            let mut vfs = Vfs::new();
            let dir = parent_of(&vfs.resolve(&path)).to_string();
            vfs.create_dir_all(&dir).unwrap();
            vfs.write(&path, &text).unwrap();
            prop_assert_eq!(vfs.read(&path).unwrap(), text.as_str());
            prop_assert!(vfs.list(&dir).unwrap().iter().any(|n| path.ends_with(n.as_str())));
        }

        #[test]
        fn glob_pattern_never_panics(pattern in any::<String>(), name in any::<String>()) {
            let _ = glob_match(&GlobToken::parse(&pattern), &name);
        }

        #[test]
        fn literal_patterns_match_themselves(name in "[^*?\\[\\\\]{0,20}") {
            prop_assert!(glob_match(&GlobToken::parse(&name), &name));
        }

        #[test]
        fn properties_never_panic(text in any::<String>()) {
            let _ = parse_properties(&text);
        }

        #[test]
        fn simple_properties_round_trip(pairs in prop::collection::vec(("[a-z][a-z.]{0,10}", "[a-zA-Z0-9:/,.]{0,12}"), 0..10)) {
            let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            let parsed = parse_properties(&text);
            let expected: Vec<(String, String)> = pairs.clone();
            prop_assert_eq!(parsed, expected);
        }
    }
}
