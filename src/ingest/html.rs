//! HTML pages → article text, with a Readability port (`dom_smoothie`).
//!
//! A scraped page is mostly not the article: navigation, teasers, newsletter
//! prompts, comments, footers. Extraction keeps the main text (paragraphs
//! separated by blank lines) and the metadata the page declares (title,
//! publication time, canonical URL, site name). Byte offsets in reports refer
//! to this extracted text. Pages in a legacy charset are decoded by the
//! charset a detector guesses (UTF-8 is taken as is).

use dom_smoothie::{Config, ParsePolicy, Readability, TextMode};

/// What extraction keeps of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The headline, if the page has one.
    pub title: Option<String>,
    /// The main text, paragraphs separated by blank lines.
    pub text: String,
    /// The declared publication time, as written.
    pub published: Option<String>,
    /// The declared canonical URL.
    pub url: Option<String>,
    /// The site name.
    pub site: Option<String>,
    /// The page's declared language (`<html lang>`), as written.
    pub lang: Option<String>,
}

/// Decodes page bytes: UTF-8 when valid, otherwise the guessed legacy charset.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
            encoding.decode(bytes).0.into_owned()
        }
    }
}

/// Extracts the main text of a page; `Err` says why there is none.
pub fn extract(html: &str, url: Option<&str>) -> Result<Extracted, String> {
    // A third-party parser meets arbitrary input here: a panic inside it
    // becomes a bad record, not a crash of the run.
    std::panic::catch_unwind(|| extract_inner(html, url))
        .unwrap_or_else(|_| Err("the HTML parser failed on this page".into()))
}

fn extract_inner(html: &str, url: Option<&str>) -> Result<Extracted, String> {
    let config = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    // Strict first (drops unlikely blocks before scoring); pages it finds no
    // article in get the gentler policy.
    let mut last_error = String::new();
    for policy in [ParsePolicy::Strict, ParsePolicy::Moderate, ParsePolicy::Raw] {
        let mut reader = Readability::new(html, url, Some(config.clone()))
            .map_err(|e| format!("cannot parse HTML: {e}"))?;
        match reader.parse_with_policy(policy) {
            Ok(article) => {
                let text = tidy(&article.text_content);
                if text.is_empty() {
                    last_error = "no text in the page".into();
                    continue;
                }
                let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
                return Ok(Extracted {
                    title: non_empty(Some(article.title.trim().to_string())),
                    text,
                    published: non_empty(article.published_time),
                    url: non_empty(article.url),
                    site: non_empty(article.site_name),
                    lang: non_empty(article.lang),
                });
            }
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(format!("no article text found: {last_error}"))
}

/// Trims every line and keeps at most one blank line between paragraphs.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push_str("\n\n");
        } else if !out.is_empty() {
            out.push('\n');
        }
        blank = false;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="en-GB"><head><title>Harbour strike ends | The Gazette</title>
<meta property="article:published_time" content="2026-03-14T09:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<div class="newsletter">Subscribe to our newsletter * indicates required</div>
<article><h1>Harbour strike ends</h1>
<p>Dockworkers at the port of Alvenna returned to work on Saturday after the union and the port
authority agreed to delay the crane automation plan by two years, ending a three-day strike.</p>
<p>The agreement, reached after eleven hours of talks, guarantees that no permanent jobs will be
cut before 2029 and sets up a joint committee on retraining for the 420 affected workers.</p>
<p>Union officials said members would vote on the deal next week, while the port authority said
container traffic should be back to normal by Monday.</p></article>
<footer>© 2026 The Gazette. All rights reserved.</footer></body></html>"#;

    #[test]
    fn keeps_the_article_and_drops_the_template() {
        let e = extract(PAGE, None).unwrap();
        assert!(
            e.text.contains("returned to work on Saturday"),
            "{}",
            e.text
        );
        assert!(e.text.contains("normal by Monday"));
        assert!(!e.text.contains("Subscribe"), "{}", e.text);
        assert!(!e.text.contains("All rights reserved"), "{}", e.text);
        assert!(e.title.unwrap().contains("Harbour strike ends"));
        assert_eq!(e.published.as_deref(), Some("2026-03-14T09:00:00Z"));
        assert_eq!(e.lang.as_deref(), Some("en-GB"));
        // Paragraphs stay apart.
        assert!(e.text.contains("\n\n"));
    }

    #[test]
    fn legacy_charsets_are_decoded() {
        // "café – déjà" in windows-1252.
        let bytes = b"<p>caf\xe9 \x96 d\xe9j\xe0</p>";
        assert_eq!(decode(bytes), "<p>café – déjà</p>");
    }

    #[test]
    fn pages_without_text_are_an_error_not_a_panic() {
        for page in ["", "<html></html>", "<p>", "<div> </div>"] {
            assert!(extract(page, None).is_err(), "{page:?}");
        }
    }
}
