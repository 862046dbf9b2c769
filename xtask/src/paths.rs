//! Where things live in the repository, so no other module hard-codes a layout.

use std::path::{Path, PathBuf};

/// The workspace root: xtask's manifest directory is `<root>/xtask`, fixed at compile time,
/// so commands work from any current directory.
pub fn repo_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or_else(|| manifest_dir.to_path_buf())
}

/// Trunk's output directory (`dist = "dist"` in Trunk.toml).
pub fn dist(root: &Path) -> PathBuf {
    root.join("dist")
}

/// npm prefix of the binaryen (wasm-opt) install; `.tools/` is gitignored.
pub fn binaryen_prefix(root: &Path) -> PathBuf {
    root.join(".tools").join("binaryen")
}

/// Directory holding the `wasm-opt` shim npm creates; it goes first on Trunk's PATH.
pub fn binaryen_bin(root: &Path) -> PathBuf {
    binaryen_prefix(root).join("node_modules").join(".bin")
}

/// Artifacts of the end-to-end test (screenshots, chromedriver log).
pub fn e2e_artifacts(root: &Path) -> PathBuf {
    root.join("target").join("e2e")
}
