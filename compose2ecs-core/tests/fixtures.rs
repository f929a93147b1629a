//! A test per folder of `fixtures/` (a libtest-mimic harness): the folder is
//! the registry, so adding a case adds a test, and one case runs by name
//! (`cargo test -p compose2ecs-core --test fixtures -- seed-student-rest`).
//! Each case is `compose.yaml` [+ `compose.override.yaml`] [+
//! `compose2ecs.yaml`] [+ `.env`], converted with an empty process
//! environment; its task definitions and diagnostics (or its errors) are
//! snapshotted to `fixtures/<case>/convert.snap`, and converting it twice
//! gives the same bytes.

#![allow(clippy::unwrap_used)]

mod cloudformation;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use compose2ecs_core::{Environment, Input, Options, convert, to_json};
use libtest_mimic::{Arguments, Failed, Trial};

fn fixtures_dir() -> PathBuf {
    // Canonical, so that locations print the same however they were joined.
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")).unwrap()
}

/// Every case: `fixtures/<case>/` and the bad-input suite `fixtures/errors/<case>/`.
fn cases() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for dir in [fixtures_dir(), fixtures_dir().join("errors")] {
        cases.extend(
            std::fs::read_dir(dir)
                .expect("fixtures/ exists")
                .map(|e| e.expect("readable entry").path())
                .filter(|p| p.join("compose.yaml").is_file()),
        );
    }
    cases.sort();
    cases
}

/// The cases whose CloudFormation template is snapshotted too
/// (`fixtures/<case>/cloudformation.snap`): the shipped examples, and the
/// one with scaling and a schedule. Every other case's template is checked
/// against its JSON outputs and linted (compose2ecs-cli/tests/cloudformation.rs).
const TEMPLATE_SNAPSHOTS: &[&str] = &[
    "seed-student-rest",
    "example-shop",
    "overlay-realistic-app",
    "scaling-and-schedules",
];

/// Converts one case and renders everything a reviewer needs to judge it,
/// and its CloudFormation template.
fn render_case(dir: &Path) -> (String, Option<String>) {
    let mut files = vec![dir.join("compose.yaml")];
    let override_file = dir.join("compose.override.yaml");
    if override_file.is_file() {
        files.push(override_file);
    }
    // compose2ecs.yaml, then the environments' compose2ecs.<env>.yaml over
    // it, in name order.
    let mut overlays: Vec<PathBuf> = vec![dir.join("compose2ecs.yaml")];
    overlays.retain(|o| o.is_file());
    let mut envs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("compose2ecs.") && n.ends_with(".yaml") && n != "compose2ecs.yaml"
        })
        .collect();
    envs.sort();
    overlays.extend(envs);
    let mut out = String::new();
    let mut template = None;
    let result = Input::from_files(&files, &overlays, Environment::new(), &[])
        .and_then(|input| convert(&input, &Options::default()));
    match result {
        Ok(conversion) => {
            for (family, td) in &conversion.task_definitions {
                // Valid ECS input, by the committed schemas.
                let errors = compose2ecs_core::schema::task_definition_json(
                    &serde_json::to_value(td).unwrap(),
                );
                assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
                if let Some(service) = conversion.services.get(family) {
                    let errors = compose2ecs_core::schema::service_json(
                        &serde_json::to_value(service).unwrap(),
                    );
                    assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
                }
                if let Some(job) = conversion.jobs.get(family) {
                    let errors = compose2ecs_core::schema::run_task_json(
                        &serde_json::to_value(job).unwrap(),
                    );
                    assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
                    assert!(
                        !conversion.services.contains_key(family),
                        "a job has no service"
                    );
                }
                if let Some(scaling) = conversion.scaling.get(family) {
                    let errors = compose2ecs_core::schema::scaling_json(
                        &serde_json::to_value(scaling).unwrap(),
                    );
                    assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
                    assert!(
                        conversion.services.contains_key(family),
                        "only services scale"
                    );
                }
                if let Some(schedule) = conversion.schedules.get(family) {
                    let errors = compose2ecs_core::schema::schedule_json(
                        &serde_json::to_value(schedule).unwrap(),
                    );
                    assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
                    assert!(
                        !conversion.services.contains_key(family)
                            && !conversion.jobs.contains_key(family),
                        "a scheduled task is neither a service nor a job"
                    );
                }
                let _ = write!(out, "--- {family}.task-definition.json\n{}", to_json(td));
                if let Some(service) = conversion.services.get(family) {
                    let _ = write!(out, "--- {family}.service.json\n{}", to_json(service));
                }
                if let Some(job) = conversion.jobs.get(family) {
                    let _ = write!(out, "--- {family}.run-task.json\n{}", to_json(job));
                }
                if let Some(scaling) = conversion.scaling.get(family) {
                    let _ = write!(out, "--- {family}.scaling.json\n{}", to_json(scaling));
                }
                if let Some(schedule) = conversion.schedules.get(family) {
                    let _ = write!(out, "--- {family}.schedule.json\n{}", to_json(schedule));
                }
            }
            template = Some(
                cloudformation::check(&conversion)
                    .unwrap_or_else(|e| panic!("{}: the template: {e}", dir.display())),
            );
            out.push_str("--- diagnostics\n");
            for d in &conversion.diagnostics {
                let _ = writeln!(out, "{d}");
                if let Some(help) = &d.help {
                    let _ = writeln!(out, "  help: {help}");
                }
            }
        }
        Err(e) => {
            out.push_str("--- rejected\n");
            for d in e.diagnostics() {
                let _ = writeln!(out, "{d}");
                if let Some(help) = &d.help {
                    let _ = writeln!(out, "  help: {help}");
                }
            }
        }
    }
    // Locations are absolute paths here; show them relative to the case.
    (out.replace(&format!("{}/", dir.display()), ""), template)
}

