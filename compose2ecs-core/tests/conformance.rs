//! Loader conformance: every compose file of compose-go's own test data
//! (copied under `tests/conformance/`, see its README) is loaded.
//!
//! - Files whose names say they must fail (`cycle`, `self`, `invalid`) fail
//!   with an error, as do the inline snippets that compose-go's tests expect
//!   to be rejected (`EXPECTED_REJECTIONS`, each with the reason).
//! - Every other file loads.
//! - The outcome of every file — services loaded, or the errors — is
//!   snapshotted in `tests/snapshots/conformance__outcomes.snap`, so any
//!   change in what the loader accepts shows up in review.
//! - `full-example.yml`, nearly every key of the spec, loads and converts.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use compose2ecs_core::{Environment, Input, Options, Source, convert, load};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
}

/// Inline snippets that compose-go's tests load expecting an error, and why.
const EXPECTED_REJECTIONS: &[(&str, &str)] = &[
    (
        "loader/TestServiceDeviceRequestCountInvalidStringType_1.yaml",
        "a device request's `count` is a number or `all`, as compose-go says",
    ),
    (
        "develop/TestDevelopMissingAction_1.yaml",
        "a `develop.watch` entry needs `action`",
    ),
    (
        "loader/TestBadDevelopConfig_1.yaml",
        "a `develop.watch` entry needs `action`",
    ),
    (
        "extends/TestExtendsWihtMissingService_1.yaml",
        "`extends` without `service`",
    ),
    (
        "include/TestLoadWithMultipleIncludeConflict_1.yaml",
        "a service defined both here and in the included file",
    ),
    (
        "loader/TestLoadTmpfsVolumeAdditionalPropertyNotAllowed_1.yaml",
        "an unknown key in `tmpfs`",
    ),
    (
        "loader/TestLoadTmpfsVolumeSizeMustBeGTEQZero_1.yaml",
        "a negative tmpfs size",
    ),
    (
        "loader/TestLoadTmpfsVolumeSizeMustBeInteger_1.yaml",
        "a fractional tmpfs size",
    ),
    (
        "loader/TestLoadWithMissingResources_1.yaml",
        "`extends` from a file that does not exist",
    ),
    ("loader/TestNonMappingObject_1.yaml", "`services` is a list"),
    (
        "loader/TestNonMappingObject_2.yaml",
        "a service is a string",
    ),
    ("loader/TestNonStringImage_1.yaml", "`image` is a list"),
    (
        "loader/TestNonStringKeys_2.yaml",
        "a key that is no IPAM field",
    ),
    (
        "loader/TestServiceDeviceRequestCapabilitiesMandatory_1.yaml",
        "a device request without `capabilities`",
    ),
    (
        "merge_reset/Test_DuplicateReset_1.yaml",
        "`command` twice in one mapping (a duplicate key)",
    ),
    (
        "override/TestOverridePartial_2.yaml",
        "alone, `depends_on.foo` lacks `condition`; merged over _1 it loads (see SETS)",
    ),
    (
        "reset/TestAliasBombPrevented_2.yaml",
        "a billion-laughs alias bomb",
    ),
    (
        "reset/TestMergeKeyAliasToScalarRejected_1.yaml",
        "`<<` merging a scalar",
    ),
    ("loader/testdata/empty.yaml", "an empty compose file"),
    (
        "loader/TestServiceDeviceRequestCountAndDeviceIdsExclusive_1.yaml",
        "`count` and `device_ids` in one device request, which docker compose refuses too",
    ),
    ("secrets/TestSecretFileModeNumber_1.yaml", UNDEFINED_SECRET),
    ("secrets/TestSecretFileModeString_1.yaml", UNDEFINED_SECRET),
    (
        "environment/TestEnvironmentInvalidObject_1.yaml",
        "`environment` is a string",
    ),
    (
        "environment/TestEnvironmentInvalidValue_1.yaml",
        "an environment value is a list",
    ),
    (
        "loader/TestInvalidEnvironmentObject_1.yaml",
        "`environment` is a string",
    ),
    (
        "loader/TestInvalidEnvironmentValue_1.yaml",
        "an environment value is a list",
    ),
    (
        "loader/TestInvalidResource_1.yaml",
        "an unknown key in `deploy.resources`",
    ),
    (
        "loader/TestLoadWithResourcesCycle_1.yaml",
        "an `extends` cycle through `remote:` files; compose2ecs stops earlier, at the remote file (remote-resource)",
    ),
    (
        "loader/testdata/include/dir/compose.yaml",
        "alone, its `extra.env` is missing: it is meant to be included with `project_directory: ../subdir` (include/project-directory.yaml, which loads)",
    ),
    (
        "normalize/TestNormalizeImplicitDependencies_1.yaml",
        "`cgroup: service:bar` is not one of `host`/`private`",
    ),
    (
        "normalize/TestNormalizeImplicitDependencies_2.yaml",
        "`cgroup: service:bar` is not one of `host`/`private`",
    ),
];

