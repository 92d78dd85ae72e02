//! The `newsdup` binary end to end: outputs parsed, not string-compared.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;

fn newsdup() -> Command {
    Command::cargo_bin("newsdup").unwrap()
}

/// Standard output of a run that must exit with `code`, as text.
fn stdout_of(cmd: &mut Command, code: i32) -> String {
    String::from_utf8(cmd.assert().code(code).get_output().stdout.clone()).unwrap()
}

/// Standard error of a run that must exit with `code`, as text.
fn stderr_of(cmd: &mut Command, code: i32) -> String {
    String::from_utf8(cmd.assert().code(code).get_output().stderr.clone()).unwrap()
}

fn read_jsonl(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn scan_writes_every_output_format() {
    let dir = tempfile::tempdir().unwrap();
    let (json, clusters, pairs, passages) = (
        dir.path().join("r.json"),
        dir.path().join("c.jsonl"),
        dir.path().join("p.tsv"),
        dir.path().join("s.jsonl"),
    );
    let out = stdout_of(
        newsdup()
            .arg("scan")
            .arg(crate::sample())
            .arg("--json")
            .arg(&json)
            .arg("--clusters")
            .arg(&clusters)
            .arg("--pairs")
            .arg(&pairs)
            .arg("--passages")
            .arg(&passages),
        0,
    );
    let summary = out;
    assert!(summary.starts_with("16 articles (0 skipped)"), "{summary}");
    assert!(summary.contains("Top pairs:"));

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["schema"], 1);
    assert_eq!(report["documents"].as_array().unwrap().len(), 16);
    let pairs_json = report["pairs"].as_array().unwrap();
    assert_eq!(pairs_json.len(), 17);
    assert_eq!(pairs_json[0]["label"], "exact");

    let cl = read_jsonl(&clusters);
    assert_eq!(cl.len(), 16);
    assert!(cl
        .iter()
        .all(|v| v["id"].is_string() && v["cluster"].is_u64()));

    let tsv = std::fs::read_to_string(&pairs).unwrap();
    let mut lines = tsv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("id_a\tid_b\tscore\tlabel"));
    assert_eq!(lines.count(), 17);

    let ps = read_jsonl(&passages);
    assert!(!ps.is_empty());
    assert!(ps
        .iter()
        .all(|p| p["unit"] == "byte" && p["a_start"].as_u64() < p["a_end"].as_u64()));
}

#[test]
fn output_is_identical_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let path = dir.path().join(format!("r{threads}.json"));
        newsdup()
            .args(["scan", "-q", "-j", threads])
            .arg(crate::sample())
            .arg("--json")
            .arg(&path)
            .assert()
            .success();
        outputs.push(std::fs::read(&path).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn texts_put_away_give_the_same_outputs() {
    // `--hold-texts 0` keeps no text in memory: every stage reads them back,
    // from the JSONL file itself, or from a temporary file when the input is
    // compressed.
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("sample.jsonl.gz");
    let mut to = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    to.write_all(&std::fs::read(crate::sample()).unwrap())
        .unwrap();
    to.finish().unwrap();
    let run = |hold: &str, mode: &str, input: &std::path::Path| {
        let name = input.file_name().unwrap().to_str().unwrap();
        let (json, html, kept) = (
            dir.path().join(format!("{hold}{mode}{name}.json")),
            dir.path().join(format!("{hold}{mode}{name}.html")),
            dir.path().join(format!("{hold}{mode}{name}.jsonl")),
        );
        newsdup()
            .args(["scan", "-q", "--mode", mode, "--hold-texts", hold])
            .arg(input)
            .arg("--json")
            .arg(&json)
            .arg("--html")
            .arg(&html)
            .assert()
            .success();
        newsdup()
            .args(["dedup", "-q", "--mode", mode, "--hold-texts", hold])
            .arg(input)
            .arg("-o")
            .arg(&kept)
            .assert()
            .success();
        [json, html, kept].map(|p| std::fs::read(p).unwrap())
    };
    for mode in ["copies", "stories"] {
        let sample = crate::sample();
        let (held, left) = (run("64", mode, &sample), run("0", mode, &sample));
        assert_eq!(held, left, "{mode} mode");
        let (held, spilled) = (run("64", mode, &gz), run("0", mode, &gz));
        assert_eq!(held, spilled, "{mode} mode, compressed");
        let report: Value = serde_json::from_slice(&left[0]).unwrap();
        let passages = report["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["passages"].as_array().unwrap().len())
            .sum::<usize>();
        assert!(passages > 0, "passages quoted from the read-back texts");
    }
}

#[test]
fn dedup_keeps_one_per_story_and_passes_records_through() {
    let dir = tempfile::tempdir().unwrap();
    let (out, dropped) = (dir.path().join("u.jsonl"), dir.path().join("d.jsonl"));
    newsdup()
        .args(["dedup", "--keep", "earliest"])
        .arg(crate::sample())
        .arg("-o")
        .arg(&out)
        .arg("--dropped")
        .arg(&dropped)
        .assert()
        .success();
    let input: Vec<String> = std::fs::read_to_string(crate::sample())
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let kept: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(kept.len(), 10);
    for line in &kept {
        assert!(input.contains(line), "record changed: {line}");
    }
    let dropped = read_jsonl(&dropped);
    assert_eq!(dropped.len(), 6);
    let kept_ids: Vec<String> = kept
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .into()
        })
        .collect();
    for d in &dropped {
        assert!(kept_ids.contains(&d["kept"].as_str().unwrap().to_string()));
        assert!([
            "exact",
            "near-copy",
            "rewrite",
            "partial-copy",
            "same-story"
        ]
        .contains(&d["label"].as_str().unwrap()));
    }
}

