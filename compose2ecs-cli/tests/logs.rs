//! `logs` against a stand-in `aws` whose `filter-log-events` answers in
//! pages: every page is read by its `nextToken` (moto answers in one page),
//! and lines of other streams in the group are not the service's.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

/// `filter-log-events` in three pages, by `--next-token`; the first page
/// also holds a line of another stream of the group.
fn pages() -> serde_json::Value {
    let event = |t: u64, stream: &str, message: &str| serde_json::json!({"timestamp": t, "eventId": format!("{t}-{stream}"), "logStreamName": stream, "message": message});
    let page = ["logs", "filter-log-events"];
    serde_json::json!([
        {"call": page, "has": ["--next-token", "page-2"], "json": {"events": [event(2000, "ecs/api/t2", "second page")], "nextToken": "page-3"}},
        {"call": page, "has": ["--next-token", "page-3"], "json": {"events": [event(3000, "ecs/api/t1", "last page")]}},
        {"call": page, "has": ["--no-paginate"], "json": {"events": [event(1000, "ecs/api/t1", "first page\n"), event(1500, "ecs/sidecar/t1", "not api's")], "nextToken": "page-2"}},
    ])
}

#[test]
fn every_page_is_read_and_only_the_services_streams() {
    let dir = common::project(&[
        (
            "compose.yaml",
            "name: pg\nservices:\n  api:\n    image: app:1\n",
        ),
        (
            "compose2ecs.yaml",
            "region: eu-west-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
        ),
    ]);
    let aws = common::StandIn::new(dir.path(), pages());
    let r = common::run(
        common::bin()
            .current_dir(dir.path())
            .args([
                "logs",
                "--since",
                "1970-01-01T00:00:00.500Z",
                "-q",
                "--aws-cli",
            ])
            .arg(dir.path().join("aws")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "api | first page\napi | second page\napi | last page\n"
    );
    let calls = aws.args();
    assert!(
        calls
            .iter()
            .all(|c| c.contains(&"--no-paginate".to_owned())),
        "{calls:?}"
    );
    assert_eq!(calls.len(), 3, "{calls:?}");
    let arg = |call: &[String], flag: &str| {
        call.iter()
            .position(|a| a == flag)
            .map(|i| call[i + 1].clone())
    };
    for call in &calls {
        assert_eq!(
            arg(call, "--log-group-name").as_deref(),
            Some("/ecs/pg-api")
        );
        assert_eq!(
            arg(call, "--log-stream-name-prefix").as_deref(),
            Some("ecs/api/")
        );
        assert_eq!(arg(call, "--start-time").as_deref(), Some("500"));
        assert_eq!(arg(call, "--region").as_deref(), Some("eu-west-1"));
    }
    assert_eq!(arg(&calls[0], "--next-token"), None);
    assert_eq!(arg(&calls[1], "--next-token").as_deref(), Some("page-2"));
    assert_eq!(arg(&calls[2], "--next-token").as_deref(), Some("page-3"));

    // `--format json`: JSON lines on stdout and nothing else — no result
    // document after the stream, whether it ends well or not.
    let r = common::run(
        common::bin()
            .current_dir(dir.path())
            .args(["logs", "--format", "json", "--aws-cli"])
            .arg(dir.path().join("aws")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(lines.iter().all(|l| l["service"] == "api"), "{lines:?}");
    assert_eq!(lines[2]["message"], "last page");
    let r = common::run(
        common::bin()
            .current_dir(dir.path())
            .args(["logs", "apu", "--format", "json", "--aws-cli"])
            .arg(dir.path().join("aws")),
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "", "a failed stream adds no document");
    assert!(
        r.stderr
            .lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "{}",
        r.stderr
    );

    // A service that is not there is said, with those that are.
    let r = common::run(
        common::bin()
            .current_dir(dir.path())
            .args(["logs", "apu", "--aws-cli"])
            .arg(dir.path().join("aws")),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no service `apu`") && r.stderr.contains("it has: api"),
        "{}",
        r.stderr
    );
    let r =
        common::run(
            common::bin()
                .current_dir(dir.path())
                .args(["logs", "--since", "ten minutes"]),
        );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("neither a duration"), "{}", r.stderr);
}
