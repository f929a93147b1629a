//! moto's server on a free port of 127.0.0.1, for the tests that run the
//! real AWS CLI against it; stopped when dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// `aws` and `moto_server` from PATH; `None` (test skipped) only outside CI.
pub(crate) fn tools() -> Option<(PathBuf, PathBuf)> {
    match (tool("aws"), tool("moto_server")) {
        (Some(a), Some(m)) => Some((a, m)),
        _ => {
            super::missing_tool("aws and moto_server must be on PATH");
            None
        }
    }
}

/// One scenario's AWS: the test binary's one moto server, and an account
/// of the scenario's own in it (credentials of a role assumed there), so
/// scenarios running side by side never see each other's clusters,
/// services or task definition revisions.
pub(crate) struct Moto {
    pub(crate) port: u16,
    /// The scenario's account ID (twelve digits).
    pub(crate) account: String,
    credentials: [String; 3],
}

/// The server, started by the first scenario of the binary. It stops when
/// the binary ends: it runs under a shell that waits on a pipe from this
/// process, which the end of this process closes, whatever the way it
/// ends.
static SERVER: std::sync::OnceLock<(u16, std::sync::Mutex<Child>)> = std::sync::OnceLock::new();

/// The scenarios of this binary so far: each one's account.
static ACCOUNTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn server(moto: &Path) -> u16 {
    let (port, _) = SERVER.get_or_init(|| {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("sh")
            .arg("-c")
            .arg(r#""$0" -H 127.0.0.1 -p "$1" > /dev/null 2>&1 & trap 'kill $!' EXIT; read _"#)
            .arg(moto)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        (port, std::sync::Mutex::new(child))
    });
    *port
}

/// A scenario's AWS: an account of its own in the binary's moto server.
pub(crate) fn start_moto(moto: &Path) -> Moto {
    let port = server(moto);
    let n = ACCOUNTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let account = format!("{}", 100_000_000_001 + n);
    let aws = tool("aws").expect("aws on PATH");
    let out = Command::new(aws)
        .args([
            "sts",
            "assume-role",
            "--role-session-name",
            "scenario",
            "--role-arn",
        ])
        .arg(format!("arn:aws:iam::{account}:role/scenario"))
        .args(["--output", "json"])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &reply["Credentials"];
    let credentials = ["AccessKeyId", "SecretAccessKey", "SessionToken"]
        .map(|k| c[k].as_str().unwrap().to_owned());
    Moto {
        port,
        account,
        credentials,
    }
}

/// moto's default account (123456789012, what a page of the docs shows),
/// in the binary's server: for one scenario of the binary at most.
pub(crate) fn default_account(moto: &Path) -> Moto {
    Moto {
        port: server(moto),
        account: "123456789012".to_owned(),
        credentials: ["testing".to_owned(), "testing".to_owned(), String::new()],
    }
}

/// The AWS environment of the tests: moto's endpoint, the scenario's
/// account's credentials, and no retries (a refusal of moto's is final;
/// retrying it only waits).
pub(crate) fn moto_env(moto: &Moto) -> Vec<(String, String)> {
    let [key, secret, token] = moto.credentials.clone();
    let mut env: Vec<(String, String)> = vec![
        ("AWS_MAX_ATTEMPTS".into(), "1".into()),
        (
            "AWS_ENDPOINT_URL".into(),
            format!("http://127.0.0.1:{}", moto.port),
        ),
        ("AWS_ACCESS_KEY_ID".into(), key),
        ("AWS_SECRET_ACCESS_KEY".into(), secret),
        ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("HOME".into(), std::env::var("HOME").unwrap_or_default()),
    ];
    if !token.is_empty() {
        env.push(("AWS_SESSION_TOKEN".into(), token));
    }
    env
}