fn bad_batch(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("bad.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, r#"{{"id": "ok1", "text": "The council approved the new budget on Monday after a long debate about schools."}}"#).unwrap();
    writeln!(f, "{{not json").unwrap();
    writeln!(f, r#"{{"id": "num", "text": 42}}"#).unwrap();
    f.write_all(b"{\"id\": \"bin\", \"text\": \"caf\xe9\"}\n")
        .unwrap();
    writeln!(f, r#"{{"id": "ok1", "text": "duplicate id"}}"#).unwrap();
    writeln!(f, r#"{{"id": "empty", "text": "   "}}"#).unwrap();
    writeln!(f, r#"{{"id": "ok2", "text": "The council approved the new budget on Monday after a long debate about schools."}}"#).unwrap();
    path
}

#[test]
fn bad_records_are_named_by_file_and_line_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = bad_batch(dir.path());
    let json = dir.path().join("r.json");
    let stderr = stderr_of(newsdup().arg("scan").arg(&path).arg("--json").arg(&json), 0);
    let name = path.display().to_string();
    for (line, what) in [
        (2, "malformed JSON"),
        (3, "is not a string"),
        (4, "invalid UTF-8"),
        (5, "duplicate id"),
        (6, "empty text"),
    ] {
        assert!(
            stderr.contains(&format!("{name}:{line}: ")) && stderr.contains(what),
            "line {line} ({what}) not reported:\n{stderr}"
        );
    }
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["documents"].as_array().unwrap().len(), 2);
    assert_eq!(report["skipped"].as_array().unwrap().len(), 5);
    assert_eq!(report["pairs"][0]["label"], "exact");
}

#[test]
fn strict_mode_fails_on_the_first_bad_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = bad_batch(dir.path());
    let stderr = stderr_of(newsdup().args(["scan", "--strict"]).arg(&path), 2);
    assert!(
        stderr.contains(&format!("{}:2: malformed JSON", path.display())),
        "{stderr}"
    );
}

#[test]
fn fail_on_duplicates_exits_1_and_missing_input_exits_2() {
    newsdup()
        .args(["scan", "-q", "--fail-on-duplicates"])
        .arg(crate::sample())
        .assert()
        .code(1);
    let stderr = stderr_of(newsdup().args(["scan", "/no/such/file.jsonl"]), 2);
    assert!(stderr.contains("/no/such/file.jsonl"), "{stderr}");
    newsdup()
        .args(["scan", "--threshold", "2"])
        .arg(crate::sample())
        .assert()
        .code(2);
}

#[test]
fn reads_gzip_stdin_and_directories() {
    use flate2::write::GzEncoder;
    let dir = tempfile::tempdir().unwrap();
    let data = std::fs::read(crate::sample()).unwrap();
    let gz = dir.path().join("batch.jsonl.gz");
    let mut enc = GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&data).unwrap();
    enc.finish().unwrap();
    let clusters = |args: &[&std::ffi::OsStr], stdin: Option<Vec<u8>>| {
        let out = dir.path().join("c.jsonl");
        let mut cmd = newsdup();
        cmd.args(["scan", "-q"])
            .args(args)
            .arg("--clusters")
            .arg(&out);
        if let Some(s) = stdin {
            cmd.write_stdin(s);
        }
        cmd.assert().success();
        read_jsonl(&out)
    };
    let plain = clusters(&[crate::sample().as_os_str()], None);
    assert_eq!(clusters(&[gz.as_os_str()], None), plain);
    assert_eq!(clusters(&[std::ffi::OsStr::new("-")], Some(data)), plain);

    // A directory of .txt files: id = relative path, title = first line.
    let txt = dir.path().join("txt/sub");
    std::fs::create_dir_all(&txt).unwrap();
    let body = "Port strike halts traffic\n\nAbout 1,400 dockworkers walked off the job on Thursday, halting container traffic at the port for the first time in a decade.";
    std::fs::write(txt.join("one.txt"), body).unwrap();
    std::fs::write(txt.join("two.txt"), body).unwrap();
    std::fs::write(txt.join("skip.md"), "not an article").unwrap();
    let json = dir.path().join("d.json");
    newsdup()
        .args(["scan", "-q"])
        .arg(dir.path().join("txt"))
        .arg("--json")
        .arg(&json)
        .assert()
        .success();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sub/one.txt", "sub/two.txt"]);
    assert_eq!(report["documents"][0]["title"], "Port strike halts traffic");
    assert_eq!(report["pairs"][0]["label"], "exact");
}

#[test]
fn custom_field_names_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.jsonl");
    std::fs::write(&path, "{\"uid\": 1, \"body\": \"Some text about a vote in the city council chamber today.\"}\n{\"uid\": 2, \"body\": \"Some text about a vote in the city council chamber today.\"}\n").unwrap();
    let json = dir.path().join("r.json");
    newsdup()
        .args(["scan", "-q", "--id-field", "uid", "--text-field", "body"])
        .arg(&path)
        .arg("--json")
        .arg(&json)
        .assert()
        .success();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["pairs"][0]["id_a"], "1");
    assert_eq!(report["pairs"][0]["label"], "exact");
}

