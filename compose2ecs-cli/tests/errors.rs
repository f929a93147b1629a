//! The bad-input suite: every case of `fixtures/errors/` (and a 50 MB file
//! made here) run through the real binary, each its own test (a
//! libtest-mimic harness: `cargo test -p compose2ecs-cli --test errors --
//! duplicate-key` runs one). Each must exit 1 with an error
//! naming the file and line (where there is one), panic never, write no
//! output, and finish — a watchdog kills it after 10 s. The exact stderr is
//! snapshotted in `fixtures/errors/<case>/stderr.snap`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

mod common;

use common::copy_dir;

fn errors_dir() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/errors")).unwrap()
}

/// Runs `convert` in `dir`; returns stderr, after checking everything but
/// the message itself.
fn rejected(dir: &Path, case: &str) -> String {
    let out = Command::cargo_bin("compose2ecs")
        .unwrap()
        .current_dir(dir)
        .env_clear()
        .env("NO_COLOR", "1")
        .args(["convert", "-o", "out"])
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{case}: not exit 1:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{case} panicked:\n{stderr}");
    assert!(stderr.contains("error["), "{case}: no error:\n{stderr}");
    assert!(
        stderr.contains("nothing was written") || stderr.contains("error[io]"),
        "{case}:\n{stderr}"
    );
    assert!(!dir.join("out").exists(), "{case}: output written");
    stderr
}

/// One case of `fixtures/errors/`.
fn refused_cleanly(case: &Path) {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    // In a folder named like the case: the project name comes from it.
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join(&name);
    copy_dir(case, &work);
    let stderr = rejected(&work, &name);
    // The first error points at a file and line.
    let first_error = stderr.split("\n\n").find(|b| b.contains("error[")).unwrap();
    assert!(
        first_error.contains(" --> ") || first_error.contains("-->"),
        "{name}: the first error has no file:line:\n{stderr}"
    );
    let stderr = stderr.replace(&format!("{}/", work.display()), "");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(case);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("fixtures/errors/{name}"));
    settings.bind(|| insta::assert_snapshot!("stderr", stderr));
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(errors_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "only {} bad-input cases", cases.len());
    let mut trials: Vec<libtest_mimic::Trial> = cases
        .into_iter()
        .map(|case| {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            libtest_mimic::Trial::test(name, move || {
                refused_cleanly(&case);
                Ok(())
            })
        })
        .collect();
    trials.push(libtest_mimic::Trial::test(
        "a_50_mb_file_is_refused_before_it_is_read",
        || {
            a_50_mb_file_is_refused_before_it_is_read();
            Ok(())
        },
    ));
    libtest_mimic::run(&args, trials).exit();
}

fn a_50_mb_file_is_refused_before_it_is_read() {
    let work = tempfile::tempdir().unwrap();
    let line = "# padding padding padding padding padding padding padding padding\n";
    let mut text = String::from("services:\n  web:\n    image: nginx\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(line);
    }
    std::fs::write(work.path().join("compose.yaml"), text).unwrap();
    let stderr = rejected(work.path(), "50 MB");
    assert!(stderr.contains("error[yaml-limit]"), "{stderr}");
    assert!(stderr.contains("more than the limit of 16 MiB"), "{stderr}");
    assert!(stderr.contains("compose.yaml:1:1"), "{stderr}");
}
