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

/// Every `console` example of the README, run as shown: each `$ compose2ecs
/// …` line is run from a folder holding a copy of the fixtures it names
/// and must print what follows it (stdout and stderr, in the order shown),
/// each `$ cat FILE` must show the file as written. A `$ aws …` line is the
/// user's own call: the same files are registered with the real AWS CLI
/// against moto by `tests/aws.rs` (every fixture's outputs).
#[test]
fn the_readme_console_examples_run_as_shown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut blocks = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        blocks += 1;
        let dir = tempfile::tempdir().unwrap();
        let fixtures = dir.path().join("fixtures");
        std::fs::create_dir(&fixtures).unwrap();
        let mut commands: Vec<(String, String)> = Vec::new();
        for line in block.lines() {
            match line.strip_prefix("$ ") {
                Some(command) => commands.push((command.to_owned(), String::new())),
                None => {
                    let shown = &mut commands.last_mut().unwrap().1;
                    shown.push_str(line);
                    shown.push('\n');
                }
            }
        }
        for (command, shown) in &commands {
            let words = shell_words::split(command).unwrap();
            for w in &words {
                if let Some(name) = w.strip_prefix("fixtures/") {
                    let case = name.split('/').next().unwrap();
                    let to = fixtures.join(case);
                    if !to.exists() {
                        copy_dir(&root.join("fixtures").join(case), &to);
                    }
                }
            }
            match words[0].as_str() {
                "compose2ecs" => {
                    let (_, stdout, stderr) =
                        output(bin().current_dir(dir.path()).args(&words[1..]));
                    assert_eq!(stderr + &stdout, *shown, "`{command}`");
                }
                "cat" => {
                    let text = std::fs::read_to_string(dir.path().join(&words[1])).unwrap();
                    assert_eq!(text, *shown, "`{command}`");
                }
                "aws" => assert!(shown.is_empty(), "`{command}` shows no output"),
                other => panic!("the README runs `{other}`: teach this test to run it"),
            }
        }
    }
    assert!(blocks > 0, "the README shows no console example");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(&name));
        } else if !name.to_string_lossy().ends_with(".snap") {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}
