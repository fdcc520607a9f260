//! The real `lede` binary on real input: the JSON contract of docs/OUTPUT.md, bad input, exit
//! codes, and an interrupted batch that resumes without loss or duplication.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lede_test_support::offline_models_available;
use lede_tests::{lede_bin, workspace_root};
use serde_json::Value;

fn lede() -> Command {
    let mut c = Command::new(lede_bin());
    c.current_dir(workspace_root()).arg("--quiet");
    c
}

/// Runs `cmd`, asserts that it succeeded (showing its stderr when not) and parses its stdout
/// as JSON.
fn json_of_success(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("run lede");
    assert!(
        out.status.success(),
        "lede failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn span_ok(text: &str, v: &Value) -> Option<String> {
    let start = v["start"].as_u64()? as usize;
    let end = v["end"].as_u64()? as usize;
    let cs = v["char_start"].as_u64()? as usize;
    let ce = v["char_end"].as_u64()? as usize;
    let by_bytes = text.get(start..end)?;
    let by_chars: String = text.chars().skip(cs).take(ce.saturating_sub(cs)).collect();
    (by_bytes == by_chars).then(|| by_bytes.to_string())
}

/// Checks one analysis against docs/OUTPUT.md; returns the number of entities.
fn check_contract(a: &Value) -> usize {
    assert_eq!(a["schema_version"], "1.1");
    let text = a["document"]["text"]
        .as_str()
        .expect("--include-text gives document.text");
    assert_eq!(a["document"]["bytes"].as_u64(), Some(text.len() as u64));
    assert_eq!(
        a["document"]["chars"].as_u64(),
        Some(text.chars().count() as u64)
    );

    let sentences = a["sentences"].as_array().expect("sentences[]");
    assert!(!sentences.is_empty());
    let mut last_end = 0;
    for s in sentences {
        let slice = span_ok(text, s).unwrap_or_else(|| panic!("bad sentence span {s}"));
        assert_eq!(s["text"].as_str(), Some(slice.as_str()));
        assert_eq!(slice.trim(), slice, "sentence spans exclude whitespace");
        let start = s["start"].as_u64().unwrap() as usize;
        assert!(start >= last_end, "sentences are ordered and disjoint");
        last_end = s["end"].as_u64().unwrap() as usize;
    }
    // Sentences cover every non-whitespace char.
    let covered: usize = sentences
        .iter()
        .map(|s| {
            s["text"]
                .as_str()
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .count()
        })
        .sum();
    assert_eq!(covered, text.chars().filter(|c| !c.is_whitespace()).count());

    let entities = a["entities"].as_array().expect("entities[]");
    let mut ids = BTreeSet::new();
    for e in entities {
        let id = e["id"].as_str().expect("entity id");
        assert!(ids.insert(id.to_string()), "duplicate entity id {id}");
        assert!(e["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(e["label"].as_str().is_some());
        let mentions = e["mentions"].as_array().expect("mentions[]");
        assert!(!mentions.is_empty());
        for m in mentions {
            let slice = span_ok(text, m).unwrap_or_else(|| panic!("bad mention span {m}"));
            assert_eq!(m["text"].as_str(), Some(slice.as_str()));
            let score = m["score"].as_f64().expect("mention score");
            assert!((0.0..=1.0).contains(&score));
            assert!(m["label"].as_str().is_some());
        }
    }
    for r in a["relations"].as_array().expect("relations[]") {
        let head = r["head"].as_str().unwrap();
        assert!(ids.contains(head), "relation head {head} is an entity id");
        let tail = r["tail"].as_str().unwrap();
        assert!(
            tail.is_empty() || ids.contains(tail),
            "relation tail {tail}"
        );
        assert!(r["label"].as_str().is_some_and(|l| !l.is_empty()));
        let score = r["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        let ev = &r["evidence"];
        assert_eq!(span_ok(text, ev).as_deref(), ev["text"].as_str());
        // The evidence is one document sentence or two adjacent ones.
        let (es, ee) = (ev["start"].as_u64(), ev["end"].as_u64());
        let first = sentences.iter().position(|s| s["start"].as_u64() == es);
        assert!(
            first.is_some_and(|i| sentences
                .iter()
                .skip(i)
                .take(2)
                .any(|s| s["end"].as_u64() == ee)),
            "evidence is not one or two whole sentences: {r}"
        );
    }
    for q in a["quotes"].as_array().expect("quotes[]") {
        assert_eq!(span_ok(text, q).as_deref(), q["text"].as_str(), "{q}");
        assert!(matches!(q["kind"].as_str(), Some("direct" | "indirect")));
        for part in ["cue", "speaker"] {
            if !q[part].is_null() {
                assert_eq!(span_ok(text, &q[part]).as_deref(), q[part]["text"].as_str());
            }
        }
        match q["speaker_entity"].as_str() {
            Some(id) => {
                assert!(ids.contains(id), "quote speaker {id} is an entity id");
                assert!(q["speaker_name"].is_string());
            }
            None => assert!(q["speaker_name"].is_null()),
        }
        assert!((0.0..=1.0).contains(&q["score"].as_f64().unwrap()));
    }
    if let Some(summary) = a["summary"].as_object() {
        assert!(summary["text"].as_str().is_some_and(|t| !t.is_empty()));
        let all: Vec<(u64, u64)> = sentences
            .iter()
            .map(|s| (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap()))
            .collect();
        for s in summary["sentences"].as_array().unwrap() {
            // Each summary sentence lies within one document sentence (a leading dateline or
            // a glued sign-off may be cut off).
            let (a, b) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
            assert!(all.iter().any(|&(x, y)| x <= a && b <= y), "{s}");
            assert_eq!(span_ok(text, s).as_deref(), s["text"].as_str());
        }
    }
    entities.len()
}

#[test]
fn seed_articles_follow_the_json_contract() {
    if !offline_models_available() {
        return;
    }
    let v =
        json_of_success(lede().args(["analyze", "--include-text", "--format", "json", "seeds"]));
    let docs = v.as_array().expect("a directory gives a JSON array");
    assert!(!docs.is_empty());
    for a in docs {
        let n = check_contract(a);
        assert!(
            n > 0,
            "the offline default finds entities in a news article"
        );
        assert!(
            a["summary"].is_object(),
            "the default analysis has a summary"
        );
    }
}

/// The seed's statements (issue #18): three attributed by name, pronoun and role, two partial
/// quotes inside reported speech, and a nickname in marks that is no statement.
#[test]
fn the_seed_quotes_are_attributed_and_the_nickname_is_not_a_statement() {
    if !offline_models_available() {
        return;
    }
    let seed = workspace_root().join("seeds/belarus-pardons-efe.txt");
    let a = json_of_success(lede().args(["analyze", "--format", "json"]).arg(&seed));
    let quotes = a["quotes"].as_array().expect("quotes[]");
    let direct: Vec<(&str, &str)> = quotes
        .iter()
        .filter(|q| q["kind"] == "direct")
        .map(|q| {
            (
                q["text"].as_str().unwrap(),
                q["speaker_name"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    let speaker_of = |start: &str| {
        direct
            .iter()
            .find(|(t, _)| t.starts_with(start))
            .map(|&(_, s)| s)
            .unwrap_or_else(|| panic!("no direct quote starting {start:?} in {direct:?}"))
    };
    assert!(speaker_of("The struggle continues").contains("Bialiatski"));
    assert!(speaker_of("In line with the orders").ends_with("Cole"));
    assert!(speaker_of("We have discussed the war").ends_with("Cole"));
    assert_eq!(speaker_of("agreements reached"), "Belarus");
    assert_eq!(
        speaker_of("the cancellation of illegal sanctions"),
        "Belarus"
    );
    assert!(
        direct.iter().all(|(t, _)| !t.contains("the heart")),
        "a nickname is no statement: {direct:?}"
    );
    assert_eq!(direct.len(), 5, "{direct:?}");
}

#[test]
fn one_text_file_gives_one_object_and_stdin_works() {
    let seed = workspace_root().join("seeds/belarus-pardons-efe.txt");
    let out = lede()
        .args(["analyze", "--tasks", "none", "--include-text"])
        .arg(&seed)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.is_object());
    check_contract(&v);

    let mut child = lede()
        .args(["analyze", "--tasks", "none", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all("Belarus freed 52 prisoners. They crossed into Lithuania.".as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["sentences"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_inputs_are_reported_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("empty.txt"), "").unwrap();
    std::fs::write(p("binary.txt"), b"\x7fELF\x00\x01\x02").unwrap();
    std::fs::write(p("latin1.txt"), b"Caf\xe9 society.").unwrap();
    std::fs::write(p("good.txt"), "A good article. It has two sentences.").unwrap();
    let out = lede()
        .args(["analyze", "--tasks", "none", "--format", "jsonl"])
        .arg(p("empty.txt"))
        .arg(p("binary.txt"))
        .arg(p("missing.txt"))
        .arg(p("latin1.txt"))
        .arg(p("good.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "exit 1 when a document failed");
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "one record per input, in input order");
    for (i, what) in ["empty", "binary", "cannot read", "not valid UTF-8"]
        .iter()
        .enumerate()
    {
        let err = lines[i]["error"].as_str().unwrap();
        assert!(err.contains(what), "{err}");
    }
    assert_eq!(lines[4]["sentences"].as_array().unwrap().len(), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // With --quiet, stderr holds exactly the four failures, one line each.
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("lede: ")).count(),
        4,
        "{stderr}"
    );

    // Latin-1 on request.
    let out = lede()
        .args(["analyze", "--tasks", "none", "--encoding", "latin1"])
        .arg(p("latin1.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["sentences"][0]["text"], "Café society.");

    // UTF-16 with a byte-order mark is read as text (issue #16, defect 11).
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "Caf\u{e9} society met. It voted."
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    std::fs::write(p("utf16.txt"), utf16).unwrap();
    let v = json_of_success(
        lede()
            .args(["analyze", "--tasks", "none"])
            .arg(p("utf16.txt")),
    );
    assert_eq!(v["sentences"][0]["text"], "Café society met.");

    // Too large.
    let out = lede()
        .args(["analyze", "--tasks", "none", "--max-bytes", "10"])
        .arg(p("good.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-bytes"));
}

#[test]
fn usage_errors_exit_2_and_help_documents_exit_codes() {
    let out = lede()
        .args(["analyze", "--format", "yaml", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Usage errors found after parsing exit 2 as well (issue #16, defect 11): an unknown task,
    // a config file that does not parse, a bad value in it.
    let tmp = tempfile::tempdir().unwrap();
    let seed = workspace_root().join("seeds/belarus-pardons-efe.txt");
    let bad_toml = tmp.path().join("bad.toml");
    std::fs::write(&bad_toml, "jobs = [not toml").unwrap();
    let bad_value = tmp.path().join("value.toml");
    std::fs::write(&bad_value, "format = \"yaml\"\n").unwrap();
    for args in [
        vec!["analyze".to_string(), "--tasks".into(), "ner,foo".into()],
        vec![
            "--config".into(),
            bad_toml.display().to_string(),
            "analyze".into(),
        ],
        vec![
            "--config".into(),
            bad_value.display().to_string(),
            "analyze".into(),
        ],
    ] {
        let out = lede().args(&args).arg(&seed).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = lede().args(["--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Exit codes"), "{help}");
    let out = lede().args(["--version"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("lede "));
}

fn generated_docs(dir: &Path, n: usize) {
    let subjects = [
        "The minister",
        "Officials",
        "The company",
        "Protesters",
        "The court",
    ];
    let verbs = ["said", "denied", "announced", "confirmed", "reported"];
    let mut feed = String::new();
    for i in 0..n {
        let mut text = String::new();
        for j in 0..6 {
            text.push_str(&format!(
                "{} in Minsk {} on day {} that talks with Lithuania would continue. ",
                subjects[(i + j) % subjects.len()],
                verbs[(i * 3 + j) % verbs.len()],
                i * 10 + j
            ));
        }
        let line = serde_json::json!({ "id": format!("doc-{i:03}"), "text": text });
        feed.push_str(&line.to_string());
        feed.push('\n');
    }
    std::fs::write(dir.join("feed.jsonl"), feed).unwrap();
}

fn outputs(dir: &Path) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(".json") || name.ends_with(".error.json") {
            continue;
        }
        let v: Value = serde_json::from_slice(&std::fs::read(entry.path()).unwrap())
            .expect("every output file is complete JSON");
        *ids.entry(v["document"]["id"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    ids
}

/// A 300-document JSONL feed and an output folder for `--jobs 2 --out` batches that are
/// stopped midway; NER when its model is installed, segmentation alone otherwise.
struct Batch {
    tasks: &'static str,
    _input: tempfile::TempDir,
    out: tempfile::TempDir,
    feed: std::path::PathBuf,
}

impl Batch {
    fn new() -> Batch {
        let tasks = if offline_models_available() {
            "ner"
        } else {
            "none"
        };
        let input = tempfile::tempdir().unwrap();
        generated_docs(input.path(), 300);
        let feed = input.path().join("feed.jsonl");
        Batch {
            tasks,
            _input: input,
            out: tempfile::tempdir().unwrap(),
            feed,
        }
    }

    /// `lede analyze --jobs 2 --tasks T [--resume] --out OUT FEED`, stdout discarded.
    fn command(&self, resume: bool) -> Command {
        let mut c = lede();
        c.args(["analyze", "--jobs", "2", "--tasks", self.tasks]);
        if resume {
            c.arg("--resume");
        }
        c.arg("--out").arg(self.out.path()).arg(&self.feed);
        c.stdout(Stdio::null());
        c
    }

    /// Runs with `--resume` and checks that every document then has exactly one output.
    fn resume_to_the_end(&self) {
        let status = self.command(true).status().unwrap();
        assert!(status.success());
        let after = outputs(self.out.path());
        assert_eq!(after.len(), 300, "every document has exactly one output");
        assert!(after.values().all(|&n| n == 1));
        let expected: BTreeSet<String> = (0..300).map(|i| format!("doc-{i:03}")).collect();
        assert_eq!(after.keys().cloned().collect::<BTreeSet<_>>(), expected);
    }

    /// Temporary files in the output folder.
    fn temp_files(&self) -> usize {
        std::fs::read_dir(self.out.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .count()
    }
}

#[test]
fn interrupted_batch_resumes_without_loss_or_duplication() {
    let batch = Batch::new();
    let mut child = batch.command(false).stderr(Stdio::null()).spawn().unwrap();
    // Kill it once some, but not all, outputs exist.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut killed_midway = false;
    loop {
        let done = outputs(batch.out.path()).len();
        if done >= 20 {
            killed_midway = done < 300;
            let _ = child.kill();
            break;
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.wait();
    let before = outputs(batch.out.path());
    assert!(before.values().all(|&n| n == 1));

    batch.resume_to_the_end();
    // No temporary files left behind by the completed run.
    assert!(
        batch.temp_files() <= 2,
        "at most the files interrupted by the kill"
    );
    eprintln!(
        "killed midway: {killed_midway} ({} of 300 done before the kill)",
        before.len()
    );
}

#[test]
fn train_ner_writes_a_model_that_analyze_uses() {
    if !offline_models_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("train.jsonl");
    let texts = [
        (
            "Ales Bialiatski was freed in Minsk on Saturday.",
            vec![(0, 15, "PERSON"), (29, 34, "GPE")],
        ),
        (
            "John Cole met Alexandr Lukashenko in Minsk.",
            vec![(0, 9, "PERSON"), (14, 33, "PERSON"), (37, 42, "GPE")],
        ),
        (
            "Vilnius is the capital of Lithuania.",
            vec![(0, 7, "GPE"), (26, 35, "GPE")],
        ),
    ];
    let mut lines = String::new();
    for (i, (text, ents)) in texts.iter().enumerate() {
        let entities: Vec<Value> = ents
            .iter()
            .map(|&(s, e, l)| serde_json::json!({"start": s, "end": e, "label": l}))
            .collect();
        lines.push_str(
            &serde_json::json!({"id": format!("d{i}"), "text": text, "entities": entities})
                .to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(&data, lines).unwrap();
    let out_dir = tmp.path().join("my-ner");
    let report = json_of_success(
        lede()
            .args(["train", "ner", "--data"])
            .arg(&data)
            .arg("--out")
            .arg(&out_dir)
            .args([
                "--epochs",
                "1",
                "--layers",
                "5",
                "--max-len",
                "32",
                "--threads",
                "1",
                "--min-type-count",
                "1",
            ]),
    );
    assert!(report["weights_bytes"].as_u64().unwrap() > 0);
    assert!(out_dir.join("config.json").is_file());

    // The trained directory is a NER model for `analyze --models DIR`.
    let doc = tmp.path().join("doc.txt");
    std::fs::write(&doc, "Ales Bialiatski met John Cole in Vilnius.").unwrap();
    let a = json_of_success(
        lede()
            .args(["analyze", "--tasks", "ner", "--models"])
            .arg(&out_dir)
            .arg(&doc),
    );
    assert_eq!(a["models"]["ner"], "lede-ner-minilm");

    // Missing data is a clear error with the fatal exit code.
    let out = lede()
        .args(["train", "ner", "--data", "/nonexistent.jsonl", "--out"])
        .arg(tmp.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a file"));
}

/// Issue #16, defect 2: two inputs with one id (`"7"` and `7` are one) wrote one file under
/// `--out` and reported both as analysed. The later one now fails with an error record of its
/// own, the earlier one's output stays, and `--resume` says the same again.
#[test]
fn a_repeated_id_under_out_fails_instead_of_overwriting() {
    let tmp = tempfile::tempdir().unwrap();
    let feed = tmp.path().join("feed.jsonl");
    std::fs::write(
        &feed,
        concat!(
            "{\"id\": \"7\", \"text\": \"Alpha met Beta in Paris on Monday.\"}\n",
            "{\"id\": 7, \"text\": \"Gamma met Delta in Rome on Tuesday.\"}\n",
            "{\"id\": \"8\", \"text\": \"Epsilon met Zeta in Oslo on Friday.\"}\n",
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    for resume in [false, true] {
        let mut cmd = lede();
        cmd.args(["analyze", "--tasks", "none", "--include-text", "--out"])
            .arg(&out)
            .arg(&feed);
        if resume {
            cmd.arg("--resume");
        }
        let run = cmd.output().unwrap();
        assert_eq!(run.status.code(), Some(1), "one document failed");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains("7: duplicate id"), "{stderr}");
        let analyses = outputs(&out);
        assert_eq!(analyses.len(), 2, "{analyses:?}");
        assert!(analyses.values().all(|&n| n == 1));
        // The first "7" is the one kept.
        let texts: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect();
        assert!(texts.iter().any(|t| t.contains("Alpha met Beta")));
        assert!(!texts.iter().any(|t| t.contains("Gamma met Delta")));
        let errors: Vec<Value> = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".error.json"))
            .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].to_string().contains("duplicate id"),
            "{}",
            errors[0]
        );
    }
}

/// Issue #15: with NER in the run the summary comes from the trained sentence scorer, the
/// hand-set weights when asked; a word budget bounds the summary; a budget and a sentence
/// count together are a usage error.
#[test]
fn the_summary_uses_the_trained_scorer_and_honours_a_word_budget() {
    let seed = workspace_root().join("seeds/belarus-pardons-efe.txt");
    let both = lede()
        .args([
            "analyze",
            "--summary-sentences",
            "2",
            "--summary-words",
            "40",
        ])
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2), "clap usage error");
    assert!(String::from_utf8_lossy(&both.stderr).contains("--summary-words"));
    if !offline_models_available() {
        return;
    }
    let run = |extra: &[&str]| {
        json_of_success(
            lede()
                .args(["analyze", "--tasks", "ner,summary"])
                .args(extra)
                .arg(&seed),
        )
    };
    let trained = run(&[]);
    assert_eq!(trained["summary"]["method"], "extractive (trained scorer)");
    assert!(trained["models"]["summary"]
        .as_str()
        .is_some_and(|m| m.contains("trained sentence scorer")));
    let hand = run(&["--summary-hand-weights"]);
    assert_eq!(hand["summary"]["method"], "extractive");
    let short = run(&["--summary-words", "40"]);
    let sentences = short["summary"]["sentences"].as_array().unwrap();
    let words = short["summary"]["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .count();
    assert!(!sentences.is_empty());
    assert!(
        sentences.len() == 1 || words <= 40,
        "{} sentences, {words} words",
        sentences.len()
    );
}

/// Issue #16, defects 4, 5 and 11: an output directory that takes no files stops the run
/// before anything is analysed; temporary files of killed runs are removed; `.jsonl` outputs
/// end with a newline.
#[test]
fn out_directories_are_probed_cleaned_and_get_whole_lines() {
    let seed = workspace_root().join("seeds/belarus-pardons-efe.txt");
    // Nobody can create files in /proc/self, not even root (tests may run as root, who
    // ignores permission bits).
    if Path::new("/proc/self").is_dir() {
        let started = Instant::now();
        let run = lede()
            .args(["analyze", "--tasks", "none", "--out", "/proc/self"])
            .arg(&seed)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(3));
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains("cannot write into the output directory"),
            "{stderr}"
        );
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // A temporary file of a process that cannot exist (PID above Linux's limit).
    let stale = out.join(".old-0123456789abcdef.jsonl.4194304.tmp");
    std::fs::write(&stale, "partial").unwrap();
    let run = lede()
        .args(["analyze", "--tasks", "none", "--format", "jsonl", "--out"])
        .arg(&out)
        .arg(&seed)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    if Path::new("/proc/self").is_dir() {
        assert!(!stale.exists(), "the stale temporary file was removed");
    }
    let files: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(files.len(), 1);
    let body = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        body.ends_with("}\n") && body.lines().count() == 1,
        "{body:?}"
    );
}

/// Issue #16, defects 9 and 10: terminal control sequences from an article are escaped in the
/// text report and on stderr; a gold document id cannot lead `lede eval ner` out of --docs.
#[test]
fn hostile_text_and_ids_stay_where_they_belong() {
    let tmp = tempfile::tempdir().unwrap();
    let article = tmp.path().join("esc.jsonl");
    std::fs::write(
        &article,
        concat!(
            r#"{"id": "t", "title": "Council\u001b]0;pwned\u0007", "#,
            r#""text": "The council met in Perth on Monday.\u001b[2J It agreed a budget."}"#,
            "\n"
        ),
    )
    .unwrap();
    let run = lede()
        .args(["analyze", "--tasks", "none", "--format", "text"])
        .arg(&article)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!run.stdout.contains(&0x1b) && !run.stdout.contains(&0x07));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("Council\\u{1b}]0;pwned"), "{text}");

    let feed = tmp.path().join("feed.jsonl");
    std::fs::write(&feed, "{\"id\": \"bad\\u001b[2J\", \"text\": \"\"}\n").unwrap();
    let run = lede()
        .args(["analyze", "--tasks", "none", "--format", "jsonl"])
        .arg(&feed)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "the empty document fails");
    assert!(
        !run.stderr.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    if !offline_models_available() {
        return;
    }
    let gold = tmp.path().join("gold.jsonl");
    std::fs::write(&gold, "{\"doc\": \"../esc\", \"entities\": []}\n").unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let run = lede()
        .args(["eval", "ner", "--gold"])
        .arg(&gold)
        .arg("--docs")
        .arg(&docs)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("not a plain file name"), "{stderr}");
}

#[test]
fn jobs_are_capped_at_the_number_of_text_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a.txt"), tmp.path().join("b.txt"));
    std::fs::write(&a, "One sentence here. Another one.").unwrap();
    std::fs::write(&b, "A third sentence.").unwrap();
    let workers = |files: &[&Path]| {
        // Not `lede()`: its --quiet would hide the log line read here.
        let run = Command::new(lede_bin())
            .args([
                "analyze",
                "--tasks",
                "none",
                "--jobs",
                "2",
                "--log-level",
                "debug",
            ])
            .args(files)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0));
        let stderr = String::from_utf8_lossy(&run.stderr).to_string();
        let line = stderr
            .lines()
            .find(|l| l.contains("models ready"))
            .unwrap_or_else(|| panic!("no 'models ready' line: {stderr}"))
            .to_string();
        line
    };
    assert!(workers(&[&a]).ends_with("jobs=1"), "{}", workers(&[&a]));
    assert!(
        workers(&[&a, &b]).ends_with("jobs=2"),
        "{}",
        workers(&[&a, &b])
    );
}

/// `lede eval quotes` on a constructed corpus: counts, speakers, and a malformed gold line.
#[test]
fn eval_quotes_scores_spans_and_speakers() {
    if !offline_models_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let text = "Prime Minister John Howard spoke in Sydney on Monday. \"We will not be bullied,\" \
                Mr Howard said. He says the talks will resume next week.";
    std::fs::write(docs.join("d1.txt"), text).unwrap();
    let span = |needle: &str| {
        let b = text.find(needle).unwrap();
        let c = text[..b].chars().count();
        (c, c + needle.chars().count())
    };
    let (ds, de) = span("We will not be bullied,");
    let (is, ie) = span("the talks will resume next week");
    let gold = tmp.path().join("gold.jsonl");
    std::fs::write(
        &gold,
        format!(
            "{{\"doc\": \"d1\", \"quotes\": [\
             {{\"kind\": \"direct\", \"start\": {ds}, \"end\": {de}, \"text\": \"x\", \"speaker\": \"John Howard\"}}, \
             {{\"kind\": \"indirect\", \"start\": {is}, \"end\": {ie}, \"text\": \"y\", \"speaker\": \"John Howard\"}}]}}\n"
        ),
    )
    .unwrap();
    let v = json_of_success(
        lede()
            .args(["eval", "quotes", "--json", "--gold"])
            .arg(&gold)
            .arg("--docs")
            .arg(&docs),
    );
    assert_eq!(v["documents"], 1);
    assert_eq!(v["direct"]["exact"]["true_positives"], 1, "{v}");
    assert_eq!(v["indirect"]["exact"]["true_positives"], 1, "{v}");
    assert_eq!(v["direct_speakers"]["named"], 1);
    assert_eq!(v["direct_speakers"]["correct"], 1, "{v}");
    assert_eq!(v["indirect_speakers"]["correct"], 1, "{v}");

    std::fs::write(
        &gold,
        "{\"doc\": \"d1\", \"quotes\": [{\"kind\": \"said\"}]}\n",
    )
    .unwrap();
    let run = lede()
        .args(["eval", "quotes", "--gold"])
        .arg(&gold)
        .arg("--docs")
        .arg(&docs)
        .output()
        .unwrap();
    assert_ne!(run.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("gold.jsonl:1"), "{stderr}");
}

#[test]
fn eval_summary_refuses_an_empty_word_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let refs = tmp.path().join("refs.jsonl");
    std::fs::write(&refs, "").unwrap();
    let run = lede()
        .args(["eval", "summary", "--words", "0", "--refs"])
        .arg(&refs)
        .arg("--docs")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("--words must be at least 1"), "{stderr}");
}

/// A small relation corpus in the layout of `models/relations/corpus` (texts written for this
/// test): `docs/<id>.txt`, `corpus/{train,dev}.jsonl`.
fn tiny_relation_corpus(root: &Path) {
    let docs = root.join("docs");
    let corpus = root.join("corpus");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::create_dir_all(&corpus).unwrap();
    let texts = [
        ("t1", "Indonesian President Megawati Sukarnoputri met Australian Prime Minister John Howard in Jakarta on Monday.", "Megawati Sukarnoputri", "Indonesian"),
        ("t2", "French President Jacques Chirac told reporters in Paris that talks would resume.", "Jacques Chirac", "French"),
        ("d1", "Pakistani President Pervez Musharraf spoke to troops in Karachi.", "Pervez Musharraf", "Pakistani"),
    ];
    let mut train = String::new();
    let mut dev = String::new();
    for (id, text, head, tail) in texts {
        std::fs::write(docs.join(format!("{id}.txt")), text).unwrap();
        let span = |s: &str| {
            let b = text.find(s).unwrap();
            serde_json::json!({"start": text[..b].chars().count(), "end": text[..b].chars().count() + s.chars().count(), "text": s})
        };
        let line = serde_json::json!({
            "doc": id,
            "line": 0,
            "relations": [{"label": "leader_of", "head": span(head), "tail": span(tail),
                           "evidence": {"start": 0, "end": text.chars().count(), "text": text}}],
        });
        let target = if id.starts_with('t') {
            &mut train
        } else {
            &mut dev
        };
        target.push_str(&format!("{line}\n"));
    }
    std::fs::write(corpus.join("train.jsonl"), train).unwrap();
    std::fs::write(corpus.join("dev.jsonl"), dev).unwrap();
}

#[test]
fn train_and_eval_relations_on_a_corpus() {
    if !offline_models_available() {
        eprintln!("skipping: offline models not installed (cargo xtask setup)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    tiny_relation_corpus(dir.path());
    let out = dir.path().join("classifier");
    let report = json_of_success(
        lede()
            .args(["train", "relations", "--epochs", "2", "--ensemble", "1"])
            .args([
                "--corpus".as_ref(),
                dir.path().join("corpus").as_os_str(),
                "--docs".as_ref(),
                dir.path().join("docs").as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ]),
    );
    assert_eq!(report["train_documents"], 2);
    assert_eq!(report["dev_documents"], 1);
    assert!(report["train_positives"].as_u64().unwrap() >= 2, "{report}");
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pair-classifier.json")).unwrap())
            .unwrap();
    assert!(meta["token_vectors"]
        .as_str()
        .unwrap()
        .starts_with("lede-ner-minilm/"));
    assert!(out.join("pair-classifier.safetensors").is_file());

    // Scored with that classifier, with the cues alone, and with the model set's.
    let dev = dir.path().join("corpus/dev.jsonl");
    let docs = dir.path().join("docs");
    for extra in [
        vec!["--classifier".as_ref(), out.as_os_str()],
        vec!["--cues-only".as_ref()],
        vec![],
    ] {
        let scores = json_of_success(
            lede()
                .args(["eval", "relations", "--json"])
                .args([
                    "--corpus".as_ref(),
                    dev.as_os_str(),
                    "--docs".as_ref(),
                    docs.as_os_str(),
                ])
                .args(&extra),
        );
        assert_eq!(scores["documents"], 1, "{scores}");
        let c = &scores["labelled"];
        assert_eq!(
            c["true_positives"].as_u64().unwrap() + c["false_negatives"].as_u64().unwrap(),
            1
        );
    }
    // The cues alone find the title phrase.
    let cues = json_of_success(
        lede()
            .args(["eval", "relations", "--json", "--cues-only"])
            .args([
                "--corpus".as_ref(),
                dev.as_os_str(),
                "--docs".as_ref(),
                docs.as_os_str(),
            ]),
    );
    assert_eq!(cues["labelled"]["true_positives"], 1, "{cues}");

    // --gold and --corpus together are a usage error.
    let both = lede()
        .args(["eval", "relations", "--gold", "g.jsonl"])
        .args([
            "--corpus".as_ref(),
            dev.as_os_str(),
            "--docs".as_ref(),
            docs.as_os_str(),
        ])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
}

/// Starts `cmd` as a JSON Lines worker on stdin (`analyze --tasks none --input-format jsonl
/// --format jsonl --cores 1 -`); its stdout lines arrive on the returned channel.
fn stdin_worker(
    mut cmd: Command,
    stderr: Stdio,
) -> (
    std::process::Child,
    std::process::ChildStdin,
    std::sync::mpsc::Receiver<String>,
) {
    use std::io::{BufRead, BufReader};
    let mut child = cmd
        .args(["analyze", "--tasks", "none", "--input-format", "jsonl"])
        .args(["--format", "jsonl", "--cores", "1", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    (child, stdin, rx)
}

/// The worker contract of docs/SCALING.md: JSONL on stdin, one record per input line on
/// stdout, each written and flushed as soon as it is known, while stdin stays open.
#[test]
fn jsonl_stdin_worker_answers_each_line_before_the_next_arrives() {
    use std::io::Write;
    let (mut child, mut stdin, rx) = stdin_worker(lede(), Stdio::null());
    let next = || {
        rx.recv_timeout(Duration::from_secs(120))
            .expect("a line in time")
    };
    writeln!(stdin, r#"{{"id": "a", "text": "One sentence here."}}"#).unwrap();
    stdin.flush().unwrap();
    let first: Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(first["document"]["id"], "a");
    // A malformed line: its error record comes while stdin is still open.
    writeln!(stdin, "not json").unwrap();
    stdin.flush().unwrap();
    let second: Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(second["id"], "<stdin>:2", "{second}");
    assert!(second["error"].as_str().unwrap().contains("not a JSON"));
    writeln!(stdin, r#"{{"id": "c", "text": ""}}"#).unwrap();
    drop(stdin);
    let third: Value = serde_json::from_str(&next()).unwrap();
    assert_eq!(third["id"], "c");
    let status = child.wait().unwrap();
    // Some inputs failed: exit 1, every line answered.
    assert_eq!(status.code(), Some(1));
    assert!(rx.recv_timeout(Duration::from_secs(5)).is_err());
}

/// A model is one folder: a `relations` folder under LEDE_MODELS_DIR that lacks the classifier
/// means the cue patterns alone (never the checkout's classifier), and one that has half of
/// it is an error naming the missing file.
#[test]
fn a_relations_folder_is_used_whole_or_not_at_all() {
    if !offline_models_available() {
        eprintln!("skipping: offline models not installed (cargo xtask setup)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("relations");
    std::fs::create_dir_all(&rel).unwrap();
    std::fs::copy(
        workspace_root().join("models/relations/news.toml"),
        rel.join("news.toml"),
    )
    .unwrap();
    let models = || {
        lede()
            .arg("models")
            .env("LEDE_MODELS_DIR", dir.path())
            .output()
            .unwrap()
    };
    let out = models();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listing = String::from_utf8_lossy(&out.stdout);
    let relations = listing
        .lines()
        .find(|l| l.starts_with("relations"))
        .unwrap_or_default();
    assert!(relations.ends_with("lede-relations/cues"), "{listing}");

    std::fs::copy(
        workspace_root().join("models/relations/pair-classifier.json"),
        rel.join("pair-classifier.json"),
    )
    .unwrap();
    let out = models();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pair-classifier.safetensors"), "{err}");
}

/// A FIFO or a device among the inputs is reported and never opened: the batch does not block.
#[cfg(unix)]
#[test]
fn a_fifo_or_device_input_is_rejected_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "One sentence here.").unwrap();
    let fifo = dir.path().join("b.txt");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    let mut child = lede()
        .args(["analyze", "--tasks", "none", "--format", "jsonl"])
        .arg(dir.path())
        .arg("/dev/zero")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("lede blocked on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(1));
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    let records: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3, "{out}");
    let errors: Vec<&str> = records.iter().filter_map(|r| r["error"].as_str()).collect();
    assert!(
        errors.iter().any(|e| e.contains("named pipe (FIFO)")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("/dev/zero: a character device")),
        "{errors:?}"
    );
}

/// Sends `signal` (`INT`, `TERM`) to a process with the system's `kill`.
#[cfg(unix)]
fn send_signal(pid: u32, signal: &str) {
    let sent = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal} {pid}");
}

/// Waits for a child at most `secs` seconds; kills it and fails the test after that.
fn wait_at_most(child: &mut std::process::Child, secs: u64) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("lede did not exit within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGINT and SIGTERM on a stdin worker: the first signal stops reading (the next line that
/// arrives is not analysed), the documents already answered stay answered, the summary says
/// the run was interrupted and the exit status is 128 + the signal; a second signal, while
/// lede waits for input, exits at once.
#[cfg(unix)]
#[test]
fn a_signal_stops_the_batch_cleanly_with_the_shell_exit_status() {
    use std::io::Write;
    for (signal, status, twice) in [("TERM", 143, false), ("INT", 130, true)] {
        // Without --quiet: the interruption summary is checked on stderr.
        let mut plain = Command::new(lede_bin());
        plain.current_dir(workspace_root());
        let (mut child, mut stdin, rx) = stdin_worker(plain, Stdio::piped());
        for id in ["a", "b", "c"] {
            writeln!(stdin, r#"{{"id": "{id}", "text": "One sentence here."}}"#).unwrap();
            stdin.flush().unwrap();
            let line = rx
                .recv_timeout(Duration::from_secs(120))
                .expect("an answer");
            let v: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(v["document"]["id"], id);
        }
        send_signal(child.id(), signal);
        std::thread::sleep(Duration::from_millis(200));
        if twice {
            // lede is blocked reading stdin: the second signal ends it at once.
            send_signal(child.id(), signal);
        } else {
            // The next line wakes the reader, which stops without analysing it.
            let _ = writeln!(stdin, r#"{{"id": "d", "text": "Not analysed."}}"#);
            let _ = stdin.flush();
        }
        let got = wait_at_most(&mut child, 60);
        drop(stdin);
        assert_eq!(got.code(), Some(status), "SIG{signal}");
        assert!(
            rx.recv_timeout(Duration::from_secs(5)).is_err(),
            "nothing after the signal"
        );
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        if !twice {
            assert!(
                err.contains(&format!("interrupted by SIG{signal}: 3 analysed, 0 failed")),
                "{err}"
            );
        }
    }
}

/// SIGTERM in the middle of a batch under `--out`: the documents in flight are finished and
/// written, nothing is half-written, and `--resume` then analyses exactly the rest.
#[cfg(unix)]
#[test]
fn a_terminated_batch_resumes_without_loss() {
    let batch = Batch::new();
    let mut child = batch.command(false).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while outputs(batch.out.path()).len() < 10 && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let finished_early = child.try_wait().unwrap().is_some();
    send_signal(child.id(), "TERM");
    let status = wait_at_most(&mut child, 300);
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    let before = outputs(batch.out.path());
    if finished_early {
        eprintln!(
            "the batch finished before the signal ({}): nothing to interrupt",
            batch.tasks
        );
        assert_eq!(before.len(), 300);
        return;
    }
    assert_eq!(status.code(), Some(143), "{err}");
    assert!(err.contains("interrupted by SIGTERM"), "{err}");
    assert!(err.contains("--resume"), "{err}");
    assert!(before.values().all(|&n| n == 1));
    assert!(before.len() < 300, "the signal stopped the batch early");
    assert_eq!(
        batch.temp_files(),
        0,
        "no temporary file after a clean stop"
    );
    batch.resume_to_the_end();
}

/// Copies the shipped NER model into a fresh folder for `--models DIR`.
fn ner_model_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["config.json", "weights.safetensors"] {
        std::fs::copy(
            workspace_root().join("models/lede-ner-minilm").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    dir
}

/// Runs `lede analyze --tasks ner --models DIR` on the seed; returns the exit code and stderr.
fn analyze_with_ner_model(dir: &Path) -> (Option<i32>, String) {
    let out = lede()
        .args(["analyze", "--tasks", "ner", "--models"])
        .arg(dir)
        .arg("seeds/belarus-pardons-efe.txt")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Rewrites the NER config's `weights_sha256` to the weights file's current digest.
fn record_ner_digest(dir: &Path) {
    let path = dir.join("config.json");
    let mut config: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    config["weights_sha256"] = lede_models::weights::sha256_file(&dir.join("weights.safetensors"))
        .unwrap()
        .into();
    std::fs::write(&path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
}

/// Corrupt NER weights and configs are refused with exit 3 and the file's path: a changed
/// byte (the recorded SHA-256), NaN values (even with a matching digest), a config without a
/// digest, a repeated entity type.
#[test]
fn corrupt_ner_weights_and_configs_are_refused() {
    if !offline_models_available() {
        eprintln!("skipping: offline models not installed (cargo xtask setup)");
        return;
    }
    let intact = ner_model_copy();
    assert_eq!(analyze_with_ner_model(intact.path()).0, Some(0));

    // One byte changed near the end of the file (tensor data, not the header).
    let dir = ner_model_copy();
    let weights = dir.path().join("weights.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 0x01;
    std::fs::write(&weights, &bytes).unwrap();
    let (code, err) = analyze_with_ner_model(dir.path());
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("weights.safetensors"), "{err}");
    assert!(err.contains("changed or damaged"), "{err}");

    // NaN in the first tensor's data, digest re-recorded: the value check refuses it.
    let dir = ner_model_copy();
    let weights = dir.path().join("weights.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    let (_, first) = header
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| *k != "__metadata__")
        .unwrap();
    let start = 8 + header_len + first["data_offsets"][0].as_u64().unwrap() as usize;
    let nan: &[u8] = match first["dtype"].as_str().unwrap() {
        "F16" => &[0x00, 0x7e],
        "F32" => &[0x00, 0x00, 0xc0, 0x7f],
        other => panic!("unexpected dtype {other}"),
    };
    bytes[start..start + nan.len()].copy_from_slice(nan);
    std::fs::write(&weights, &bytes).unwrap();
    record_ner_digest(dir.path());
    let (code, err) = analyze_with_ner_model(dir.path());
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("NaN"), "{err}");
    assert!(err.contains("weights.safetensors"), "{err}");

    // Configs: no digest; a repeated entity type.
    let edit = |change: &dyn Fn(&mut Value), want: &str| {
        let dir = ner_model_copy();
        let path = dir.path().join("config.json");
        let mut config: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        change(&mut config);
        std::fs::write(&path, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
        let (code, err) = analyze_with_ner_model(dir.path());
        assert_eq!(code, Some(3), "{err}");
        assert!(err.contains("config.json"), "{err}");
        assert!(err.contains(want), "{err}");
    };
    edit(
        &|c| {
            c.as_object_mut().unwrap().remove("weights_sha256");
        },
        "weights_sha256",
    );
    edit(
        &|c| {
            let types = c["entity_types"].as_array_mut().unwrap();
            let first = types[0].clone();
            types[1] = first;
        },
        "listed twice",
    );
}

/// `--max-words` bounds a document's model work: a longer one gets an error record naming the
/// limit; segmentation alone (`--tasks none`) is not limited.
#[test]
fn a_document_over_max_words_gets_an_error_record() {
    if !offline_models_available() {
        eprintln!("skipping: offline models not installed (cargo xtask setup)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.txt");
    std::fs::write(&path, "Minsk freed prisoners. Vilnius welcomed them.").unwrap();
    let out = lede()
        .args(["analyze", "--format", "jsonl", "--max-words", "5"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    let error = record["error"].as_str().unwrap();
    assert!(
        error.contains("has 8 words (punctuation included), more than the limit of 5"),
        "{error}"
    );
    let v = json_of_success(
        lede()
            .args(["analyze", "--tasks", "none", "--max-words", "5"])
            .arg(&path),
    );
    assert_eq!(v["sentences"].as_array().unwrap().len(), 2);
}