const UNDEFINED_SECRET: &str = "uses a secret the file does not define; the Go test parses the mode with compose-go's consistency check off, which refuses it too";

/// Where compose2ecs and compose-go part ways, with the reason. These are
/// checked to behave as described (loaded or rejected), not skipped.
const KNOWN_DIFFERENCES: &[(&str, bool, &str)] = &[
    (
        "loader/testdata/remote/cycle/compose.yaml",
        false,
        "`remote:` files come from a test-only loader plugin; compose2ecs reads local files only (error remote-resource)",
    ),
    (
        "loader/testdata/remote/nested/compose.yaml",
        false,
        "`remote:` files come from a test-only loader plugin",
    ),
    (
        "loader/TestLoadWithRemoteResources_1.yaml",
        false,
        "`remote:` files come from a test-only loader plugin",
    ),
    (
        "schema/using-variables.yaml",
        false,
        "a schema test of uninterpolated `${VARIABLE}` everywhere; loaded, every value becomes empty and `name:` is invalid",
    ),
    (
        "loader/TestLoadTmpfsVolume_1.yaml",
        false,
        "a Go format string (`%s`), not YAML until the Go test fills it in",
    ),
    (
        "paths/TestResolveAdditionalContexts_1.yaml",
        false,
        "a Go format string (`%s`), not YAML until the Go test fills it in",
    ),
    (
        "include/TestLoadWithIncludeEnv_1.yaml",
        false,
        "the Go test writes `module/compose.yml` and `custom.env` to a temporary folder first",
    ),
    (
        "include/TestNestedIncludeAndExtends_1.yaml",
        false,
        "the Go test writes `dir/extended.yaml` to a temporary folder first",
    ),
    (
        "loader/TestWithSelectedServicesOption_SkipsMissingEnvFile_1.yaml",
        false,
        "compose-go skips the env_file of a service left out by service selection; compose2ecs converts every service, so the missing env_file is an error",
    ),
    (
        "loader/TestLoadSSHWithoutValueInBuildConfig_1.yaml",
        false,
        "`build.ssh:` with no value: compose-go fills in `default`, the schema (and compose2ecs) want a list or mapping",
    ),
    (
        "reset/TestAliasNodePreservation_1.yaml",
        false,
        "nine levels of nine aliases: compose-go shares alias nodes, compose2ecs expands them and refuses more than 250,000 nodes (its alias-bomb guard)",
    ),
    (
        "loader/TestNonStringKeys_1.yaml",
        true,
        "YAML keys are read as text: a service named `123` is a valid name to compose2ecs",
    ),
    (
        "loader/TestNonStringKeys_3.yaml",
        true,
        "YAML keys are read as text: an environment variable named `1` loads",
    ),
    (
        "loader/TestLoadInvalidIsolation_1.yaml",
        true,
        "compose-go checks `isolation` values for Windows; ECS has no isolation setting, so compose2ecs reports the key as unsupported when converting",
    ),
];

