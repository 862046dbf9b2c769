//! Running other programs: checked runs, version probes, background children that die with
//! us, and spotting installs someone else already started.

use crate::Result;
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd` with inherited stdio and fails unless it exits successfully.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = describe(cmd);
    let status = cmd.status().map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// First line of `program args…`'s stdout, or `None` if it cannot run or fails. Used for
/// `--version` probes, where "not runnable" simply means "not installed".
pub fn first_line_of(program: impl AsRef<OsStr>, args: &[&str], cwd: &Path) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        // Debian's chromium wrapper prints shell noise on stderr; only stdout matters.
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().map(str::trim).find(|line| !line.is_empty()).map(str::to_string)
}

/// Whole stdout of a successful run, for probes that list several lines.
pub fn stdout_of(program: impl AsRef<OsStr>, args: &[&str], cwd: &Path) -> Option<String> {
    let output =
        Command::new(program).args(args).current_dir(cwd).stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A human-readable command line for messages.
pub fn describe(cmd: &Command) -> String {
    let mut shown = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}

/// `1.2s`, `3m 04s`: compact enough for progress lines and the summary table.
pub fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = duration.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}

/// A background child that is killed and reaped when dropped, so a failing or panicking
/// test never leaves chromedriver or a server behind.
pub struct ChildGuard {
    child: Child,
    name: String,
}

impl ChildGuard {
    pub fn new(child: Child, name: impl Into<String>) -> Self {
        ChildGuard { child, name: name.into() }
    }

    /// `Some(status)` if the child has already exited (e.g. it failed to start properly).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if self.exited().is_none() {
            if let Err(e) = self.child.kill() {
                eprintln!("xtask: warning: cannot stop {}: {e}", self.name);
            }
        }
        // Reap it so it does not linger as a zombie while xtask keeps running.
        let _ = self.child.wait();
    }
}

/// Pids of other processes whose argument list contains `words` contiguously, e.g.
/// `["cargo", "install", "trunk"]` ignoring the path of argv[0]. Reads /proc directly (no
/// `pgrep` dependency); on systems without /proc this finds nothing, which only means we do
/// not wait for someone else's install.
pub fn running_processes_with_args(words: &[&str]) -> Vec<u32> {
    let own_pid = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if pid == own_pid {
            continue;
        }
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = raw
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .enumerate()
            .map(|(i, a)| {
                let arg = String::from_utf8_lossy(a).into_owned();
                // Compare argv[0] by file name so `/usr/bin/apt-get` matches `apt-get`.
                if i == 0 {
                    arg.rsplit('/').next().unwrap_or(&arg).to_string()
                } else {
                    arg
                }
            })
            .collect();
        if args.windows(words.len()).any(|w| w.iter().eq(words.iter())) {
            pids.push(pid);
        }
    }
    pids
}

/// Blocks while a process matching `words` runs, printing one line first. Lets `cargo xtask`
/// piggyback on an install started by hand instead of compiling the same tool twice.
pub fn wait_for_others(words: &[&str], what: &str) {
    let pids = running_processes_with_args(words);
    if pids.is_empty() {
        return;
    }
    println!(
        "xtask: waiting for the {what} already running (pid {}) to finish…",
        pids.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    );
    let started = Instant::now();
    while !running_processes_with_args(words).is_empty() {
        std::thread::sleep(Duration::from_secs(2));
    }
    println!("xtask: the other {what} finished after {}", format_duration(started.elapsed()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_compact() {
        assert_eq!(format_duration(Duration::from_millis(1234)), "1.2s");
        assert_eq!(format_duration(Duration::from_secs(184)), "3m 04s");
    }

    #[test]
    fn finds_itself_only_when_not_excluded() {
        // Our own pid is excluded, so a unique marker that only we carry is never found.
        assert!(running_processes_with_args(&["xtask-marker-that-nobody-has"]).is_empty());
    }
}
