//! The external tools the build needs: how to tell whether each is installed in the right
//! version, and how to install it from crates.io, npm or Debian (never from anywhere else).
//! Every `ensure_*` is idempotent and cheap when everything is already there.

use crate::process::{self, format_duration};
use crate::{lockfile, paths, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub const TRUNK_VERSION: &str = "0.21.14";
/// npm's `binaryen` package carries wasm-opt; Trunk's own download would come from GitHub,
/// which this project must not depend on.
pub const BINARYEN_VERSION: &str = "132";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian's paths; webdriver.json and the e2e test use the same ones.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tool {
    WasmTarget,
    Trunk,
    WasmBindgen,
    WasmOpt,
    Chromium,
    ChromeDriver,
}

const BUILD_TOOLS: [Tool; 4] = [Tool::WasmTarget, Tool::Trunk, Tool::WasmBindgen, Tool::WasmOpt];
const BROWSER_TOOLS: [Tool; 2] = [Tool::Chromium, Tool::ChromeDriver];

/// What a probe found.
enum Probe {
    Installed(String),
    WrongVersion(String),
    Missing,
}

/// Versions we want, resolved once per command.
struct Wanted {
    root: PathBuf,
    wasm_bindgen: String,
}

impl Wanted {
    fn new(root: &Path) -> Result<Self> {
        Ok(Wanted { root: root.to_path_buf(), wasm_bindgen: lockfile::wasm_bindgen_version(root)? })
    }
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::WasmTarget => "wasm32 target",
            Tool::Trunk => "trunk",
            Tool::WasmBindgen => "wasm-bindgen-cli",
            Tool::WasmOpt => "wasm-opt",
            Tool::Chromium => "chromium",
            Tool::ChromeDriver => "chromedriver",
        }
    }

    fn wanted(self, w: &Wanted) -> String {
        match self {
            Tool::WasmTarget => WASM_TARGET.to_string(),
            Tool::Trunk => TRUNK_VERSION.to_string(),
            Tool::WasmBindgen => format!("{} (Cargo.lock)", w.wasm_bindgen),
            Tool::WasmOpt => format!("{BINARYEN_VERSION} (npm binaryen)"),
            Tool::Chromium => format!("{CHROMIUM} (Debian)"),
            Tool::ChromeDriver => format!("{CHROMEDRIVER} (Debian)"),
        }
    }

    /// What the progress line calls the thing being installed.
    fn label(self, w: &Wanted) -> String {
        match self {
            Tool::WasmTarget => format!("{WASM_TARGET} target"),
            Tool::Trunk => format!("trunk {TRUNK_VERSION}"),
            Tool::WasmBindgen => format!("wasm-bindgen-cli {}", w.wasm_bindgen),
            Tool::WasmOpt => format!("wasm-opt (npm binaryen@{BINARYEN_VERSION})"),
            Tool::Chromium => "chromium".to_string(),
            Tool::ChromeDriver => "chromedriver".to_string(),
        }
    }

    /// Rough duration on a 2-core machine, so nobody thinks a long compile is hung.
    fn eta(self) -> &'static str {
        match self {
            Tool::WasmTarget => "about 30 seconds",
            Tool::Trunk => "about 6 minutes",
            Tool::WasmBindgen => "about 2 minutes",
            Tool::WasmOpt => "a few seconds",
            Tool::Chromium | Tool::ChromeDriver => "about 2 minutes",
        }
    }

    fn probe(self, w: &Wanted) -> Probe {
        let root = &w.root;
        match self {
            Tool::WasmTarget => probe_wasm_target(root),
            Tool::Trunk => versioned(process::first_line_of("trunk", &["--version"], root), 1, TRUNK_VERSION),
            Tool::WasmBindgen => {
                let cli = process::first_line_of("wasm-bindgen", &["--version"], root);
                match versioned(cli, 1, &w.wasm_bindgen) {
                    // The wasm test stage runs wasm-bindgen-test-runner (the cargo runner in
                    // .cargo/config.toml); it ships in the same crate, so check it too.
                    Probe::Installed(v) => {
                        let runner = process::first_line_of("wasm-bindgen-test-runner", &["--version"], root);
                        match versioned(runner, 1, &w.wasm_bindgen) {
                            Probe::Installed(_) => Probe::Installed(v),
                            Probe::WrongVersion(r) => Probe::WrongVersion(format!("test runner {r}")),
                            Probe::Missing => Probe::WrongVersion("no test runner".to_string()),
                        }
                    }
                    other => other,
                }
            }
            Tool::WasmOpt => {
                let bin = paths::binaryen_bin(root).join("wasm-opt");
                if !bin.exists() {
                    return Probe::Missing;
                }
                // `wasm-opt version 132 (version_132)`: the same token Trunk compares.
                versioned(process::first_line_of(&bin, &["--version"], root), 2, BINARYEN_VERSION)
            }
            Tool::Chromium => browser_probe(CHROMIUM, root),
            Tool::ChromeDriver => browser_probe(CHROMEDRIVER, root),
        }
    }

    fn install(self, w: &Wanted) -> Result<()> {
        let root = &w.root;
        match self {
            Tool::WasmTarget => {
                process::run(Command::new("rustup").args(["target", "add", WASM_TARGET]).current_dir(root))
            }
            Tool::Trunk => process::run(
                Command::new("cargo")
                    .args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"])
                    .current_dir(root),
            ),
            // Deliberately without --locked: wasm-bindgen-cli's own lockfile pins
            // dependencies that no longer build on current toolchains for some versions.
            Tool::WasmBindgen => process::run(
                Command::new("cargo")
                    .args(["install", "wasm-bindgen-cli", "--version", &w.wasm_bindgen])
                    .current_dir(root),
            ),
            Tool::WasmOpt => {
                let prefix = paths::binaryen_prefix(root);
                std::fs::create_dir_all(&prefix).map_err(|e| format!("cannot create {}: {e}", prefix.display()))?;
                if process::first_line_of("npm", &["--version"], root).is_none() {
                    return Err("npm is not installed; install it with `apt-get install npm` \
                                (wasm-opt comes from npm's binaryen package)"
                        .to_string());
                }
                process::run(
                    Command::new("npm")
                        .arg("install")
                        .arg("--prefix")
                        .arg(&prefix)
                        .args(["--no-audit", "--no-fund", "--loglevel=error"])
                        .arg(format!("binaryen@{BINARYEN_VERSION}"))
                        .current_dir(root),
                )
            }
            Tool::Chromium | Tool::ChromeDriver => install_chromium(),
        }
    }

    /// Another process may be installing this very tool (e.g. started by hand); compiling it
    /// twice in parallel only doubles the wait.
    fn wait_for_concurrent_install(self) {
        match self {
            Tool::Trunk => process::wait_for_others(&["cargo", "install", "trunk"], "`cargo install trunk`"),
            Tool::WasmBindgen => {
                process::wait_for_others(&["cargo", "install", "wasm-bindgen-cli"], "`cargo install wasm-bindgen-cli`")
            }
            Tool::WasmOpt => {}
            Tool::WasmTarget => process::wait_for_others(&["rustup", "target", "add"], "`rustup target add`"),
            Tool::Chromium | Tool::ChromeDriver => {
                process::wait_for_others(&["apt-get"], "apt-get");
                process::wait_for_others(&["dpkg"], "dpkg");
            }
        }
    }
}

