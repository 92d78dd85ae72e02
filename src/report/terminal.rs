//! The terminal summary: counts, stories largest first with member titles,
//! and the top pairs with label, score and a snippet of their longest shared
//! passage; and the side-by-side view of one pair (`newsdup compare`).
//!
//! Colour is written as ANSI styles ([`anstyle`]) when
//! [`TerminalConfig::color`] is set; the command line hands the output to an
//! `anstream` stream that strips them when stdout is not a terminal or with
//! `--color never`.

use crate::lang::content_term;
use crate::model::{Label, PassageKind};
use crate::normalize::tokenize;
use crate::pipeline::{Comparison, ReportedPassage, RunReport};
use anstyle::{AnsiColor, Style};
use std::io::Write;

/// Shared words.
const SHARED: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)))
    .bold();
/// Words inside a passage that differ between the two sides.
const CHANGED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
/// Labels and headings.
const HEADING: Style = Style::new().bold();
/// Secondary information.
const DIM: Style = Style::new().dimmed();

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
    /// Write ANSI colour styles.
    pub color: bool,
    /// Width of one column of the side-by-side view, in characters.
    pub column_chars: usize,
}

impl Default for TerminalConfig {
    fn default() -> Self {
        TerminalConfig {
            max_stories: 10,
            max_members: 8,
            max_pairs: 15,
            snippet_chars: 100,
            color: false,
            column_chars: 56,
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
            let (on, off) = styles(SHARED, config.color);
            let kind = match ps.kind {
                PassageKind::Quote => "quote ",
                PassageKind::Run => "",
            };
            writeln!(
                out,
                "         {kind}\"{on}{}{off}\"",
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

/// The escape sequences that turn a style on and off (empty without colour).
fn styles(style: Style, color: bool) -> (String, String) {
    if color {
        (style.render().to_string(), style.render_reset().to_string())
    } else {
        (String::new(), String::new())
    }
}

/// A word as printed: its text and whether it is highlighted.
type Word<'t> = (&'t str, bool);

/// Splits `text` at white space; a word is marked when every token in it is.
fn words<'t>(text: &'t str, marked: impl Fn(usize, &str) -> bool) -> Vec<Word<'t>> {
    let tokens = tokenize(text);
    let mut out = Vec::new();
    let mut t = 0;
    let mut pos = 0;
    for w in text.split_whitespace() {
        // split_whitespace yields subslices of `text`: find the offset.
        let start = pos + text[pos..].find(w).unwrap_or(0);
        let end = start + w.len();
        pos = end;
        let first = t;
        while t < tokens.len() && tokens[t].start() < end {
            t += 1;
        }
        let hit = first < t && (first..t).all(|i| marked(i, &tokens[i].norm));
        out.push((w, hit));
    }
    out
}

/// Per token of each text: whether it is on the longest common subsequence
/// of the two token sequences (the shared words; the rest differ). Long
/// texts are marked whole (the quadratic table is not worth it).
fn common_tokens(a: &str, b: &str) -> (Vec<bool>, Vec<bool>) {
    const MAX_TOKENS: usize = 400;
    let ta: Vec<_> = tokenize(a).into_iter().map(|t| t.norm).collect();
    let tb: Vec<_> = tokenize(b).into_iter().map(|t| t.norm).collect();
    if ta.len() > MAX_TOKENS || tb.len() > MAX_TOKENS {
        return (vec![true; ta.len()], vec![true; tb.len()]);
    }
    let (n, m) = (ta.len(), tb.len());
    let mut table = vec![0u16; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * (m + 1) + j] = if ta[i] == tb[j] {
                table[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                table[(i + 1) * (m + 1) + j].max(table[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut ma, mut mb) = (vec![false; n], vec![false; m]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if ta[i] == tb[j] {
            ma[i] = true;
            mb[j] = true;
            i += 1;
            j += 1;
        } else if table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (ma, mb)
}

/// Word-wraps marked words into lines of at most `width` characters.
fn wrap<'t>(words: &[Word<'t>], width: usize) -> Vec<Vec<Word<'t>>> {
    let mut lines: Vec<Vec<Word<'t>>> = vec![Vec::new()];
    let mut used = 0;
    for &(w, mark) in words {
        let n = w.chars().count();
        let line = lines.last_mut().map(|l| l.len()).unwrap_or(0);
        if line > 0 && used + 1 + n > width {
            lines.push(Vec::new());
            used = 0;
        }
        if let Some(l) = lines.last_mut() {
            used += n + usize::from(!l.is_empty());
            l.push((w, mark));
        }
    }
    lines
}

/// Writes one wrapped line with its marks, padded to `width` visible characters.
fn write_line(
    out: &mut dyn Write,
    line: &[Word<'_>],
    mark: Style,
    plain: Style,
    width: usize,
    color: bool,
) -> std::io::Result<()> {
    let mut used = 0;
    for (i, &(w, m)) in line.iter().enumerate() {
        if i > 0 {
            write!(out, " ")?;
            used += 1;
        }
        let (on, off) = styles(if m { mark } else { plain }, color);
        write!(out, "{on}{w}{off}")?;
        used += w.chars().count();
    }
    write!(out, "{:pad$}", "", pad = width.saturating_sub(used))
}

/// Writes two marked texts in two columns.
fn side_by_side(
    out: &mut dyn Write,
    left: &[Word<'_>],
    right: &[Word<'_>],
    config: TerminalConfig,
    plain: Style,
) -> std::io::Result<()> {
    let width = config.column_chars.max(10);
    let (l, r) = (wrap(left, width), wrap(right, width));
    let (bar_on, bar_off) = styles(DIM, config.color);
    for k in 0..l.len().max(r.len()) {
        write!(out, "    ")?;
        write_line(
            out,
            l.get(k).map_or(&[][..], Vec::as_slice),
            SHARED,
            plain,
            width,
            config.color,
        )?;
        write!(out, " {bar_on}│{bar_off} ")?;
        write_line(
            out,
            r.get(k).map_or(&[][..], Vec::as_slice),
            SHARED,
            plain,
            0,
            config.color,
        )?;
        writeln!(out)?;
    }
    Ok(())
}

fn passage_view(
    out: &mut dyn Write,
    n: usize,
    ps: &ReportedPassage,
    config: TerminalConfig,
) -> std::io::Result<()> {
    let (h_on, h_off) = styles(HEADING, config.color);
    writeln!(
        out,
        "  {h_on}#{n} {}{h_off}, {} words   A {}..{}   B {}..{}",
        ps.kind.as_str(),
        ps.tokens,
        ps.a_start,
        ps.a_end,
        ps.b_start,
        ps.b_end
    )?;
    let (ma, mb) = common_tokens(&ps.text_a, &ps.text_b);
    let left = words(&ps.text_a, |i, _| ma.get(i).copied().unwrap_or(true));
    let right = words(&ps.text_b, |i, _| mb.get(i).copied().unwrap_or(true));
    side_by_side(out, &left, &right, config, CHANGED)
}

/// Writes the view of one compared pair: the two articles, scores, label
/// (or why the pair is unrelated), the shared passages side by side with the
/// differing words marked, and for rewrites the aligned sentences with their
/// shared terms marked. `texts` are the two bodies.
pub fn write_comparison(
    cmp: &Comparison,
    texts: [&str; 2],
    config: TerminalConfig,
    mut out: impl Write,
) -> std::io::Result<()> {
    let out: &mut dyn Write = &mut out;
    let (h_on, h_off) = styles(HEADING, config.color);
    for (side, d) in ["A", "B"].iter().zip(&cmp.documents) {
        let title = d
            .title
            .as_deref()
            .map(|t| format!("  {}", one_line(t, 70)))
            .unwrap_or_default();
        writeln!(
            out,
            "{h_on}{side}{h_off}  {}  ({} bytes, {} words){title}",
            d.id, d.bytes, d.tokens
        )?;
    }
    let s = &cmp.scores;
    match cmp.label {
        Some(label) => {
            let (l_on, l_off) = styles(label_style(label), config.color);
            writeln!(
                out,
                "\n{h_on}label{h_off}  {l_on}{label}{l_off}   score {:.3}",
                cmp.score
            )?;
        }
        None => {
            writeln!(
                out,
                "\n{h_on}label{h_off}  unrelated   score {:.3}",
                cmp.score
            )?;
            if let Some(reason) = &cmp.reason {
                writeln!(out, "       not reported: {reason}")?;
            }
        }
    }
    writeln!(
        out,
        "       jaccard {:.3}   containment {:.3}   shared shingles {}   story {:.3}   residual story {:.3}",
        s.jaccard, s.containment, s.shared_shingles, s.story, s.residual_story
    )?;
    if cmp.passages.is_empty() {
        writeln!(out, "\nNo shared passages.")?;
    } else {
        writeln!(
            out,
            "\n{h_on}Shared passages{h_off} ({}), A left, B right; differing words marked:",
            cmp.passages.len()
        )?;
        for (n, ps) in cmp.passages.iter().enumerate() {
            passage_view(out, n + 1, ps, config)?;
        }
    }
    if !cmp.sentences.is_empty() {
        writeln!(
            out,
            "\n{h_on}Aligned sentences{h_off} ({}), shared terms marked:",
            cmp.sentences.len()
        )?;
        for sp in &cmp.sentences {
            let lang = cmp.documents[0].lang;
            let stems: Vec<String> = sp
                .shared_terms
                .iter()
                .filter_map(|t| content_term(t, lang))
                .collect();
            let shared =
                |_: usize, norm: &str| content_term(norm, lang).is_some_and(|t| stems.contains(&t));
            let (Some(a), Some(b)) = (
                texts[0].get(sp.a_start..sp.a_end),
                texts[1].get(sp.b_start..sp.b_end),
            ) else {
                continue;
            };
            writeln!(
                out,
                "  {h_on}{:.2}{h_off}  shared: {}",
                sp.score,
                sp.shared_terms.join(", ")
            )?;
            side_by_side(
                out,
                &words(a, shared),
                &words(b, shared),
                config,
                Style::new(),
            )?;
        }
    }
    Ok(())
}

fn label_style(label: Label) -> Style {
    let c = match label {
        Label::Exact | Label::NearCopy => AnsiColor::Red,
        Label::PartialCopy => AnsiColor::Magenta,
        Label::Rewrite => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(anstyle::Color::Ansi(c))).bold()
}
