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
    /// Score the pipeline against labelled truth (story field, labelled pairs), optionally over a threshold grid.
    Eval(EvalArgs),
    /// Explain one pair: scores, label, shared passages side by side, aligned sentences.
    Compare(CompareArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    /// Colour when writing to a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
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
    /// Input: JSONL files (.jsonl or .jsonl.gz), directories of .txt and .html pages, .txt or .html files, or - for JSONL on stdin.
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
    /// MiB of article text a batch may have and be held in memory; a bigger
    /// batch reads its texts again from its JSONL files (others from
    /// temporary files, in TMPDIR) and keeps its shingle sets and anchors in
    /// temporary files until a stage needs them.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub hold_texts: usize,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Exit with status 1 when any pair is reported.
    #[arg(long)]
    pub fail_on_duplicates: bool,
    #[command(flatten)]
    pub fields: FieldArgs,
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
    /// Write the HTML report here (one self-contained file).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Stories listed in the terminal summary.
    #[arg(long, default_value_t = 10)]
    pub top_stories: usize,
    /// Pairs listed in the terminal summary.
    #[arg(long, default_value_t = 15)]
    pub top_pairs: usize,
    /// Colour in the terminal summary.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two article files (.txt, or JSONL holding one article), or two ids of the batch given with --in.
    #[arg(num_args = 2, required = true, value_names = ["A", "B"])]
    pub items: Vec<String>,
    /// A batch (JSONL) holding both articles by id; its IDF weighs the content terms.
    #[arg(long = "in", value_name = "BATCH")]
    pub batch: Option<PathBuf>,
    /// Print the comparison as JSON instead.
    #[arg(long)]
    pub json: bool,
    /// Colour.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// What to look for.
    #[arg(long, value_enum, default_value = "stories")]
    pub mode: ModeArg,
    /// Width of each side-by-side column, in characters.
    #[arg(long, default_value_t = 56)]
    pub width: usize,
    #[command(flatten)]
    pub fields: FieldArgs,
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

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// JSON field holding each article's true story (articles without it are not scored).
    #[arg(long, default_value = "story", value_name = "FIELD")]
    pub truth_field: String,
    /// Labelled pairs: TSV with a header naming id_a, id_b and label.
    #[arg(long, value_name = "FILE")]
    pub pairs_truth: Option<PathBuf>,
    /// Pair labels that should be reported (comma separated); enables precision/recall/F1.
    #[arg(long, value_delimiter = ',', value_name = "LABELS")]
    pub positive: Vec<String>,
    /// Pair labels that should not be reported (default: every other label).
    #[arg(long, value_delimiter = ',', value_name = "LABELS")]
    pub negative: Vec<String>,
    /// Vary the story (cluster, rewrite) and copy (near-copy) thresholds over a grid and print a table.
    #[arg(long)]
    pub sweep: bool,
    /// Cluster thresholds for --sweep (comma separated).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub sweep_cluster: Option<Vec<f64>>,
    /// Rewrite thresholds for --sweep (comma separated).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub sweep_rewrite: Option<Vec<f64>>,
    /// Near-copy thresholds for --sweep (comma separated).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub sweep_copy: Option<Vec<f64>>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Names of the input record fields (JSONL).
#[derive(Debug, Args)]
pub struct FieldArgs {
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
    /// JSON field holding a raw HTML page (its main text is extracted when the text field is absent).
    #[arg(long, default_value = "html")]
    pub html_field: String,
    /// JSON field holding the language (ISO 639-1 code such as `de`; also
    /// ISO 639-3 or BCP 47 tags). Articles without it get their language
    /// detected from the text.
    #[arg(long, default_value = "lang")]
    pub lang_field: String,
}