/// One case: its snapshot, and the same bytes twice.
fn check_case(dir: &Path) -> Result<(), Failed> {
    if !dir.join("compose.yaml").is_file() {
        return Err(format!("{} has no compose.yaml", dir.display()).into());
    }
    let (rendered, template) = render_case(dir);
    if rendered != render_case(dir).0 {
        return Err(format!("{}: two conversions differ", dir.display()).into());
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    settings.set_description(format!("fixtures/{name}"));
    settings.bind(|| insta::assert_snapshot!("convert", rendered));
    if TEMPLATE_SNAPSHOTS.contains(&name.as_str()) {
        let template = template.ok_or("a shipped example converts")?;
        settings.bind(|| insta::assert_snapshot!("cloudformation", template));
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let cases = cases();
    assert!(cases.len() >= 12, "only {} fixture cases", cases.len());
    let mut trials: Vec<Trial> = cases
        .into_iter()
        .map(|dir| {
            let errors = dir.parent().is_some_and(|p| p.ends_with("errors"));
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let name = if errors {
                format!("errors/{name}")
            } else {
                name
            };
            Trial::test(name, move || check_case(&dir))
        })
        .collect();
    trials.push(Trial::test(
        "the_template_comparison_sees_a_dropped_or_changed_member",
        || {
            cloudformation::the_comparison_sees_a_dropped_or_changed_member();
            Ok(())
        },
    ));
    trials.push(Trial::test("no_stale_snapshots", || {
        no_stale_snapshots();
        Ok(())
    }));
    trials.push(Trial::test(
        "output_does_not_depend_on_the_order_of_mappings_in_the_input",
        || {
            output_does_not_depend_on_the_order_of_mappings_in_the_input();
            Ok(())
        },
    ));
    libtest_mimic::run(&args, trials).exit();
}

fn no_stale_snapshots() {
    // A snapshot whose case was removed or renamed would never be checked.
    // `stderr.snap` is checked by the CLI's tests.
    let mut dirs: Vec<PathBuf> = Vec::new();
    for root in [fixtures_dir(), fixtures_dir().join("errors")] {
        dirs.extend(
            std::fs::read_dir(root)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir() && !p.ends_with("errors")),
        );
    }
    for dir in dirs {
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".snap") || name.ends_with(".snap.new") {
                // `stderr.snap`: the CLI's rendering (tests/errors.rs for
                // the bad-input suite, tests/stderr.rs for the others).
                let known = name == "convert.snap"
                    || name == "stderr.snap"
                    || (name == "cloudformation.snap"
                        && TEMPLATE_SNAPSHOTS.iter().any(|c| dir.ends_with(c)));
                assert!(known, "unexpected snapshot {}", f.display());
                assert!(
                    dir.join("compose.yaml").is_file(),
                    "{} belongs to no case",
                    f.display()
                );
            }
        }
    }
}

fn output_does_not_depend_on_the_order_of_mappings_in_the_input() {
    // The same project twice, every mapping written in another order.
    let a = "name: order\nservices:\n  web:\n    image: nginx\n    environment: {B: '2', A: '1', C: '3'}\n    labels: {z: '1', a: '2'}\n    sysctls: {net.core.somaxconn: '1024', net.ipv4.tcp_syncookies: '0'}\n    ulimits: {nproc: 512, nofile: {soft: 1, hard: 2}}\n    secrets: [s]\n  db:\n    image: postgres\nsecrets:\n  s: {file: ./s}\n";
    let b = "secrets:\n  s: {file: ./s}\nservices:\n  db:\n    image: postgres\n  web:\n    secrets: [s]\n    ulimits: {nofile: {hard: 2, soft: 1}, nproc: 512}\n    sysctls: {net.ipv4.tcp_syncookies: '0', net.core.somaxconn: '1024'}\n    labels: {a: '2', z: '1'}\n    environment: {C: '3', A: '1', B: '2'}\n    image: nginx\nname: order\n";
    let overlay_a = "region: us-east-1\nroles: {execution: arn:aws:iam::123456789012:role/exec}\nsecrets: {s: /p/s, X: /p/x}\n";
    let overlay_b = "secrets: {X: /p/x, s: /p/s}\nroles: {execution: arn:aws:iam::123456789012:role/exec}\nregion: us-east-1\n";
    let run = |compose: &str, overlay: &str| {
        let c = convert(
            &Input::from_yaml(compose)
                .with_overlay(overlay)
                .without_disk(),
            &Options::default(),
        )
        .unwrap();
        let mut files: Vec<(String, String)> = c
            .task_definitions
            .iter()
            .map(|(f, td)| (f.clone(), to_json(td)))
            .chain(
                c.services
                    .iter()
                    .map(|(f, s)| (format!("{f}.service"), to_json(s))),
            )
            .collect();
        files.sort();
        files
    };
    let first = run(a, overlay_a);
    assert_eq!(first.len(), 4);
    assert_eq!(first, run(b, overlay_b));
    assert!(
        first
            .iter()
            .any(|(_, t)| t.contains("\"A\"") && t.find("\"A\"") < t.find("\"B\""))
    );
}
