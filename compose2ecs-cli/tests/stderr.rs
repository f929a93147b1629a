//! What a user reads: for every fixture that converts, the exact stderr of
//! `compose2ecs convert` — every diagnostic rendered with its source line and
//! help, and the closing summary — snapshotted in
//! `fixtures/<case>/stderr.snap` (the bad-input suite's refusals are in
//! `fixtures/errors/`). Each case is its own test (`cargo test -p
//! compose2ecs-cli --test stderr -- jobs-and-migrations` runs one).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

mod common;

use common::copy_dir;

fn fixtures_dir() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")).unwrap()
}

/// One fixture: converted in a folder named like it, as a user runs it.
fn converted(case: &Path) {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join(&name);
    copy_dir(case, &work);
    let mut args = vec!["convert".to_owned(), "-o".to_owned(), "out".to_owned()];
    if work.join("compose.override.yaml").is_file() {
        // As the fixture tests read it: both files.
        args.extend(["-f", "compose.yaml", "-f", "compose.override.yaml"].map(str::to_owned));
    }
    // As the fixture tests read them: an environment's overlay over the
    // base one (`--env NAME` for compose2ecs.NAME.yaml).
    let mut envs: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.strip_prefix("compose2ecs.")?
                .strip_suffix(".yaml")
                .map(str::to_owned)
        })
        .collect();
    envs.sort();
    assert!(envs.len() <= 1, "{name}: one environment overlay at most");
    for env in envs {
        args.extend(["--env".to_owned(), env]);
    }
    let out = Command::cargo_bin("compose2ecs")
        .unwrap()
        .current_dir(&work)
        .env_clear()
        .env("NO_COLOR", "1")
        .args(&args)
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{name}:\n{stderr}");
    let last = stderr.lines().rev().find(|l| l.starts_with("converted:"));
    assert!(last.is_some(), "{name}: no summary line:\n{stderr}");
    let stderr = stderr.replace(&format!("{}/", work.display()), "");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(case);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("fixtures/{name}"));
    settings.bind(|| insta::assert_snapshot!("stderr", stderr));
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("compose.yaml").is_file())
        // A case whose conversion is refused is the bad-input suite's.
        .filter(|p| {
            std::fs::read_to_string(p.join("convert.snap"))
                .is_ok_and(|s| !s.contains("--- rejected"))
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "only {} fixtures", cases.len());
    let trials: Vec<libtest_mimic::Trial> = cases
        .into_iter()
        .map(|case| {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            libtest_mimic::Trial::test(name, move || {
                converted(&case);
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
