//! Integration tests: one binary (ripgrep's layout), one module per area.

mod boilerplate;
mod cli;
mod eval;
mod html;
mod pipeline;

use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sample batch shipped in `data/`.
pub fn sample() -> PathBuf {
    root().join("data/sample/articles.jsonl")
}

/// `../shared` beside the repository (present on CI and dev machines).
pub fn shared() -> Option<PathBuf> {
    let p = root().join("../shared");
    p.join("eval").is_dir().then_some(p)
}
