//! Reporters: renderings of a [`crate::RunReport`]. They compute nothing.
//!
//! - [`json`]: the canonical, versioned JSON report (`"schema": 1`);
//! - [`interchange`]: clusters JSONL, pairs TSV and passages JSONL
//!   (the formats of DESIGN.md, read by `shared/eval/score.py`);
//! - [`terminal`]: the human summary;
//! - [`evaluation`]: scores of a run against labelled truth (`newsdup eval`).

pub mod evaluation;
pub mod interchange;
pub mod json;
pub mod terminal;