/// `<name> <version> …` → Installed if token `index` equals `wanted`.
fn versioned(line: Option<String>, index: usize, wanted: &str) -> Probe {
    let Some(line) = line else {
        return Probe::Missing;
    };
    match line.split_whitespace().nth(index) {
        Some(v) if v == wanted => Probe::Installed(v.to_string()),
        Some(v) => Probe::WrongVersion(v.to_string()),
        None => Probe::WrongVersion(line),
    }
}

fn probe_wasm_target(root: &Path) -> Probe {
    // `rustup target list --installed` reports the toolchain rust-toolchain.toml selects,
    // because we run it from the repository root.
    if let Some(list) = process::stdout_of("rustup", &["target", "list", "--installed"], root) {
        return if list.lines().any(|l| l.trim() == WASM_TARGET) {
            Probe::Installed(rustc_version(root))
        } else {
            Probe::Missing
        };
    }
    // Without rustup (e.g. a distro toolchain) look for the target's std in the sysroot.
    let sysroot = process::first_line_of("rustc", &["--print", "sysroot"], root);
    match sysroot {
        Some(s) if Path::new(&s).join("lib/rustlib").join(WASM_TARGET).is_dir() => {
            Probe::Installed(rustc_version(root))
        }
        _ => Probe::Missing,
    }
}

fn rustc_version(root: &Path) -> String {
    process::first_line_of("rustc", &["--version"], root)
        .and_then(|l| l.split_whitespace().nth(1).map(|v| format!("rustc {v}")))
        .unwrap_or_else(|| "installed".to_string())
}

/// Debian puts both binaries at fixed paths; `--version` prints `Chromium 1.2.3.4 …`.
fn browser_probe(path: &str, root: &Path) -> Probe {
    if !Path::new(path).exists() {
        return Probe::Missing;
    }
    match process::first_line_of(path, &["--version"], root) {
        Some(line) => Probe::Installed(line.split_whitespace().nth(1).unwrap_or(line.as_str()).to_string()),
        None => Probe::WrongVersion(format!("{path} does not run")),
    }
}