/// Snippets of one Go test that name each other: each is served at the path
/// the Go test writes it to, and `main` (merged in order, like `-f` files)
/// is loaded with all of them available.
struct Set {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    main: &'static [&'static str],
}

const SETS: &[Set] = &[
    Set {
        name: "extends/TestLoadExtendsSameFile",
        files: &[("sub/compose.yaml", "extends/TestLoadExtendsSameFile_1.yaml")],
        main: &["extends/TestLoadExtendsSameFile_2.yaml"],
    },
    Set {
        name: "extends/TestLoadExtendsListenerMultipleFiles",
        files: &[(
            "sub/compose.yaml",
            "extends/TestLoadExtendsListenerMultipleFiles_1.yaml",
        )],
        main: &["extends/TestLoadExtendsListenerMultipleFiles_2.yaml"],
    },
    Set {
        name: "loader/TestLoadExtendsMultipleFiles",
        files: &[
            (
                "a/compose.yaml",
                "loader/TestLoadExtendsMultipleFiles_1.yaml",
            ),
            (
                "b/compose.yaml",
                "loader/TestLoadExtendsMultipleFiles_2.yaml",
            ),
        ],
        main: &["loader/TestLoadExtendsMultipleFiles_3.yaml"],
    },
    Set {
        name: "override/TestOverrideMiddle",
        files: &[
            ("base.yaml", "override/TestOverrideMiddle_1.yaml"),
            ("override.yaml", "override/TestOverrideMiddle_2.yaml"),
        ],
        main: &["override/TestOverrideMiddle_3.yaml"],
    },
    Set {
        name: "override/TestOverridePartial",
        files: &[],
        main: &[
            "override/TestOverridePartial_1.yaml",
            "override/TestOverridePartial_2.yaml",
        ],
    },
];

/// Variables the Go tests set for snippets that interpolate.
const ENVIRONMENTS: &[(&str, &[(&str, &str)])] = &[
    ("loader/TestInterpolateInt_1.yaml", &[("FOO_SCALE", "2")]),
    (
        "loader/TestLoadWithInterpolationCastFull_1.yaml",
        &[
            ("theint", "555"),
            ("thefloat", "0.25"),
            ("thebool", "true"),
            ("thesize", "2gb"),
            ("theduration", "60s"),
        ],
    ),
];

fn must_fail(name: &str) -> bool {
    if let Some((_, loads, _)) = KNOWN_DIFFERENCES.iter().find(|(n, ..)| *n == name) {
        return !loads;
    }
    if EXPECTED_REJECTIONS.iter().any(|(n, _)| *n == name) {
        return true;
    }
    // The README's rule for compose-go's test data files.
    let file = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    !name.contains("/Test")
        && ["cycle", "self", "invalid"]
            .iter()
            .any(|w| file.contains(w))
}

