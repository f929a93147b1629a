//! Running Docker (and Buildx) as the user has it, for `build` and `push`.

use std::io::{ErrorKind, Write as _};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The Docker CLI a command runs.
#[derive(Debug, Clone)]
pub(crate) struct Docker {
    pub(crate) bin: PathBuf,
}

impl Docker {
    /// Runs `docker <args>` with the terminal as its output (a build shows
    /// its own progress); whether it succeeded, else why not.
    pub(crate) fn shown(&self, args: &[String]) -> Result<(), String> {
        let status = Command::new(&self.bin)
            .args(args)
            .stdin(Stdio::null())
            .status()
            .map_err(|e| self.missing(&e))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`docker {}` exited with {status}", first_two(args)))
        }
    }

    /// Runs `docker <args>`, handing `stdin` to it (a password, never an
    /// argument), and its stdout when it succeeded.
    pub(crate) fn captured(&self, args: &[&str], stdin: Option<&str>) -> Result<String, String> {
        let mut child = Command::new(&self.bin)
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.missing(&e))?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes())
                .map_err(|e| format!("cannot write to `docker {}`: {e}", args.join(" ")))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("`docker {}` failed: {e}", args.join(" ")))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "`docker {}` exited with {}:\n{}",
                args.iter().take(2).copied().collect::<Vec<_>>().join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    fn missing(&self, e: &std::io::Error) -> String {
        if e.kind() == ErrorKind::NotFound {
            format!(
                "Docker (`{}`) was not found; install Docker with Buildx (https://docs.docker.com/get-docker/) or pass --docker PATH",
                self.bin.display()
            )
        } else {
            format!("Docker (`{}`) could not be run: {e}", self.bin.display())
        }
    }
}

fn first_two(args: &[String]) -> String {
    args.iter().take(2).cloned().collect::<Vec<_>>().join(" ")
}
