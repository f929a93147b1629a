//! What the CLI's test files share: the binary in a clean environment, a
//! project folder, and a run's exit code and output.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub(crate) mod moto;

/// `compose2ecs`, without colour and without the environment variables that
/// would change what it reads (`COMPOSE_*`, the AWS region).
pub(crate) fn bin() -> Command {
    let mut cmd = Command::cargo_bin("compose2ecs").unwrap();
    cmd.env("NO_COLOR", "1")
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROFILES")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION");
    cmd
}

/// A finished run.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Runs `cmd` to the end.
pub(crate) fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temporary project folder holding these files.
pub(crate) fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// The names in `dir`, sorted.
pub(crate) fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub(crate) fn seed() -> PathBuf {
    repo().join("fixtures/seed-student-rest")
}

pub(crate) fn rejected(compose: &str, overlay: Option<&str>) -> (String, tempfile::TempDir) {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("compose.yaml"), compose).unwrap();
    if let Some(o) = overlay {
        std::fs::write(work.path().join("compose2ecs.yaml"), o).unwrap();
    }
    let assert = bin()
        .current_dir(work.path())
        .args(["convert", "-o", "out"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        !work.path().join("out").exists(),
        "output was written: {:?}",
        listing(&work.path().join("out"))
    );
    (stderr, work)
}

pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every line of `text` is a JSON object with a `type`; their types.
pub(crate) fn json_line_types(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}"));
            v["type"]
                .as_str()
                .unwrap_or_else(|| panic!("no type: {l}"))
                .to_owned()
        })
        .collect()
}

/// A reference tool is missing: a failure under `CI=true` (where
/// scripts/test has installed it), else the test is skipped with `why`.
pub(crate) fn missing_tool(why: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why} under CI=true (scripts/test installs it)"
    );
    eprintln!("skipped: {why}; run scripts/test to install it");
}

/// A fixture folder copied to `to`, without its snapshots.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap();
        if p.is_dir() {
            copy_dir(&p, &to.join(name));
        } else if !name.to_string_lossy().ends_with(".snap") {
            std::fs::copy(&p, to.join(name)).unwrap();
        }
    }
}

/// A stand-in `docker`: records every call (args, stdin, and the content of each `--file *.json`)
/// in `docker-calls`; `push` reports a digest made from the tag.
pub(crate) const STAND_IN_DOCKER: &str = r#"#!/usr/bin/env python3
import hashlib, json, os, sys
args = sys.argv[1:]
here = os.path.dirname(os.path.abspath(__file__))
stdin = sys.stdin.read() if args[:1] == ["login"] else None
files = {a: json.load(open(a)) for a in args if a.endswith(".json") and os.path.exists(a)}
with open(os.path.join(here, "docker-calls"), "a") as log:
    log.write(json.dumps({"args": args, "stdin": stdin, "files": files}) + "\n")
if args[:1] == ["push"]:
    digest = hashlib.sha256(args[1].encode()).hexdigest()
    print(f"The push refers to repository [{args[1].rsplit(':', 1)[0]}]")
    print("5f70bf18a086: Pushed")
    print(f"{args[1].rsplit(':', 1)[1]}: digest: sha256:{digest} size: 1570")
elif args[:1] == ["login"]:
    print("Login Succeeded")
"#;

/// The one stand-in `aws`: it records each call in `calls` beside it (one
/// JSON object per line: `args`, and the `inputs` of its `file://`
/// arguments, read as JSON), then answers from the table in `answers.json`
/// beside it, which the test writes ([`StandIn`]). The first rule whose
/// `call` begins the arguments, whose `has` are all among them and whose
/// `input` members the first input document has, answers (a
/// `--generate-cli-skeleton` call only by a rule whose `has` names it),
/// with one of:
///
/// - `"json": …` printed as JSON; `"text": "…"` printed as is; `"file":
///   "name"` the file of that name beside it;
/// - `"fail": "message"`: the message on stderr, exit status `exit` (254,
///   as the AWS CLI's for a refused call);
/// - `"replies": [reply, …]`: one after another, the last one forever.
///
/// The account can change: a rule with `"sets": "name"` puts the stand-in
/// in that state when it answers, and a rule with `"when": "name"` answers
/// only in it (the state is "" at first).
///
/// In every string of a reply, `{input.NAME}` is the member NAME of the
/// first input document and `{arg:--flag}` the argument after `--flag`. A
/// call no rule answers fails, naming itself.
const STAND_IN_AWS: &str = r#"#!/usr/bin/env python3
import fcntl, json, os, sys
args = sys.argv[1:]
here = os.path.dirname(os.path.abspath(__file__))
inputs = [json.load(open(a[7:])) for a in args if a.startswith("file://")]
with open(os.path.join(here, "calls"), "a") as f:
    f.write(json.dumps({"args": args, "inputs": inputs}) + "\n")
