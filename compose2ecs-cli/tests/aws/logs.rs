//! `logs` reading what the tasks wrote, interleaved, and following.

use std::process::Stdio;
use std::time::Duration;

use crate::common::moto::{start_moto, tools};
use crate::scenario::*;

#[test]
fn logs_reads_what_the_tasks_wrote_interleaved_and_follows_on_moto() {
    let Some((aws_bin, moto_bin)) = tools() else {
        return;
    };
    let moto = start_moto(&moto_bin);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("compose.yaml"),
        "name: lg\nservices:\n  web:\n    image: app:1\n  worker:\n    image: app:1\n  db:\n    image: postgres:16\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("compose2ecs.yaml"),
        "region: us-east-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
    )
    .unwrap();
    let call = |args: &[&str]| aws(&aws_bin, &moto, args).unwrap();
    // What awslogs writes: group /ecs/<family>, stream ecs/<container>/<task id>.
    let put = |group: &str, stream: &str, events: &[(i64, &str)]| {
        let _ = aws(
            &aws_bin,
            &moto,
            &["logs", "create-log-group", "--log-group-name", group],
        );
        let _ = aws(
            &aws_bin,
            &moto,
            &[
                "logs",
                "create-log-stream",
                "--log-group-name",
                group,
                "--log-stream-name",
                stream,
            ],
        );
        let events: Vec<serde_json::Value> = events
            .iter()
            .map(|(t, m)| serde_json::json!({"timestamp": t, "message": m}))
            .collect();
        call(&[
            "logs",
            "put-log-events",
            "--log-group-name",
            group,
            "--log-stream-name",
            stream,
            "--log-events",
            &serde_json::Value::from(events).to_string(),
        ]);
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    put(
        "/ecs/lg-web",
        "ecs/web/aaaa",
        &[(now - 3000, "GET / 200"), (now - 1000, "GET /cart 200")],
    );
    put(
        "/ecs/lg-worker",
        "ecs/worker/bbbb",
        &[(now - 2000, "job 42 done")],
    );
    let logs = |args: &[&str]| {
        let mut cmd = compose2ecs(work.path(), &moto, &aws_bin, &["logs"]);
        cmd.args(args);
        cmd
    };
    let out = logs(&["-q"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stdout, "web    | GET / 200\nworker | job 42 done\nweb    | GET /cart 200\n",
        "interleaved by time, aligned like docker compose logs"
    );
    assert!(stderr.contains("no log group /ecs/lg-db yet"), "{stderr}");

    let out = logs(&["worker", "--timestamps", "-q"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("worker | 20") && stdout.trim_end().ends_with("Z job 42 done"),
        "{stdout}"
    );

    // --follow: what arrives later is printed once, then more.
    let mut child = logs(&["web", "--follow", "--interval", "0.2", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let next = || {
        rx.recv_timeout(Duration::from_secs(30))
            .expect("a line within 30 s")
    };
    assert_eq!(next(), "web | GET / 200");
    assert_eq!(next(), "web | GET /cart 200");
    put(
        "/ecs/lg-web",
        "ecs/web/aaaa",
        &[(now + 500, "POST /checkout 201")],
    );
    assert_eq!(next(), "web | POST /checkout 201");
    std::thread::sleep(Duration::from_millis(600));
    assert!(rx.try_recv().is_err(), "no line is printed twice");
    let _ = child.kill();
    let _ = child.wait();
}