fn install_chromium() -> Result<()> {
    let is_root = process::first_line_of("id", &["-u"], Path::new("/")).as_deref() == Some("0");
    let sudo = if is_root {
        None
    } else if process::first_line_of("sudo", &["-n", "true"], Path::new("/")).is_some()
        || Path::new("/usr/bin/sudo").exists()
    {
        Some("sudo")
    } else {
        return Err("Chromium is missing and installing it needs root: run \
                    `apt-get install -y chromium chromium-driver` as root"
            .to_string());
    };
    let apt = |args: &[&str]| -> Command {
        let mut cmd = match sudo {
            Some(s) => {
                let mut c = Command::new(s);
                c.arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive")
            // Wait for a dpkg lock held by someone else instead of failing straight away.
            .args(["-o", "DPkg::Lock::Timeout=600"])
            .args(args);
        cmd
    };
    process::run(&mut apt(&["update"]))?;
    process::run(&mut apt(&["install", "-y", "chromium", "chromium-driver"]))
}

/// Makes sure `tool` is installed, printing exactly one line when it already is.
fn ensure(tool: Tool, w: &Wanted) -> Result<()> {
    let label = tool.label(w);
    match tool.probe(w) {
        Probe::Installed(_) => {
            println!("xtask: {label} already installed");
            return Ok(());
        }
        Probe::WrongVersion(found) => {
            println!("xtask: {label} needed, found {found}");
        }
        Probe::Missing => {}
    }
    tool.wait_for_concurrent_install();
    if let Probe::Installed(_) = tool.probe(w) {
        println!("xtask: {label} installed by the other process");
        return Ok(());
    }
    println!("xtask: installing {label} ({})…", tool.eta());
    let started = Instant::now();
    tool.install(w).map_err(|e| format!("installing {label}: {e}"))?;
    match tool.probe(w) {
        Probe::Installed(_) => {
            println!("xtask: installed {label} in {}", format_duration(started.elapsed()));
            Ok(())
        }
        Probe::WrongVersion(found) => Err(format!(
            "installed {label} but `{}` still reports {found}; is another copy earlier on PATH?",
            tool.name()
        )),
        Probe::Missing => Err(format!("installed {label} but cannot run it; is ~/.cargo/bin on PATH?")),
    }
}

/// Tools for building and serving the web app.
pub fn ensure_build_tools(root: &Path) -> Result<()> {
    let w = Wanted::new(root)?;
    BUILD_TOOLS.iter().try_for_each(|&t| ensure(t, &w))
}

/// Chromium and ChromeDriver, for the wasm tests and the end-to-end test. They come from
/// one `apt-get install`, so they are checked together and installed at most once.
pub fn ensure_browser(root: &Path) -> Result<()> {
    let w = Wanted::new(root)?;
    let all_installed = || BROWSER_TOOLS.iter().all(|t| matches!(t.probe(&w), Probe::Installed(_)));
    let was_installed = all_installed();
    if !was_installed {
        Tool::Chromium.wait_for_concurrent_install();
    }
    if !all_installed() {
        println!("xtask: installing chromium and chromium-driver with apt-get ({})…", Tool::Chromium.eta());
        let started = Instant::now();
        install_chromium().map_err(|e| format!("installing chromium: {e}"))?;
        println!("xtask: installed chromium and chromium-driver in {}", format_duration(started.elapsed()));
    }
    for tool in BROWSER_TOOLS {
        match tool.probe(&w) {
            Probe::Installed(v) if was_installed => {
                println!("xtask: {} {v} already installed", tool.name())
            }
            Probe::Installed(v) => println!("xtask: {} {v} installed", tool.name()),
            _ => return Err(format!("{} is still missing after apt-get", tool.name())),
        }
    }
    Ok(())
}

pub fn ensure_all(root: &Path) -> Result<()> {
    ensure_build_tools(root)?;
    ensure_browser(root)
}

/// `cargo xtask doctor`: one row per tool, never installs anything.
pub fn doctor(root: &Path) -> Result<()> {
    let w = Wanted::new(root)?;
    println!("xtask: tools for {}", root.display());
    println!("  {:<18} {:<30} status", "tool", "wanted");
    let mut missing = 0;
    for tool in BUILD_TOOLS.iter().chain(BROWSER_TOOLS.iter()) {
        let status = match tool.probe(&w) {
            Probe::Installed(v) => format!("installed {v}"),
            Probe::WrongVersion(v) => {
                missing += 1;
                format!("MISSING (found {v})")
            }
            Probe::Missing => {
                missing += 1;
                "MISSING".to_string()
            }
        };
        println!("  {:<18} {:<30} {status}", tool.name(), tool.wanted(&w));
    }
    if missing == 0 {
        println!("xtask: all tools installed");
    } else {
        println!("xtask: {missing} missing; `cargo xtask install` (or any build command) installs them");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_tokens() {
        let trunk = Some("trunk 0.21.14".to_string());
        assert!(matches!(versioned(trunk, 1, "0.21.14"), Probe::Installed(_)));
        let opt = Some("wasm-opt version 132 (version_132)".to_string());
        assert!(matches!(versioned(opt, 2, "132"), Probe::Installed(_)));
        let old = Some("wasm-bindgen 0.2.100".to_string());
        assert!(matches!(versioned(old, 1, "0.2.130"), Probe::WrongVersion(v) if v == "0.2.100"));
        assert!(matches!(versioned(None, 1, "1"), Probe::Missing));
    }
}
