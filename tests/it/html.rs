//! The HTML report opened in a real headless browser (Debian's chromium,
//! installed by `scripts/install-browser.sh`). The page's JavaScript runs,
//! then the test reads the rendered DOM (`--dump-dom`) and checks that every
//! story is listed, the pair table has rows, the pair view (`#pair=N`) shows
//! both texts with the shared passages highlighted at the right characters,
//! and no script error was recorded (the page writes them to
//! `<html data-errors>`).
//!
//! Without chromium these tests print a loud skip message and pass, unless
//! `NEWSDUP_REQUIRE_BROWSER=1` (set by `scripts/test.sh` and CI), when they
//! fail. `syndication_report_in_browser` reads `../shared/eval/syndication`.

use newsdup::ingest::{read_inputs, IngestConfig};
use newsdup::report::html;
use newsdup::{pipeline, Params, RunReport};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser, or `None` (after a loud message) when it is missing and not required.
fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("NEWSDUP_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(CHROMIUM));
    if path.exists() {
        return Some(path);
    }
    if std::env::var("NEWSDUP_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!(
            "NEWSDUP_REQUIRE_BROWSER=1 but {} is missing: run scripts/install-browser.sh",
            path.display()
        );
    }
    // Straight to stderr, past the test harness's capture, so the skip shows.
    let _ = writeln!(
        std::io::stderr().lock(),
        "\n!!!!!!!! SKIPPED: HTML browser test: {} not found. \
         Run scripts/install-browser.sh (or scripts/test.sh) to run it. !!!!!!!!\n",
        path.display()
    );
    None
}

/// Loads `file#fragment` in headless chromium and returns the DOM after the
/// page's scripts ran, plus chromium's stderr.
fn dump_dom(chromium: &Path, file: &Path, fragment: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("dom.html"), dir.path().join("stderr.txt"));
    let url = format!(
        "file://{}#{fragment}",
        file.canonicalize().unwrap().display()
    );
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--window-size=1400,900",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("cannot start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed on {url}: {status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish loading {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (
        without_scripts(&std::fs::read_to_string(out).unwrap()),
        std::fs::read_to_string(err).unwrap_or_default(),
    )
}

/// The DOM without the contents of its script elements (the page's own
/// code and data), so only rendered elements are searched.
fn without_scripts(dom: &str) -> String {
    let mut out = String::with_capacity(dom.len());
    let mut rest = dom;
    while let Some(i) = rest.find("<script") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find("</script>") else {
            return out;
        };
        rest = &rest[i + j + "</script>".len()..];
    }
    out.push_str(rest);
    out
}

/// Checks that the page rendered and recorded no error.
fn assert_clean(dom: &str, stderr: &str) {
    assert!(
        dom.contains("data-state=\"ready\""),
        "page did not finish rendering: {}",
        &dom[..dom.len().min(2000)]
    );
    let errors = dom
        .find("data-errors=")
        .map(|i| &dom[i..dom[i..].find('>').map_or(dom.len(), |j| i + j)]);
    assert_eq!(errors, None, "the page recorded script errors");
    for line in stderr.lines() {
        assert!(
            !(line.contains(":CONSOLE") && line.contains("Uncaught")),
            "console error: {line}"
        );
    }
}

