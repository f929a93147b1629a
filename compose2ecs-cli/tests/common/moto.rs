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

pub(crate) struct Moto {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_moto(moto: &Path) -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(moto)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Moto { child, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// The AWS environment of the tests: moto's endpoint, dummy credentials,
/// and no retries (a refusal of moto's is final; retrying it only waits).
pub(crate) fn moto_env(moto: &Moto) -> Vec<(String, String)> {
    vec![
        ("AWS_MAX_ATTEMPTS".into(), "1".into()),
        (
            "AWS_ENDPOINT_URL".into(),
            format!("http://127.0.0.1:{}", moto.port),
        ),
        ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
        ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("HOME".into(), std::env::var("HOME").unwrap_or_default()),
    ]
}