values = {}
if inputs and isinstance(inputs[0], dict):
    values.update({"input." + k: v for k, v in inputs[0].items() if isinstance(v, str)})
values.update({"arg:" + a: b for a, b in zip(args, args[1:]) if a.startswith("--")})
def fill(v):
    if isinstance(v, str):
        for k, x in values.items():
            v = v.replace("{" + k + "}", x)
        return v
    if isinstance(v, list):
        return [fill(x) for x in v]
    if isinstance(v, dict):
        return {fill(k): fill(x) for k, x in v.items()}
    return v
table = json.load(open(os.path.join(here, "answers.json")))
for n, rule in enumerate(table):
    call = rule["call"]
    if args[:len(call)] != call or not all(h in args for h in rule.get("has", [])):
        continue
    # The installed CLI's skeletons (what it knows) only when asked for.
    if "--generate-cli-skeleton" in args and "--generate-cli-skeleton" not in rule.get("has", []):
        continue
    if not all(inputs and inputs[0].get(k) == v for k, v in rule.get("input", {}).items()):
        continue
    state_file = os.path.join(here, "answers.state")
    state = open(state_file).read() if os.path.exists(state_file) else ""
    if rule.get("when", state) != state:
        continue
    if "sets" in rule:
        open(state_file, "w").write(rule["sets"])
    replies = rule.get("replies", [rule])
    with open(os.path.join(here, "answers.count"), "a+") as c:
        fcntl.flock(c, fcntl.LOCK_EX)
        c.seek(0)
        counts = json.loads(c.read() or "{}")
        k = counts.get(str(n), 0)
        counts[str(n)] = k + 1
        c.seek(0)
        c.truncate()
        c.write(json.dumps(counts))
    reply = fill(replies[min(k, len(replies) - 1)])
    if "fail" in reply:
        sys.stderr.write(reply["fail"] + "\n")
        sys.exit(reply.get("exit", 254))
    if "text" in reply:
        print(reply["text"])
    elif "file" in reply:
        print(open(os.path.join(here, reply["file"])).read())
    elif "json" in reply:
        print(json.dumps(reply["json"]))
    sys.exit(0)
sys.exit(f"stand-in aws: no answer for {args}")
"#;

/// The stand-in `aws` of [`STAND_IN_AWS`] in a folder, with its table.
#[cfg(unix)]
#[derive(Debug)]
pub(crate) struct StandIn {
    /// The folder it records and reads in.
    pub(crate) dir: PathBuf,
    /// The executable, for `--aws-cli`.
    pub(crate) bin: PathBuf,
}

#[cfg(unix)]
impl StandIn {
    /// Writes the stand-in as `aws` in `dir`, answering from `table`.
    pub(crate) fn new(dir: &Path, table: serde_json::Value) -> StandIn {
        use std::os::unix::fs::PermissionsExt as _;
        let bin = dir.join("aws");
        std::fs::write(&bin, STAND_IN_AWS).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let s = StandIn {
            dir: dir.to_owned(),
            bin,
        };
        s.answer(table);
        s
    }

    /// The stand-in a test wrote in `dir` before, to read its calls.
    pub(crate) fn at(dir: &Path) -> StandIn {
        StandIn {
            dir: dir.to_owned(),
            bin: dir.join("aws"),
        }
    }

    /// Answers from `table` from now on (its replies' counts start again).
    pub(crate) fn answer(&self, table: serde_json::Value) {
        assert!(table.is_array(), "a table of rules: {table}");
        std::fs::write(self.dir.join("answers.json"), table.to_string()).unwrap();
        let _ = std::fs::remove_file(self.dir.join("answers.count"));
        let _ = std::fs::remove_file(self.dir.join("answers.state"));
    }

    /// Every call so far: `{"args": [...], "inputs": [...]}`.
    pub(crate) fn calls(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.join("calls"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Every call's arguments.
    pub(crate) fn args(&self) -> Vec<Vec<String>> {
        self.calls()
            .iter()
            .map(|c| {
                c["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_owned())
                    .collect()
            })
            .collect()
    }

    /// Forgets the calls so far.
    pub(crate) fn forget(&self) {
        let _ = std::fs::remove_file(self.dir.join("calls"));
    }
}

/// `register-task-definition`, answered with revision `revision` of the
/// input's family, in `region`: the rule most tables begin with.
pub(crate) fn registers(region: &str, revision: u32) -> serde_json::Value {
    serde_json::json!({"call": ["ecs", "register-task-definition"], "json": {"taskDefinition": {
        "taskDefinitionArn": format!("arn:aws:ecs:{region}:123456789012:task-definition/{{input.family}}:{revision}")}}})
}
