//! Running the real AWS CLI, in the user's environment as it is.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The AWS CLI as a command will run it: which binary, and the region of
/// the project, given to every call (`--region`), so that a task is never
/// registered in whatever region the CLI happens to default to.
#[derive(Debug, Clone)]
pub(crate) struct Aws {
    pub(crate) bin: PathBuf,
    pub(crate) region: Option<String>,
}

impl Aws {
    /// `ecs <args>` with `--region` when the project has one.
    pub(crate) fn args<'a>(&'a self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all: Vec<&str> = args.to_vec();
        if let Some(r) = &self.region {
            all.extend(["--region", r.as_str()]);
        }
        all
    }

    /// Runs one call; its JSON answer.
    pub(crate) fn json(&self, args: &[&str]) -> Result<serde_json::Value, AwsError> {
        json(&self.bin, &self.args(args))
    }

    /// The ACTIVE service `name` of `cluster`, with its tags; `None` when
    /// there is none (never created, or deleted and draining or inactive).
    pub(crate) fn active_service(
        &self,
        cluster: &str,
        name: &str,
    ) -> Result<Option<serde_json::Value>, AwsError> {
        let described = self.json(&[
            "ecs",
            "describe-services",
            "--cluster",
            cluster,
            "--services",
            name,
            "--include",
            "TAGS",
        ])?;
        Ok(described["services"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["status"] == "ACTIVE"))
            .cloned())
    }

    /// Runs one call whose answer is text, not JSON (`ecr
    /// get-login-password`); its stdout, trimmed.
    pub(crate) fn text(&self, args: &[&str]) -> Result<String, AwsError> {
        let output = run(&self.bin, &self.args(args), false)?;
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Registers one task definition file; its ARN.
    pub(crate) fn register(&self, file: &Path) -> Result<String, AwsError> {
        let arg = format!("file://{}", file.display());
        let reply = self.json(&["ecs", "register-task-definition", "--cli-input-json", &arg])?;
        reply["taskDefinition"]["taskDefinitionArn"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                AwsError::Failed("`aws` answered without a taskDefinitionArn".to_owned())
            })
    }

    /// Writes `td` into `dir` and registers it; its ARN and its
    /// `family:revision`.
    pub(crate) fn register_definition(
        &self,
        dir: &Path,
        td: &compose2ecs_core::TaskDefinition,
    ) -> Result<(String, String), AwsError> {
        let file = dir.join(format!("{}.task-definition.json", td.family));
        std::fs::write(&file, compose2ecs_core::to_json(td))
            .map_err(|e| AwsError::Failed(format!("cannot write {}: {e}", file.display())))?;
        let arn = self.register(&file)?;
        let revision = arn.rsplit('/').next().unwrap_or(&td.family).to_owned();
        Ok((arn, revision))
    }

    /// One call's argument vector, the binary first, for `--dry-run`.
    pub(crate) fn argv(&self, args: &[&str]) -> Vec<String> {
        std::iter::once(self.bin.display().to_string())
            .chain(self.args(args).into_iter().map(str::to_owned))
            .collect()
    }

    /// One call as a shell command line, for `--dry-run`.
    pub(crate) fn command_line(&self, args: &[&str]) -> String {
        std::iter::once(self.bin.display().to_string().as_str())
            .chain(self.args(args))
            .map(|a| shell_words::quote(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Runs `argv` (the AWS CLI first) with the terminal handed over as it is:
/// `exec`'s session is the user's, its input and output never ours.
pub(crate) fn interactive(argv: &[String]) -> std::io::Result<std::process::ExitStatus> {
    let (bin, args) = argv
        .split_first()
        .ok_or_else(|| std::io::Error::new(ErrorKind::InvalidInput, "no command"))?;
    Command::new(bin).args(args).status()
}

/// Why a call did not give an answer.
#[derive(Debug)]
pub(crate) enum AwsError {
    /// The CLI is not there: every other call would fail the same way.
    Missing(String),
    /// It ran and refused, or answered something unreadable.
    Failed(String),
}

impl std::fmt::Display for AwsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AwsError::Missing(m) | AwsError::Failed(m) => f.write_str(m),
        }
    }
}

/// Runs `aws <args> --output json` and parses the answer.
fn json(aws: &Path, args: &[&str]) -> Result<serde_json::Value, AwsError> {
    let output = run(aws, args, true)?;
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| AwsError::Failed(format!("`aws` printed something that is not JSON: {e}")))
}

/// Runs `aws <args>` (with `--output json` when `json`); its output when it
/// succeeded.
fn run(aws: &Path, args: &[&str], json: bool) -> Result<std::process::Output, AwsError> {
    let mut cmd = Command::new(aws);
    cmd.args(args);
    if json {
        cmd.args(["--output", "json"]);
    }
    let output = cmd.output();
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(AwsError::Missing(format!(
                "the AWS CLI (`{}`) was not found; install it (https://aws.amazon.com/cli/) or pass --aws-cli PATH",
                aws.display()
            )));
        }
        Err(e) => {
            return Err(AwsError::Missing(format!(
                "the AWS CLI (`{}`) could not be run: {e}",
                aws.display()
            )));
        }
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(AwsError::Failed(format!(
            "`aws {}` exited with {}:\n{stderr}",
            args.iter().take(2).copied().collect::<Vec<_>>().join(" "),
            output.status
        )));
    }
    Ok(output)
}
