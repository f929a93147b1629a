//! `convert --check` and `--format json`: the drift check CI runs, its
//! documents, and the example workflows.

#![allow(clippy::unwrap_used)]

mod common;

use common::{bin, listing, project, repo, seed};

fn collect_strings(v: &serde_norway::Value, out: &mut Vec<String>) {
    match v {
        serde_norway::Value::String(s) => out.push(s.clone()),
        serde_norway::Value::Sequence(items) => items.iter().for_each(|i| collect_strings(i, out)),
        serde_norway::Value::Mapping(m) => m.values().for_each(|i| collect_strings(i, out)),
        serde_norway::Value::Tagged(t) => collect_strings(&t.value, out),
        _ => {}
    }
}

#[test]
fn check_passes_when_up_to_date_and_fails_with_a_diff_after_an_edit() {
    let work = project(&[(
        "compose.yaml",
        "name: drift\nservices:\n  web:\n    image: nginx:1.27\n",
    )]);
    let run = |args: &[&str]| {
        let out = bin().current_dir(work.path()).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Nothing generated yet: everything is missing.
    let (code, _, stderr) = run(&["convert", "--check", "-o", "ecs"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("missing: ecs/drift-web.task-definition.json"),
        "{stderr}"
    );
    assert!(!work.path().join("ecs").exists(), "--check wrote something");

    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    let (code, stdout, stderr) = run(&["convert", "--check", "-o", "ecs"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.is_empty() && stderr.contains("ecs is up to date"),
        "{stderr}"
    );

    // Someone bumps the image without regenerating.
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: drift\nservices:\n  web:\n    image: nginx:1.28\n",
    )
    .unwrap();
    std::fs::write(work.path().join("ecs/old-gone.service.json"), "{}\n").unwrap();
    let before = listing(&work.path().join("ecs"));
    let (code, stdout, stderr) = run(&["convert", "--check", "-o", "ecs"]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("-      \"image\": \"nginx:1.27\","),
        "{stdout}"
    );
    assert!(
        stdout.contains("+      \"image\": \"nginx:1.28\","),
        "{stdout}"
    );
    assert!(stdout.contains("@@"), "{stdout}");
    assert!(
        stderr.contains("changed: ecs/drift-web.task-definition.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("extra: ecs/old-gone.service.json"),
        "{stderr}"
    );
    assert_eq!(
        listing(&work.path().join("ecs")),
        before,
        "--check wrote something"
    );

    // As one JSON document, for tools.
    let (code, stdout, _) = run(&["convert", "--check", "-o", "ecs", "--format", "json"]);
    assert_eq!(code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["status"], "drift");
    assert_eq!(doc["changed"][0], "ecs/drift-web.task-definition.json");
    assert_eq!(doc["families"][0]["family"], "drift-web");

    // Regenerated: clean again (the extra file is the user's to remove).
    std::fs::remove_file(work.path().join("ecs/old-gone.service.json")).unwrap();
    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    let (code, _, stderr) = run(&["convert", "--check", "-o", "ecs"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn format_json_prints_one_document_with_the_families_and_diagnostics() {
    let work = project(&[(
        "compose.yaml",
        "name: doc\nservices:\n  web:\n    image: nginx\n    restart: always\n",
    )]);
    let out = bin()
        .current_dir(work.path())
        .args(["convert", "-o", "out", "--format", "json"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["status"], "written");
    assert_eq!(doc["families"][0]["family"], "doc-web");
    assert_eq!(
        doc["families"][0]["taskDefinition"],
        "out/doc-web.task-definition.json"
    );
    assert_eq!(doc["families"][0]["service"], "out/doc-web.service.json");
    assert!(
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "ignored-key")
    );
    // A rejected conversion is a document too.
    std::fs::write(
        work.path().join("bad.yaml"),
        "services:\n  web:\n    image: nginx\n    ports: 80\n",
    )
    .unwrap();
    let out = bin()
        .current_dir(work.path())
        .args([
            "convert", "-o", "out2", "--format", "json", "-f", "bad.yaml",
        ])
        .assert()
        .code(1);
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["status"], "rejected");
    assert_eq!(doc["diagnostics"][0]["code"], "schema-violation");
    assert!(!work.path().join("out2").exists());
}

/// The `command` input of each step that uses the compose2ecs action, as
/// the command line it runs.
fn action_commands(workflow: &serde_norway::Value, out: &mut Vec<String>) {
    let jobs = workflow["jobs"].as_mapping().into_iter().flatten();
    for job in jobs.map(|(_, j)| j) {
        for step in job["steps"].as_sequence().into_iter().flatten() {
            let ours = step["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("compose2ecs/compose2ecs@"));
            if let (true, Some(command)) = (ours, step["with"]["command"].as_str()) {
                out.push(format!("compose2ecs {command}"));
            }
        }
    }
}

/// Every `compose2ecs …` command in the example CI workflows of docs/ci/
/// (in `run:` and `script:` lines, and the action's `command` input): the
/// file is YAML, and the subcommand and each of its flags exist.
#[test]
fn the_example_ci_workflows_parse_and_use_only_real_flags() {
    let dir = repo().join("docs/ci");
    let mut commands = 0;
    let mut template_checks = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let yaml: serde_norway::Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
        let mut strings = Vec::new();
        collect_strings(&yaml, &mut strings);
        action_commands(&yaml, &mut strings);
        for s in strings {
            for line in s
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("compose2ecs "))
            {
                let words = shell_words::split(line).unwrap();
                let sub = &words[1];
                let help = bin().args([sub.as_str(), "--help"]).assert().success();
                let help = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
                for flag in words.iter().filter(|w| w.starts_with('-')) {
                    assert!(
                        help.contains(flag.as_str()),
                        "{}: `{flag}` is not a flag of `compose2ecs {sub}`",
                        path.display()
                    );
                }
                commands += 1;
                if words[1] == "convert"
                    && words.iter().any(|w| w == "--check")
                    && words
                        .windows(2)
                        .any(|w| w == ["--target", "cloudformation"])
                {
                    template_checks += 1;
                }
            }
        }
    }
    assert!(
        commands >= 5,
        "only {commands} compose2ecs commands in docs/ci"
    );
    assert!(
        template_checks >= 2,
        "the GitHub and GitLab examples check the CloudFormation template too"
    );
}

#[test]
fn check_on_the_seed_fixture_catches_an_unregenerated_edit() {
    let compose = std::fs::read_to_string(seed().join("compose.yaml")).unwrap();
    let overlay = std::fs::read_to_string(seed().join("compose2ecs.yaml")).unwrap();
    let work = project(&[("compose.yaml", &compose), ("compose2ecs.yaml", &overlay)]);
    let check = || {
        bin()
            .current_dir(work.path())
            .args(["convert", "--check", "-o", "ecs"])
            .output()
            .unwrap()
    };
    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    assert!(check().status.success());

    let bumped = compose.replace("student-rest:<tag>", "student-rest:2.0");
    assert_ne!(bumped, compose, "the seed's image tag moved");
    std::fs::write(work.path().join("compose.yaml"), bumped).unwrap();
    let out = check();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.contains(
            "-      \"image\": \"<account-id>.dkr.ecr.us-east-1.amazonaws.com/student-rest:<tag>\","
        ),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+      \"image\": \"<account-id>.dkr.ecr.us-east-1.amazonaws.com/student-rest:2.0\","
        ),
        "{diff}"
    );

    bin()
        .current_dir(work.path())
        .args(["convert", "-o", "ecs"])
        .assert()
        .success();
    assert!(check().status.success());
}

#[test]
fn check_covers_the_scaling_and_schedule_files_too() {
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scaling-and-schedules");
    let out = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let o = bin()
            .current_dir(&fixture)
            .args(args)
            .arg("-o")
            .arg(out.path())
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["convert", "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    let files = listing(out.path());
    assert!(
        files.contains(&"shop-web.scaling.json".to_owned()),
        "{files:?}"
    );
    assert!(
        files.contains(&"shop-backup.schedule.json".to_owned()),
        "{files:?}"
    );
    assert!(
        !files.contains(&"shop-backup.service.json".to_owned()),
        "{files:?}"
    );
    let (code, stderr) = run(&["convert", "--check", "-q"]);
    assert_eq!(code, Some(0), "{stderr}");
    std::fs::remove_file(out.path().join("shop-web.scaling.json")).unwrap();
    std::fs::write(out.path().join("shop-gone.schedule.json"), "{}\n").unwrap();
    let (code, stderr) = run(&["convert", "--check", "-q"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("shop-web.scaling.json"), "{stderr}");
    assert!(
        stderr.contains("shop-gone.schedule.json"),
        "a stale schedule is ours: {stderr}"
    );
}