/// Loads one file and describes the outcome in one line (or a few).
fn outcome(input: &Input) -> (bool, String) {
    // compose-go's own tests load these files with its consistency check
    // off; the reference test (compose2ecs-cli/tests/reference.rs) holds
    // the whole files to what docker compose refuses.
    match load(input, &Options::default().without_consistency_check()) {
        Ok((project, _)) => (
            true,
            format!(
                "ok: {}",
                project
                    .services
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Err(e) => {
            let mut s = String::from("rejected:");
            for d in e.errors().take(3) {
                let _ = write!(s, "\n    {}[{}] {}", d.severity, d.code, d.message);
                if let Some(p) = &d.path {
                    let _ = write!(s, " ({p})");
                }
            }
            (false, s)
        }
    }
}

fn input_for_file(file: &Path) -> Input {
    Input::from_files(&[file.to_path_buf()], &[], Environment::new(), &[]).unwrap_or_else(|e| {
        panic!("{}: {e}", file.display());
    })
}

fn inline(name: &str) -> PathBuf {
    root().join("compose-go-inline").join(name)
}

/// A snippet (or several, merged) as compose-go's loader tests see it: in
/// `loader/`, where their relative paths (env files, testdata/…) start,
/// with the files of its Go test served where the test writes them.
fn input_for_snippets(names: &[&str]) -> Input {
    let loader = root().join("compose-go/loader");
    let mut input = Input::from_yaml("").with_project_dir(&loader);
    input.compose = names
        .iter()
        .map(|n| {
            let file = inline(n);
            Source::new(
                loader.join(file.file_name().unwrap()),
                std::fs::read_to_string(&file).unwrap(),
            )
        })
        .collect();
    for set in SETS {
        if names.iter().all(|n| n.starts_with(set.name)) {
            for (at, snippet) in set.files {
                input = input.with_file(
                    loader.join(at),
                    std::fs::read_to_string(inline(snippet)).unwrap(),
                );
            }
        }
    }
    if let Some((_, vars)) = ENVIRONMENTS.iter().find(|(n, _)| names == [*n]) {
        let env: Environment = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        input = input.with_environment(env);
    }
    input
}

#[test]
fn every_conformance_file_loads_or_fails_as_its_name_says() {
    let root = root();
    let mut files = Vec::new();
    files_under(&root, &mut files);
    assert!(files.len() > 350, "only {} conformance files", files.len());

    let mut report = String::new();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = rel
            .trim_start_matches("compose-go-inline/")
            .trim_start_matches("compose-go/")
            .to_owned();
        let input = if rel.starts_with("compose-go-inline/") {
            input_for_snippets(&[name.as_str()])
        } else {
            input_for_file(file)
        };
        let (ok, text) = outcome(&input);
        let _ = writeln!(report, "{name}: {text}");
        if ok == must_fail(&name) {
            wrong.push(format!("{name}: {text}"));
        }
    }
    for set in SETS {
        let (ok, text) = outcome(&input_for_snippets(set.main));
        let _ = writeln!(report, "{} (as a set): {text}", set.name);
        if !ok {
            wrong.push(format!("{} (as a set): {text}", set.name));
        }
    }
    let report = report.replace(&format!("{}/", root.display()), "");
    insta::assert_snapshot!("outcomes", report);
    assert!(
        wrong.is_empty(),
        "{} files did not load (or fail) as expected:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn full_example_loads_completely_and_converts() {
    let file = root().join("compose-go/loader/full-example.yml");
    let input = input_for_file(&file);
    let (project, _) = load(&input, &Options::default().without_consistency_check())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(project.name, "full_example_project_name");
    assert_eq!(project.services.keys().collect::<Vec<_>>(), ["bar", "foo"]);
    // Keys whose conversion depends on the launch type wait for the converter
    // (tests/support.rs checks that every key ends up somewhere).
    assert!(project.services["foo"].other("cap_add").is_some());

    // compose-go loads it with its consistency check off: `foo` depends on
    // `db` and `redis`, which it never defines, and `bar` is build-only. A
    // second file and an overlay supply what ECS needs, as users would.
    let input = input
        .with_compose(Source::new(
            "deps.yaml",
            "services:\n  db: {image: postgres:16}\n  redis: {image: redis:7}\n",
        ))
        .with_overlay(
            "region: us-east-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\nlaunch_type: EC2\nimages: {registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com}\nsecrets: {secret1: /s1, secret2: /s2}\n",
        );
    let conversion = convert(&input, &Options::default().without_consistency_check())
        .unwrap_or_else(|e| panic!("{e}"));
    let families: Vec<&String> = conversion.task_definitions.keys().collect();
    assert_eq!(families.len(), 4, "{families:?}");
    let foo = conversion
        .task_definitions
        .values()
        .flat_map(|td| &td.container_definitions)
        .find(|c| c.name == "my-web-container")
        .unwrap();
    // `build:` with the bare name `redis`: what the local build tags, not
    // Docker Hub's redis, so it runs from the overlay's registry.
    assert_eq!(
        foo.image,
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/full_example_project_name-foo:latest"
    );
    // 3000, 3001-3005, 8000, 8080-8081, 22, 8001, 5000-5010 (ranges stay ranges).
    assert_eq!(foo.port_mappings.len(), 7, "{:?}", foo.port_mappings);
}

/// The merged service as `config` would print it.
fn service(input: &Input, name: &str) -> serde_json::Value {
    let (tree, _) = compose2ecs_core::resolve(input).unwrap_or_else(|e| panic!("{e}"));
    tree.to_json()["services"][name].clone()
}

#[test]
fn extends_include_and_reset_give_what_compose_go_gives() {
    let data = root().join("compose-go/loader/testdata");

    // `!reset` in the extending service removes the inherited key.
    let reset = service(&input_for_file(&data.join("extends/reset.yaml")), "base");
    assert_eq!(reset["image"], "alpine:latest");
    assert!(reset.get("command").is_none(), "{reset}");

    // A service extended from another folder keeps its paths relative to its
    // own file: `./extra.env` of subdir/… is subdir/extra.env.
    let imported = service(
        &input_for_file(&data.join("compose-test-extends.yaml")),
        "importer",
    );
    assert_eq!(
        imported["env_file"],
        serde_json::json!(["subdir/extra.env"])
    );

    // An included project with its own project_directory: paths start there.
    let included = service(
        &input_for_file(&data.join("include/project-directory.yaml")),
        "service",
    );
    // (relative to this project, in testdata/include/: ../subdir)
    assert_eq!(
        included["volumes"][0]["source"],
        "../subdir/compose-test-extends-imported.yaml"
    );
    assert_eq!(
        included["env_file"],
        serde_json::json!(["../subdir/extra.env"])
    );

    // `!override` across an extends chain, then appended by the last file.
    let test = service(
        &input_for_snippets(&["override/TestOverrideMiddle_3.yaml"]),
        "test",
    );
    assert_eq!(
        test["volumes"],
        serde_json::json!(["/bar:/bar", "/zot:/zot"])
    );
    assert_eq!(test["networks"], serde_json::json!(["zot"]));

    // Interpolated values are cast where the spec wants numbers or booleans.
    let web = service(
        &input_for_snippets(&["loader/TestLoadWithInterpolationCastFull_1.yaml"]),
        "web",
    );
    assert_eq!(web["deploy"]["replicas"], 555);
    assert_eq!(web["healthcheck"]["disable"], true);
    assert_eq!(web["deploy"]["update_config"]["max_failure_ratio"], 0.25);
    assert_eq!(web["shm_size"], 2_147_483_648_u64);
    assert_eq!(web["ports"][2]["target"], 555);
    assert_eq!(
        web["ports"][2]["published"], "555",
        "published stays a string, as in compose-go"
    );
}

#[test]
fn long_chains_neither_overflow_the_stack_nor_pass_silently() {
    // 20,000 services, each waiting for the next: no recursion to overflow.
    let mut text = String::from("services:\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "  s{i}:\n    image: x\n    depends_on: [s{}]\n",
            i + 1
        ));
    }
    text.push_str("  s20000:\n    image: x\n    depends_on: [s0]\n");
    match load(&Input::from_yaml(text).without_disk(), &Options::default()) {
        Ok(_) => panic!("a depends_on cycle through 20,001 services was accepted"),
        Err(err) => assert_eq!(err.code(), compose2ecs_core::Code::Cycle, "{err}"),
    }

    // An extends chain longer than 64 is refused, not recursed into (the
    // first service extends the second, …, so resolving it is one chain).
    let mut text = String::from("services:\n");
    for i in 0..200 {
        text.push_str(&format!("  e{i}:\n    extends: e{}\n", i + 1));
    }
    text.push_str("  e200:\n    image: x\n");
    match load(&Input::from_yaml(text).without_disk(), &Options::default()) {
        Ok(_) => panic!("a 200-deep extends chain was accepted"),
        Err(err) => assert!(err.to_string().contains("deeper than 64"), "{err}"),
    }
}