/// Every value of attribute `name` in the DOM.
fn attr_values(dom: &str, name: &str) -> Vec<String> {
    let pat = format!(" {name}=\"");
    dom.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &dom[i + pat.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Text of the element whose `id` is given (none of its descendants may have
/// the same tag), unescaped.
fn text_of(dom: &str, id: &str) -> Option<String> {
    let i = dom.find(&format!(" id=\"{id}\""))?;
    let open = dom[..i].rfind('<')?;
    let tag: String = dom[open + 1..i]
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    let start = i + dom[i..].find('>')? + 1;
    let end = start + dom[start..].find(&format!("</{tag}>"))?;
    Some(unescape(&strip_tags(&dom[start..end])))
}

/// The texts of the `<span class="ed">` (edited words) inside an element.
fn edits_in(dom: &str, id: &str) -> Vec<String> {
    let i = dom.find(&format!(" id=\"{id}\"")).unwrap();
    let end = i + dom[i..].find("</mark>").unwrap();
    let open = "<span class=\"ed\"";
    dom[i..end]
        .match_indices(open)
        .map(|(j, _)| {
            let s = i + j + dom[i + j..].find('>').unwrap() + 1;
            unescape(&dom[s..s + dom[s..].find("</span>").unwrap()])
        })
        .collect()
}

/// Undoes the escapes Chromium's serialiser writes in text nodes.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn report_of(path: &Path) -> (RunReport, Vec<String>) {
    let batch = read_inputs(&[path], &IngestConfig::default()).unwrap();
    let report = pipeline::run(&batch.articles, &Params::default()).unwrap();
    let texts = batch
        .articles
        .iter()
        .map(|a| a.text().unwrap().into_owned())
        .collect();
    (report, texts)
}

fn write_page(report: &RunReport, texts: &[String], dir: &Path) -> PathBuf {
    let path = dir.join("report.html");
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let file = std::fs::File::create(&path).unwrap();
    html::write(report, &texts, std::io::BufWriter::new(file)).unwrap();
    path
}

/// The stories view lists every story and every article.
fn check_stories(dom: &str, report: &RunReport) {
    let stories: BTreeSet<usize> = attr_values(dom, "data-story")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(stories, (0..report.clusters.len()).collect());
    let members: BTreeSet<usize> = attr_values(dom, "data-doc")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(members, (0..report.documents.len()).collect());
}

/// The pair view of the pair ranked `rank` (1-based) highlights each passage
/// at exactly its bytes on both sides.
fn check_pair_view(dom: &str, report: &RunReport, texts: &[String], rank: usize) {
    let pair = &report.pairs[rank - 1];
    assert!(dom.contains("data-view=\"pair\""), "pair view not shown");
    assert!(dom.contains(&format!("pair {rank} of {}", report.pairs.len())));
    assert!(dom.contains(&format!("class=\"badge {}\"", pair.label.as_str())));
    assert!(!pair.passages.is_empty(), "choose a pair with passages");
    let (a, b) = (&texts[pair.a.idx()], &texts[pair.b.idx()]);
    for (k, p) in pair.passages.iter().enumerate() {
        assert_eq!(
            text_of(dom, &format!("a-m{k}")).as_deref(),
            Some(&a[p.a_start..p.a_end]),
            "passage {k}, side A"
        );
        // Side B may overlap an earlier passage (then it is clipped): check its end.
        let shown_b = text_of(dom, &format!("b-m{k}")).unwrap_or_default();
        assert!(
            b[p.b_start..p.b_end].ends_with(&shown_b) && !shown_b.is_empty(),
            "passage {k}, side B: {shown_b:?}"
        );
    }
    // Both full texts are there, whole and unchanged, highlights included.
    for (side, text) in [("text-a", a), ("text-b", b)] {
        let at = dom.find(&format!(" id=\"{side}\"")).unwrap();
        let start = at + dom[at..].find('>').unwrap() + 1;
        let end = start + dom[start..].find("</div>").unwrap();
        assert_eq!(&unescape(&strip_tags(&dom[start..end])), text, "{side}");
    }
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn sample_report_in_browser() {
    let Some(chromium) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (report, texts) = report_of(&crate::sample());
    let page = write_page(&report, &texts, dir.path());

    let (dom, err) = dump_dom(&chromium, &page, "stories");
    assert_clean(&dom, &err);
    check_stories(&dom, &report);

    let (dom, err) = dump_dom(&chromium, &page, "pairs");
    assert_clean(&dom, &err);
    let rows = attr_values(&dom, "data-pair");
    let expected: Vec<String> = (1..=report.pairs.len().min(100))
        .map(|r| r.to_string())
        .collect();
    assert_eq!(rows, expected, "pair table rows in rank order");

    // The pairs of one story: those with an article in it, in rank order.
    let story = report.documents[report.pairs[0].a.idx()].cluster;
    let (dom, err) = dump_dom(&chromium, &page, &format!("pairs&story={story}"));
    assert_clean(&dom, &err);
    let expected: Vec<String> = (1..=report.pairs.len())
        .filter(|&r| {
            let p = &report.pairs[r - 1];
            report.documents[p.a.idx()].cluster == story
                || report.documents[p.b.idx()].cluster == story
        })
        .map(|r| r.to_string())
        .collect();
    assert!(expected.len() < report.pairs.len());
    assert_eq!(
        attr_values(&dom, "data-pair"),
        expected,
        "pairs of story {story}"
    );

    // Every labelled pair with passages opens in the pair view.
    let with_passages: Vec<usize> = (1..=report.pairs.len())
        .filter(|&r| !report.pairs[r - 1].passages.is_empty())
        .collect();
    assert!(with_passages.len() >= 3);
    for &rank in with_passages.iter().take(3) {
        let (dom, err) = dump_dom(&chromium, &page, &format!("pair={rank}"));
        assert_clean(&dom, &err);
        check_pair_view(&dom, &report, &texts, rank);
    }
}

#[test]
fn non_ascii_offsets_in_browser() {
    let Some(chromium) = browser() else { return };
    // Byte offsets differ from JavaScript's UTF-16 positions by a different
    // amount on each side: accents (2 bytes, 1 unit), CJK (3 bytes, 1 unit),
    // emoji (4 bytes, 2 units). A wrong conversion shifts the highlights.
    let shared = "Le conseil municipal de Zürich a voté à l'unanimité le budget des écoles, \
        des crèches et des routes pour l'année prochaine, après un débat de trois heures \
        sur la rénovation du pont de Hönggerberg et la délégation de 東京都庁 venue étudier \
        le tramway ; la maire a salué « un résultat historique » pour la ville";
    let a = format!("🎉🎉 Édition spéciale — 速報 — 2026\n\n{shared}. Fin de l'article.");
    // B was copy-edited: one word changed inside the shared passage.
    let edited = shared.replace("trois heures", "quatre heures");
    let b = format!("Kurz: ✨ Ç'est voté ✨ 中文 🚋🚋🚋\n\n{edited}. — Rédaction, Zürich ☕.");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("batch.jsonl");
    let lines: Vec<String> = [("fr-a", &a), ("fr-b", &b)]
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "title": id, "text": text}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let (report, texts) = report_of(&input);
    assert_eq!(report.pairs.len(), 1);
    assert!(!report.pairs[0].passages.is_empty());
    let page = write_page(&report, &texts, dir.path());
    let (dom, err) = dump_dom(&chromium, &page, "pair=1");
    assert_clean(&dom, &err);
    check_pair_view(&dom, &report, &texts, 1);
    assert!(text_of(&dom, "a-m0").unwrap().contains("東京都庁"));
    // The changed word is marked on both sides, and nothing else is.
    assert_eq!(
        report.pairs[0].passages.len(),
        1,
        "one passage across the edit"
    );
    assert_eq!(edits_in(&dom, "a-m0"), ["trois"]);
    assert_eq!(edits_in(&dom, "b-m0"), ["quatre"]);
}

/// Reads `../shared/eval/syndication` (the acceptance corpus of issue 4).
#[test]
fn syndication_report_in_browser() {
    let Some(chromium) = browser() else { return };
    let Some(shared) = crate::shared() else {
        panic!("../shared/eval must sit beside the repository");
    };
    let dir = tempfile::tempdir().unwrap();
    let (report, texts) = report_of(&shared.join("eval/syndication/docs.jsonl"));
    let page = write_page(&report, &texts, dir.path());

    let (dom, err) = dump_dom(&chromium, &page, "pairs");
    assert_clean(&dom, &err);
    check_stories(&dom, &report);
    assert_eq!(
        attr_values(&dom, "data-pair").len(),
        report.pairs.len().min(100)
    );

    let rank = 1 + report
        .pairs
        .iter()
        .position(|p| p.passages.len() >= 2)
        .expect("a pair with several passages");
    let (dom, err) = dump_dom(&chromium, &page, &format!("pair={rank}"));
    assert_clean(&dom, &err);
    check_pair_view(&dom, &report, &texts, rank);
}

/// `scan --html` writes the page (no browser needed): every article and pair is in its data.
#[test]
fn scan_writes_html_report() {
    let dir = tempfile::tempdir().unwrap();
    let (page, json) = (dir.path().join("r.html"), dir.path().join("r.json"));
    assert_cmd::Command::cargo_bin("newsdup")
        .unwrap()
        .arg("scan")
        .arg(crate::sample())
        .arg("--html")
        .arg(&page)
        .arg("--json")
        .arg(&json)
        .arg("-q")
        .assert()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    let open = "<script type=\"application/json\" id=\"report-data\">";
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // The same documents, plus a `lead` for those without a title.
    let mut docs = data["documents"].clone();
    for d in docs.as_array_mut().unwrap() {
        d.as_object_mut().unwrap().remove("lead");
    }
    assert_eq!(docs, report["documents"]);
    assert_eq!(
        data["pairs"].as_array().unwrap().len(),
        report["pairs"].as_array().unwrap().len()
    );
    for (p, q) in data["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(report["pairs"].as_array().unwrap())
    {
        assert_eq!(p["label"], q["label"]);
        assert_eq!(p["score"], q["score"]);
        assert_eq!(
            p["passages"].as_array().unwrap().len(),
            q["passages"].as_array().unwrap().len()
        );
    }
}

/// Aligned sentences (`pair.sentences`, byte ranges like passages) are listed
/// and highlighted when a pair carries them. The pipeline does not fill them
/// in yet, so this test adds them to the page's data itself.
#[test]
fn aligned_sentences_in_browser() {
    let Some(chromium) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (report, texts) = report_of(&crate::sample());
    let page = write_page(&report, &texts, dir.path());
    let rank = 1 + report
        .pairs
        .iter()
        .position(|p| p.label.as_str() == "rewrite")
        .unwrap();
    let pair = &report.pairs[rank - 1];
    let (a, b) = (&texts[pair.a.idx()], &texts[pair.b.idx()]);
    // The first two sentences of each side, as byte ranges.
    let sentence = |t: &str, n: usize| {
        let ends: Vec<usize> = t.match_indices(". ").map(|(i, _)| i + 1).take(2).collect();
        let start = if n == 0 { 0 } else { ends[0] + 1 };
        start..ends[n]
    };
    let (a0, a1, b0, b1) = (
        sentence(a, 0),
        sentence(a, 1),
        sentence(b, 0),
        sentence(b, 1),
    );
    let sentences = serde_json::json!([
        {"a_start": a0.start, "a_end": a0.end, "b_start": b1.start, "b_end": b1.end,
         "score": 0.61, "shared_terms": ["glacier", "<melt>"]},
        {"a_start": a1.start, "a_end": a1.end, "b_start": b0.start, "b_end": b0.end,
         "score": 0.42, "shared_terms": []},
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    let open = "<script type=\"application/json\" id=\"report-data\">";
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    let mut data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    data["pairs"][rank - 1]["sentences"] = sentences;
    let html = format!(
        "{}{}{}",
        &html[..start],
        html::script_json(&data).unwrap(),
        &html[end..]
    );
    std::fs::write(&page, html).unwrap();

    let (dom, err) = dump_dom(&chromium, &page, &format!("pair={rank}&hl=sentences"));
    assert_clean(&dom, &err);
    assert!(dom.contains("aligned sentences (2)"));
    assert!(dom.contains("<span class=\"term\">&lt;melt&gt;</span>"));
    assert_eq!(text_of(&dom, "a-m0").as_deref(), Some(&a[a0]));
    assert_eq!(text_of(&dom, "a-m1").as_deref(), Some(&a[a1]));
    assert_eq!(text_of(&dom, "b-m0").as_deref(), Some(&b[b1]));
    assert_eq!(text_of(&dom, "b-m1").as_deref(), Some(&b[b0]));
    // Without the hint the passages are highlighted, and the sentences still listed.
    let (dom, err) = dump_dom(&chromium, &page, &format!("pair={rank}"));
    assert_clean(&dom, &err);
    assert!(dom.contains("<table class=\"sentences\">"));
    if pair.passages.is_empty() {
        assert!(!dom.contains("id=\"a-m0\""));
    } else {
        check_pair_view(&dom, &report, &texts, rank);
    }
}
