//! Command-line arguments (clap derive only; no logic here).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Near-duplicate and rewrite detector for syndicated news.
///
/// Exit codes: 0 success, 1 duplicates found (only with --fail-on-duplicates), 2 error.
#[derive(Debug, Parser)]
#[command(name = "newsdup", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find copies and rewrites, cluster them into stories, and report them.
    Scan(ScanArgs),
    /// Keep one article per story; write the rest to a list of dropped articles.
    Dedup(DedupArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// Copies only (exact, near-copy, partial-copy): faster, no story fingerprint.
    Copies,
    /// Copies and rewrites.
    Stories,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeepArg {
    /// The longest article.
    Longest,
    /// The earliest published (undated articles last).
    Earliest,
    /// The first in input order.
    First,
}

/// Options shared by every command that runs the pipeline.
#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// Input: JSONL files (.jsonl or .jsonl.gz), directories of .txt files, .txt files, or - for JSONL on stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// What to look for.
    #[arg(long, value_enum, default_value = "stories")]
    pub mode: ModeArg,
    /// Word-shingle Jaccard the copy fingerprint's LSH is tuned for.
    #[arg(long, default_value_t = 0.5, value_name = "J")]
    pub threshold: f64,
    /// Shingle containment (smaller in larger) at or above which a pair is a near-copy.
    #[arg(long, default_value_t = 0.5)]
    pub near_copy: f64,
    /// Minimum shared shingles for a partial copy.
    #[arg(long, default_value_t = 8)]
    pub partial_min_shingles: usize,
    /// Story similarity (cosine of IDF-weighted content terms) at or above which a pair is a rewrite.
    #[arg(long, default_value_t = 0.42)]
    pub rewrite: f64,
    /// Lower story similarity that makes a rewrite when the texts also share a phrase (2+ shingles).
    #[arg(long, default_value_t = 0.25)]
    pub rewrite_supported: f64,
    /// Average story similarity at or above which stories merge.
    #[arg(long, default_value_t = 0.23)]
    pub cluster_threshold: f64,
    /// Words per shingle.
    #[arg(short = 'k', long, default_value_t = 5)]
    pub shingle: usize,
    /// MinHash slots per fingerprint.
    #[arg(long, default_value_t = 128)]
    pub hashes: usize,
    /// Which article represents a story.
    #[arg(long, value_enum, default_value = "longest")]
    pub keep: KeepArg,
    /// Stop at the first bad record instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Exit with status 1 when any pair is reported.
    #[arg(long)]
    pub fail_on_duplicates: bool,
    /// JSON field holding the article id.
    #[arg(long, default_value = "id")]
    pub id_field: String,
    /// JSON field holding the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// JSON field holding the headline.
    #[arg(long, default_value = "title")]
    pub title_field: String,
    /// JSON field holding the publication date (RFC 3339 or YYYY-MM-DD).
    #[arg(long, default_value = "published")]
    pub published_field: String,
    /// JSON field holding the outlet.
    #[arg(long, default_value = "source")]
    pub source_field: String,
    /// JSON field holding the URL.
    #[arg(long, default_value = "url")]
    pub url_field: String,
    /// JSON field holding the language (ISO 639-1 code such as `de`; also
    /// ISO 639-3 or BCP 47 tags). Articles without it get their language
    /// detected from the text.
    #[arg(long, default_value = "lang")]
    pub lang_field: String,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Write the canonical JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write one {"id","cluster"} line per article here (JSONL).
    #[arg(long, value_name = "FILE")]
    pub clusters: Option<PathBuf>,
    /// Write the reported pairs here (TSV).
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// Write the shared passages here (JSONL, byte offsets).
    #[arg(long, value_name = "FILE")]
    pub passages: Option<PathBuf>,
    /// Stories listed in the terminal summary.
    #[arg(long, default_value_t = 10)]
    pub top_stories: usize,
    /// Pairs listed in the terminal summary.
    #[arg(long, default_value_t = 15)]
    pub top_pairs: usize,
}

#[derive(Debug, Args)]
pub struct DedupArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Where to write the kept articles (JSONL; - for stdout).
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Write one line per dropped article: its id, the id kept instead, and the label (JSONL).
    #[arg(long, value_name = "FILE")]
    pub dropped: Option<PathBuf>,
}