#[test]
fn empty_file_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.jsonl");
    std::fs::write(&path, "").unwrap();
    let stderr = stderr_of(newsdup().arg("scan").arg(&path), 0);
    assert!(stderr.contains("no articles in input"), "{stderr}");
}

#[test]
fn compare_two_ids_of_a_batch_prints_label_passages_and_json() {
    let out = stdout_of(
        newsdup()
            .args(["compare", "--in"])
            .arg(crate::sample())
            .args(["a-wire", "a-rewrite"]),
        0,
    );
    let text = out;
    // Not a terminal: plain text, no escape sequences.
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("label  rewrite"), "{text}");
    assert!(text.contains("Aligned sentences"), "{text}");

    let out = stdout_of(
        newsdup()
            .args(["compare", "--json", "--in"])
            .arg(crate::sample())
            .args(["a-wire", "a-syndicated"]),
        0,
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["label"], "near-copy");
    assert_eq!(v["a"]["id"], "a-wire");
    let passages = v["passages"].as_array().unwrap();
    assert!(!passages.is_empty());
    assert!(passages
        .iter()
        .all(|p| p["kind"] == "run" || p["kind"] == "quote"));

    // --color always keeps the styles even when piped.
    let out = stdout_of(
        newsdup()
            .args(["compare", "--color", "always", "--in"])
            .arg(crate::sample())
            .args(["a-wire", "a-syndicated"]),
        0,
    );
    assert!(out.contains('\u{1b}'));
}

#[test]
fn compare_two_files_and_say_why_unrelated() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a.txt"),
        dir.path().join("b.txt"),
        dir.path().join("c.txt"),
    );
    std::fs::write(&a, "The harbour master said on Monday that “all ferries to the northern islands are cancelled until the storm passes,” and crews were told to stay ashore.").unwrap();
    std::fs::write(&b, "Crews stay ashore. “All ferries to the northern islands are cancelled until the storm passes,” the harbour master announced.").unwrap();
    std::fs::write(&c, "A recipe for apple cake needs flour, butter, sugar and three eggs baked for forty minutes.").unwrap();
    let out = stdout_of(newsdup().arg("compare").arg(&a).arg(&b).arg("--json"), 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["label"].is_string(), "{v}");
    let quote = v["passages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "quote")
        .expect("the shared quotation is a passage");
    assert!(quote["text_b"].as_str().unwrap().starts_with("All ferries"));

    let out = stdout_of(newsdup().arg("compare").arg(&a).arg(&c), 0);
    let text = out;
    assert!(text.contains("unrelated"), "{text}");
    assert!(text.contains("not reported:"), "{text}");
}

#[test]
fn compare_names_what_is_wrong() {
    let err = stderr_of(
        newsdup()
            .args(["compare", "--in"])
            .arg(crate::sample())
            .args(["a-wire", "no-such-id"]),
        2,
    );
    assert!(err.contains("no-such-id"));
    let err = stderr_of(
        newsdup()
            .arg("compare")
            .arg(crate::sample())
            .arg(crate::sample()),
        2,
    );
    assert!(
        err.contains("articles.jsonl") && err.contains("--in"),
        "{err}"
    );
}

