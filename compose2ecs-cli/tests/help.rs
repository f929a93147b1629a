//! What a new user reads first: `--help`, the man pages, completions, and
//! the messages of a mistyped flag or family.

#![allow(clippy::unwrap_used)]

use std::path::Path;

mod common;

use common::{bin, run};

fn output(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let r = run(cmd);
    (r.code, r.stdout, r.stderr)
}

#[test]
fn the_committed_man_pages_are_current() {
    let fresh = tempfile::tempdir().unwrap();
    let (code, _, stderr) = output(bin().arg("man").arg(fresh.path()));
    assert_eq!(code, 0, "{stderr}");
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/man");
    let names = common::listing;
    assert_eq!(
        names(fresh.path()),
        names(&committed),
        "regenerate: compose2ecs man docs/man"
    );
    for name in names(fresh.path()) {
        assert_eq!(
            std::fs::read_to_string(fresh.path().join(&name)).unwrap(),
            std::fs::read_to_string(committed.join(&name)).unwrap(),
            "docs/man/{name} is stale; regenerate it with `cargo run -p compose2ecs-cli -- man docs/man`"
        );
    }
    let top = std::fs::read_to_string(committed.join("compose2ecs.1")).unwrap();
    assert!(top.contains("compose2ecs\\-deploy(1)"), "{top}");
}

#[test]
fn bash_accepts_the_completions_and_they_know_every_command() {
    let (code, script, _) = output(bin().args(["completions", "bash"]));
    assert_eq!(code, 0);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("compose2ecs.bash");
    std::fs::write(&file, &script).unwrap();
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success(), "bash -n refused the completion script");
    for command in [
        "convert",
        "register",
        "deploy",
        "policy",
        "config",
        "schema",
        "completions",
    ] {
        assert!(script.contains(command), "{command} missing");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let (code, script, _) = output(bin().args(["completions", shell]));
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains("deploy"), "{shell}");
    }
}

#[test]
fn convert_help_shows_convert_and_names_the_environment_it_reads() {
    let (code, help, _) = output(bin().args(["convert", "--help"]));
    assert_eq!(code, 0);
    assert!(help.contains("COMPOSE_PROJECT_NAME"), "{help}");
    assert!(help.contains("COMPOSE_FILE"), "{help}");
    let examples = &help[help.find("Examples:").unwrap()..];
    for line in examples
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
    {
        let line = line.trim();
        assert!(
            line.starts_with("compose2ecs convert") || line.starts_with('|'),
            "convert --help shows another command: {line}"
        );
    }
}

const TWO: &str = "name: shop\nservices:\n  api:\n    image: nginx\n  web:\n    image: nginx\n";

#[test]
fn a_family_without_stdout_and_a_short_family_name_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), TWO).unwrap();
    let (code, _, stderr) = output(
        bin()
            .current_dir(dir.path())
            .args(["convert", "--family", "shop-api"]),
    );
    assert_eq!(code, 2, "a usage error: {stderr}");
    assert!(
        stderr.contains("--family chooses the task definition that --stdout prints"),
        "{stderr}"
    );
    assert!(!dir.path().join("ecs").exists());

    for args in [
        &["convert", "--stdout", "--family", "api"][..],
        &["register", "--dry-run", "--family", "api"],
    ] {
        let (code, stdout, stderr) = output(bin().current_dir(dir.path()).args(args));
        assert_eq!(code, 1, "{args:?}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains(
                "no family `api`; did you mean `shop-api`?; this project has: shop-api, shop-web"
            ),
            "{args:?}: {stderr}"
        );
    }
}
