//! # newsdup
//!
//! Finds the same news story told many times in a batch of articles: verbatim
//! wire copies inside other sites' boilerplate, trimmed and copy-edited copies,
//! paragraphs lifted into roundups, and rewrites in an outlet's own words. It
//! labels every related pair (`exact`, `near-copy`, `partial-copy`,
//! `rewrite`), groups articles into stories and quotes the passages they share.
//!
//! ```text
//! ingest → normalise → suppress boilerplate → fingerprint → candidates → verify+label → cluster → align → report
//!          (tokens      (lines recurring       copy: word    LSH bands    exact scores   average    shared
//!           keep byte    across the batch)     5-shingle     + anchors    on the sets    linkage    passages
//!           offsets)                           MinHash;
//!                                              story: IDF-weighted content-term MinHash
//! ```
//!
//! Every stage is a plain function over slices, parallel inside with rayon;
//! none does I/O except [`ingest`]. Output is deterministic whatever the
//! thread count.
//!
//! ```
//! use newsdup::{pipeline, Article, Origin, Params};
//!
//! let text = "The port authority said on Thursday that 1,400 dockworkers had walked out \
//!             over pay, halting container traffic at the busiest terminal in the region.";
//! let article = |key: &str, body: String| {
//!     Article::new(key, Origin { path: "example".into(), line: None }, body)
//! };
//! let articles = vec![
//!     article("wire", text.to_string()),
//!     article("copy", format!("Subscribe to our newsletter.\n{text}")),
//!     article("other", "The home side won the cup final 3-1 after extra time in front of a record crowd.".into()),
//! ];
//! let report = pipeline::run(&articles, &Params::default()).unwrap();
//! assert_eq!(report.pairs.len(), 1);
//! assert_eq!(report.pairs[0].label.as_str(), "near-copy");
//! assert_eq!(report.documents[0].cluster, report.documents[1].cluster);
//! assert_ne!(report.documents[0].cluster, report.documents[2].cluster);
//! ```

#![deny(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod align;
pub mod boilerplate;
pub mod candidates;
pub mod cluster;
pub mod docs;
mod error;
pub mod eval;
pub mod hash;
pub mod ingest;
pub mod lang;
pub mod lsh;
pub mod merge;
pub mod minhash;
pub mod model;
pub mod normalize;
pub mod pairs;
pub mod params;
pub mod pipeline;
mod prefetch;
pub mod probe;
pub mod report;
pub mod shingle;
pub mod store;
pub mod terms;
pub mod union_find;
pub mod verify;

pub use error::{Error, Result};
pub use model::{Article, Cluster, DocId, Label, Origin};
pub use params::{KeepPolicy, Mode, Params};
pub use pipeline::RunReport;
