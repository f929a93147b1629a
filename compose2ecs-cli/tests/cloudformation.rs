//! `convert --target cloudformation`: every fixture that converts gives a
//! template that cfn-lint (pinned, installed by scripts/test) accepts with
//! no error and no warning, in both forms; `--check` finds a stale
//! template; the template and the JSON outputs share a folder without
//! removing each other. (That the template says what the JSON outputs say
//! is checked per fixture by compose2ecs-core/tests/fixtures.rs; that
//! moto's CloudFormation registers the same task definitions, by
//! tests/aws/cloudformation.rs.)

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn cfn_lint() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&path)
        .map(|d| d.join("cfn-lint"))
        .find(|p| p.is_file());
    if found.is_none() {
        common::missing_tool("cfn-lint must be on PATH");
    }
    found
}

/// Every fixture folder that converts (the bad-input suite does not).
fn fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(common::repo().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("compose.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The template of the project in `dir`, written into `out`.
fn template(dir: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    let run = common::run(
        common::bin()
            .current_dir(dir)
            .args(["convert", "-q", "--target", "cloudformation", "-o"])
            .arg(out)
            .args(extra),
    );
    assert_eq!(run.code, 0, "{}: {}", dir.display(), run.stderr);
    let written = common::listing(out);
    assert_eq!(written.len(), 1, "{written:?}");
    out.join(&written[0])
}

#[test]
fn every_fixture_template_passes_cfn_lint() {
    let Some(lint) = cfn_lint() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut templates = Vec::new();
    for dir in fixtures() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        templates.push(template(&dir, &tmp.path().join(&name), &[]));
        // Each environment's too.
        for env in std::fs::read_dir(&dir).unwrap() {
            let f = env.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(e) = f
                .strip_prefix("compose2ecs.")
                .and_then(|r| r.strip_suffix(".yaml"))
            {
                let out = tmp.path().join(format!("{name}-{e}"));
                templates.push(template(&dir, &out, &["--env", e]));
            }
        }
    }
    // The JSON form of the largest.
    let realistic = common::repo().join("fixtures/overlay-realistic-app");
    let json = template(
        &realistic,
        &tmp.path().join("realistic-json"),
        &["--template-format", "json"],
    );
    assert!(
        json.to_string_lossy()
            .ends_with("storefront.cloudformation.json")
    );
    templates.push(json);
    assert!(templates.len() >= 40, "{} templates", templates.len());

    let out = Command::new(&lint)
        .args(["--format", "parseable"])
        .args(&templates)
        .output()
        .unwrap();
    let findings = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && findings.trim().is_empty(),
        "cfn-lint: {findings}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cfn_lint_does_find_what_a_broken_template_holds() {
    // The test above passes because the templates are right, not because
    // cfn-lint reads nothing: an unknown property and a YAML 1.1 `OFF`.
    let Some(lint) = cfn_lint() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::repo().join("fixtures/scaling-and-schedules");
    let path = template(&dir, tmp.path(), &[]);
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen("Mode: \"OFF\"", "Mode: OFF", 1).replacen(
        "      DesiredCount:",
        "      DesiredCuont:",
        1,
    );
    assert_ne!(broken, text);
    std::fs::write(&path, broken).unwrap();
    let out = Command::new(&lint)
        .args(["--format", "parseable"])
        .arg(&path)
        .output()
        .unwrap();
    let findings = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{findings}");
    assert!(findings.contains("DesiredCuont"), "{findings}");
    assert!(findings.contains("E3030"), "OFF read as false: {findings}");
}

#[test]
fn check_finds_a_stale_template_and_leaves_the_json_outputs_alone() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo().join("fixtures/scaling-and-schedules"),
        dir.path(),
    );
    let convert = |args: &[&str]| {
        common::run(
            common::bin()
                .current_dir(dir.path())
                .arg("convert")
                .args(["-o", "deploy"])
                .args(args),
        )
    };
    assert_eq!(convert(&[]).code, 0);
    let json_files = common::listing(&dir.path().join("deploy"));
    assert!(
        json_files
            .iter()
            .any(|f| f.ends_with(".task-definition.json"))
    );
    let run = convert(&["--target", "cloudformation"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("aws cloudformation deploy"),
        "{}",
        run.stderr
    );
    let mut both = json_files.clone();
    both.push("shop.cloudformation.yaml".into());
    both.sort();
    assert_eq!(common::listing(&dir.path().join("deploy")), both);

    // Both targets are up to date, and neither counts the other as extra.
    assert_eq!(convert(&["--check"]).code, 0);
    assert_eq!(convert(&["--check", "--target", "cloudformation"]).code, 0);

    // The overlay changes: the template is stale, with a diff.
    let overlay = dir.path().join("compose2ecs.yaml");
    let text = std::fs::read_to_string(&overlay).unwrap();
    std::fs::write(&overlay, text.replace("max: 10", "max: 12")).unwrap();
    let run = convert(&["--check", "--target", "cloudformation"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("-      MaxCapacity: 10"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+      MaxCapacity: 12"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("convert -o deploy --target cloudformation"),
        "{}",
        run.stderr
    );

    // Written again; the JSON files stay where they were.
    assert_eq!(convert(&["--target", "cloudformation"]).code, 0);
    assert_eq!(convert(&["--check", "--target", "cloudformation"]).code, 0);
    assert_eq!(common::listing(&dir.path().join("deploy")), both);
}

#[test]
fn stdout_prints_the_template_and_family_is_refused() {
    let seed = common::seed();
    let run = common::run(common::bin().current_dir(&seed).args([
        "convert",
        "--target",
        "cloudformation",
        "--stdout",
    ]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("AWSTemplateFormatVersion: \"2010-09-09\"\n")
    );
    // The seed's `<account-id>` placeholders are no defaults: required
    // parameters.
    let t: serde_json::Value = serde_norway::from_str(&run.stdout).unwrap();
    assert!(t["Parameters"]["RestImage"]["Default"].is_null(), "{t:#}");
    assert!(t["Parameters"]["ExecutionRoleArn"]["Default"].is_null());
    let run = common::run(common::bin().current_dir(&seed).args([
        "convert",
        "--target",
        "cloudformation",
        "--stdout",
        "--family",
        "student-rest",
    ]));
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the template holds every family"),
        "{}",
        run.stderr
    );
}
