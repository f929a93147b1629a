//! `convert -o DIR` owns its files in DIR: it writes what the project
//! produces, says which files did not change, removes the ones the project
//! no longer produces, touches nothing else, and creates files as any file
//! the user writes; `--check` agrees with it.

#![allow(clippy::unwrap_used)]

use std::path::Path;

mod common;

use common::{bin, listing, run};

fn convert(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let r = run(bin()
        .current_dir(dir)
        .args(["convert", "-o", "ecs"])
        .args(extra));
    (r.code, r.stdout, r.stderr)
}

fn compose(second: &str) -> String {
    format!("name: shop\nservices:\n  web:\n    image: nginx\n  {second}:\n    image: redis\n")
}

#[test]
fn a_renamed_service_leaves_no_stale_file_and_check_agrees() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(dir.join("compose.yaml"), compose("cache")).unwrap();
    assert_eq!(convert(dir, &[]).0, 0);
    // The user's own files in the folder.
    std::fs::write(dir.join("ecs/README.md"), "mine\n").unwrap();
    std::fs::write(dir.join("ecs/extra.json"), "{}\n").unwrap();
    let (code, _, stderr) = convert(dir, &[]);
    assert_eq!(code, 0);
    assert_eq!(stderr.matches("unchanged ecs/").count(), 4, "{stderr}");
    assert!(!stderr.contains("wrote"), "{stderr}");

    std::fs::write(dir.join("compose.yaml"), compose("redis")).unwrap();
    // A job's input an older conversion wrote: ours, and no longer produced.
    std::fs::write(dir.join("ecs/shop-migrate.run-task.json"), "{}\n").unwrap();
    let (code, _, stderr) = convert(dir, &["--check"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("extra: ecs/shop-cache.task-definition.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("extra: ecs/shop-migrate.run-task.json"),
        "{stderr}"
    );
    assert!(stderr.contains("also removes the extra files"), "{stderr}");

    let (code, stdout, stderr) = convert(dir, &["--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        doc["removed"],
        serde_json::json!([
            "ecs/shop-cache.service.json",
            "ecs/shop-cache.task-definition.json",
            "ecs/shop-migrate.run-task.json"
        ])
    );
    assert_eq!(doc["unchanged"].as_array().unwrap().len(), 2);
    assert_eq!(doc["written"].as_array().unwrap().len(), 2);
    assert_eq!(
        listing(&dir.join("ecs")),
        [
            "README.md",
            "extra.json",
            "shop-redis.service.json",
            "shop-redis.task-definition.json",
            "shop-web.service.json",
            "shop-web.task-definition.json",
        ]
    );
    let (code, _, stderr) = convert(dir, &["--check"]);
    assert_eq!(code, 0, "{stderr}");
}

#[cfg(unix)]
#[test]
fn output_files_are_created_as_the_users_files() {
    use std::os::unix::fs::PermissionsExt as _;
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("compose.yaml"), compose("cache")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("compose2ecs");
    for (umask, mode) in [("022", 0o644), ("077", 0o600)] {
        let _ = std::fs::remove_dir_all(work.path().join("ecs"));
        let status = std::process::Command::new("sh")
            .current_dir(work.path())
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" convert -q -o ecs"))
            .arg(&bin)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        for name in listing(&work.path().join("ecs")) {
            let meta = std::fs::metadata(work.path().join("ecs").join(&name)).unwrap();
            assert_eq!(
                meta.permissions().mode() & 0o777,
                mode,
                "{name} under umask {umask}"
            );
        }
    }
}
