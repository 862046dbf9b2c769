//! Architecture invariants of the core, checked on its source: no dependencies (so no
//! wasm-bindgen, web-sys, js-sys or getrandom), no OS clock, no OS randomness, and no
//! HashMap/HashSet whose iteration order could leak into behaviour.

use std::path::{Path, PathBuf};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_has_no_dependencies() {
    let manifest = std::fs::read_to_string(crate_dir().join("Cargo.toml")).expect("manifest");
    let deps =
        manifest.split("[dependencies]").nth(1).expect("a [dependencies] table").split('[').next().unwrap_or_default();
    let declared: Vec<&str> = deps.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert!(declared.is_empty(), "ksim must stay dependency-free, found {declared:?}");
}

#[test]
fn the_core_never_reads_a_clock_or_os_randomness_or_iterates_hash_maps() {
    let forbidden = [
        "HashMap",
        "HashSet",
        "std::time",
        "Instant::",
        "SystemTime",
        "thread_rng",
        "getrandom",
        "wasm_bindgen",
        "web_sys",
        "js_sys",
        "std::fs",
        "std::net",
        "std::env",
        "println!",
        "eprintln!",
    ];
    let mut files = Vec::new();
    sources(&crate_dir().join("src"), &mut files);
    assert!(files.len() > 20, "found the sources");
    let mut hits = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in forbidden {
                if code.contains(word) {
                    hits.push(format!("{}:{}: {word}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(hits.is_empty(), "forbidden in the deterministic core:\n{}", hits.join("\n"));
}
