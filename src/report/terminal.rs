//! The terminal summary: counts, stories largest first with member titles,
//! and the top pairs with label, score and a snippet of their longest shared
//! passage.

use crate::pipeline::RunReport;
use std::io::Write;

/// How much the summary shows.
#[derive(Debug, Clone, Copy)]
pub struct TerminalConfig {
    /// Stories listed.
    pub max_stories: usize,
    /// Members listed per story.
    pub max_members: usize,
    /// Pairs listed.
    pub max_pairs: usize,
    /// Snippet length in characters.
    pub snippet_chars: usize,
}

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig {
            max_stories: 10,
            max_members: 8,
            max_pairs: 15,
            snippet_chars: 100,
        }
    }
}

fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        flat
    } else {
        let cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Writes the human summary.
pub fn write(
    report: &RunReport,
    config: TerminalConfig,
    mut out: impl Write,
) -> std::io::Result<()> {
    let s = &report.stats;
    let [exact, near, partial, rewrite] = s.pairs_by_label;
    writeln!(
        out,
        "{} articles ({} skipped), {} stories ({} with more than one article), {} pairs: {exact} exact, {near} near-copy, {partial} partial-copy, {rewrite} rewrite",
        s.documents,
        report.skipped.len(),
        s.stories,
        s.multi_article_stories,
        report.pairs.len(),
    )?;
    if s.boilerplate_lines > 0 {
        writeln!(out, "{} boilerplate lines suppressed", s.boilerplate_lines)?;
    }
    let mut stories: Vec<(usize, &crate::Cluster)> = report
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.members.len() > 1)
        .collect();
    stories.sort_by(|x, y| {
        y.1.members
            .len()
            .cmp(&x.1.members.len())
            .then(x.0.cmp(&y.0))
    });
    if !stories.is_empty() {
        writeln!(out, "\nStories (largest first):")?;
    }
    for (i, c) in stories.iter().take(config.max_stories) {
        writeln!(out, "  story {i}: {} articles", c.members.len())?;
        for &m in c.members.iter().take(config.max_members) {
            let d = &report.documents[m.idx()];
            let keep = if m == c.representative { "*" } else { " " };
            let title = d
                .title
                .as_deref()
                .map(|t| one_line(t, 70))
                .unwrap_or_default();
            writeln!(out, "   {keep} {}  {title}", d.id)?;
        }
        if c.members.len() > config.max_members {
            writeln!(out, "     … {} more", c.members.len() - config.max_members)?;
        }
    }
    if stories.len() > config.max_stories {
        writeln!(
            out,
            "  … {} more stories",
            stories.len() - config.max_stories
        )?;
    }
    if !report.pairs.is_empty() {
        writeln!(out, "\nTop pairs:")?;
    }
    for p in report.pairs.iter().take(config.max_pairs) {
        let (a, b) = (
            &report.documents[p.a.idx()].id,
            &report.documents[p.b.idx()].id,
        );
        writeln!(
            out,
            "  {:.3}  {:<12}  {a}  ~  {b}   (jaccard {:.2}, containment {:.2}, story {:.2})",
            p.score,
            p.label.as_str(),
            p.scores.jaccard,
            p.scores.containment,
            p.scores.story
        )?;
        if let Some(ps) = p
            .passages
            .iter()
            .max_by_key(|ps| (ps.tokens, std::cmp::Reverse(ps.a_start)))
        {
            writeln!(
                out,
                "         \"{}\"",
                one_line(&ps.text_a, config.snippet_chars)
            )?;
        }
    }
    if report.pairs.len() > config.max_pairs {
        writeln!(
            out,
            "  … {} more pairs",
            report.pairs.len() - config.max_pairs
        )?;
    }
    for sk in report.skipped.iter().take(20) {
        writeln!(out, "skipped {}: {}", sk.origin, sk.reason)?;
    }
    if report.skipped.len() > 20 {
        writeln!(out, "… {} more skipped records", report.skipped.len() - 20)?;
    }
    Ok(())
}
