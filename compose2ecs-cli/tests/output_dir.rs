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

/// What stands at an output path and is not a regular file is never
/// followed, read or replaced: a symbolic link (to the user's AWS
/// credentials, say, which `--check` used to print in its diff), a FIFO
/// (which used to block), a directory. Both `convert` and `--check` refuse
/// it, naming it, before reading or writing anything.
#[cfg(unix)]
#[test]
fn a_link_fifo_or_directory_at_an_output_path_is_refused_not_followed() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(dir.join("compose.yaml"), compose("cache")).unwrap();
    std::fs::create_dir(dir.join("ecs")).unwrap();
    let secret = dir.join("credentials");
    std::fs::write(
        &secret,
        "[default]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n",
    )
    .unwrap();
    let web = dir.join("ecs/shop-web.task-definition.json");
    std::os::unix::fs::symlink(&secret, &web).unwrap();
    for extra in [&["--check"][..], &[]] {
        let (code, stdout, stderr) = convert(dir, extra);
        assert_eq!(code, 1, "{extra:?}: {stderr}");
        assert!(
            stderr.contains("ecs/shop-web.task-definition.json` is a symbolic link")
                && stderr.contains("nothing was read or written"),
            "{extra:?}: {stderr}"
        );
        assert!(
            !stdout.contains("wJalr") && !stderr.contains("wJalr"),
            "{stdout}{stderr}"
        );
    }
    assert!(
        std::fs::symlink_metadata(&web)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(listing(&dir.join("ecs")), ["shop-web.task-definition.json"]);
    assert!(std::fs::read_to_string(&secret).unwrap().contains("wJalr"));

    std::fs::remove_file(&web).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&web)
        .status()
        .unwrap();
    assert!(made.success());
    let r = run(bin()
        .current_dir(dir)
        .args(["convert", "--check", "-o", "ecs"])
        .timeout(std::time::Duration::from_secs(20)));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("is not a regular file (a FIFO"),
        "{}",
        r.stderr
    );

    std::fs::remove_file(&web).unwrap();
    std::fs::create_dir(&web).unwrap();
    let (code, _, stderr) = convert(dir, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("is a directory"), "{stderr}");
    assert_eq!(
        listing(&dir.join("ecs")),
        ["shop-web.task-definition.json"],
        "nothing written"
    );
}

/// Rewriting an output keeps the mode its owner gave it.
#[cfg(unix)]
#[test]
fn a_rewritten_output_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(dir.join("compose.yaml"), compose("cache")).unwrap();
    assert_eq!(convert(dir, &["-q"]).0, 0);
    let web = dir.join("ecs/shop-web.task-definition.json");
    std::fs::set_permissions(&web, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        compose("cache").replace("nginx", "nginx:1.28"),
    )
    .unwrap();
    let (code, _, stderr) = convert(dir, &["-q"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        std::fs::read_to_string(&web)
            .unwrap()
            .contains("nginx:1.28")
    );
    assert_eq!(
        std::fs::metadata(&web).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

/// Each staged file is closed once written: a project of 300 services (600
/// files) converts with 64 descriptors (`ulimit -n 64`), as a 2,000-service
/// one does under macOS's default of 256.
#[cfg(unix)]
#[test]
fn a_large_project_converts_with_few_file_descriptors() {
    let work = tempfile::tempdir().unwrap();
    let mut compose = String::from("name: big\nservices:\n");
    for i in 0..300 {
        compose.push_str(&format!("  s{i}:\n    image: nginx\n"));
    }
    std::fs::write(work.path().join("compose.yaml"), compose).unwrap();
    let out = std::process::Command::new("sh")
        .current_dir(work.path())
        .arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" convert -q -o ecs")
        .arg(assert_cmd::cargo::cargo_bin("compose2ecs"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(listing(&work.path().join("ecs")).len(), 600);
}
