//! Reads pinned versions from Cargo.lock.
//!
//! wasm-bindgen-cli must match the `wasm-bindgen` crate byte for byte (the generated JS glue
//! and the wasm-bindgen-test-runner protocol both change between patch versions), and Trunk
//! refuses a mismatched system binary in offline mode, so the lockfile is the single source.

use crate::Result;
use std::path::Path;

/// Version of the `wasm-bindgen` crate pinned in `<root>/Cargo.lock`.
pub fn wasm_bindgen_version(root: &Path) -> Result<String> {
    let path = root.join("Cargo.lock");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    package_version(&text, "wasm-bindgen").ok_or_else(|| format!("no `wasm-bindgen` package in {}", path.display()))
}

/// The `version` of the first `[[package]]` named `name`. A tiny line-based reader is enough
/// for Cargo's fixed lockfile layout and saves a TOML dependency.
fn package_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut in_wanted_package = false;
    for line in lock.lines().map(str::trim) {
        if line == "[[package]]" {
            in_wanted_package = false;
        } else if line == wanted {
            in_wanted_package = true;
        } else if in_wanted_package {
            if let Some(value) = line.strip_prefix("version = ") {
                return Some(value.trim_matches('"').to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::package_version;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen-macro"
version = "9.9.9"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn finds_exact_package_name_only() {
        assert_eq!(package_version(LOCK, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(package_version(LOCK, "wasm-bindgen-macro").as_deref(), Some("9.9.9"));
        assert_eq!(package_version(LOCK, "wasm"), None);
    }
}