#[test]
fn eval_scores_the_sample_and_sweeps_thresholds() {
    let sample_truth = crate::root().join("data/sample/truth.tsv");
    let out = stdout_of(
        newsdup()
            .args(["eval", "-q", "--json"])
            .arg(crate::sample())
            .arg("--pairs-truth")
            .arg(&sample_truth)
            .args(["--positive", "exact,near-copy,partial-copy,rewrite"]),
        0,
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    // The sample is built so that every intended pair and story is found.
    assert_eq!(v["clusters"]["bcubed_f1"], 1.0);
    assert_eq!(v["pairs"]["recall"], 1.0);
    assert_eq!(v["pairs"]["confusion"]["rewrite"]["rewrite"], 7);
    assert_eq!(v["pairs"]["confusion"]["partial-copy"]["partial-copy"], 4);

    // A sweep: one row per grid point; a story threshold of 0.9 splits the
    // rewrites off, so B-cubed recall falls below the default's.
    let out = stdout_of(
        newsdup()
            .args(["eval", "-q", "--json", "--sweep"])
            .args(["--sweep-cluster", "0.23,0.9", "--sweep-rewrite", "0.42"])
            .args(["--sweep-copy", "0.5,0.8"])
            .arg(crate::sample()),
        0,
    );
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 4);
    let recall = |i: usize| rows[i]["clusters"]["bcubed_r"].as_f64().unwrap();
    assert_eq!(recall(0), 1.0);
    assert!(recall(2) < 1.0, "{}", rows[2]);

    // Text output and a clear error when there is nothing to score.
    let out = stdout_of(newsdup().args(["eval", "-q"]).arg(crate::sample()), 0);
    assert!(out.contains("B-cubed"));
    let err = stderr_of(
        newsdup()
            .args(["eval", "-q", "--truth-field", "nope"])
            .arg(crate::sample()),
        2,
    );
    assert!(err.contains("`nope`"));
}

#[test]
fn mixed_language_batch_uses_the_lang_field_or_detects() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("mixed.jsonl");
    let json = dir.path().join("r.json");
    let zh = "市议会周二投票决定关闭城北的旧铁桥，此前工程师警告说桥墩已经严重老化。市长表示，新桥将在两年内建成，费用约为三亿元。";
    let records = [
        serde_json::json!({"id": "de1", "language": "de", "text": "Der Stadtrat von Kassel hat am Dienstag die Schließung der alten Fuldabrücke beschlossen. Die Ingenieure hatten vor schweren Schäden an den Pfeilern gewarnt. Ein Neubau soll 40 Millionen Euro kosten und in zwei Jahren fertig sein."}),
        serde_json::json!({"id": "de2", "language": "de-DE", "text": "Kassel schließt die marode Fuldabrücke: Nach Warnungen der Ingenieure vor Schäden am Pfeiler beschloss der Stadtrat am Dienstag die Schließung. Der Neubau der Brücke werde rund 40 Millionen Euro kosten, hieß es."}),
        serde_json::json!({"id": "zh1", "text": zh}),
        serde_json::json!({"id": "zh2", "language": "zh", "text": format!("本报讯 {zh}")}),
        serde_json::json!({"id": "en1", "language": "English", "text": "The city council of Kassel voted on Tuesday to close the old Fulda bridge after engineers warned of serious damage to its piers."}),
    ];
    let mut f = std::fs::File::create(&input).unwrap();
    for r in &records {
        writeln!(f, "{r}").unwrap();
    }
    drop(f);
    let out = stderr_of(
        newsdup()
            .args(["scan", "--lang-field", "language", "--json"])
            .arg(&json)
            .arg(&input),
        0,
    );
    // A value that is no language code is a warning naming the article.
    let stderr = out;
    assert!(
        stderr.contains("\"en1\": field \"language\" is not a language code"),
        "{stderr}"
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let langs: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["lang"].as_str().unwrap())
        .collect();
    assert_eq!(langs, ["de", "de", "zh", "zh", "en"]);
    let pairs: Vec<(&str, &str, &str)> = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id_a"].as_str().unwrap(),
                p["id_b"].as_str().unwrap(),
                p["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 2, "{pairs:?}");
    assert!(pairs.contains(&("zh1", "zh2", "near-copy")), "{pairs:?}");
    assert!(pairs.contains(&("de1", "de2", "rewrite")), "{pairs:?}");
}
