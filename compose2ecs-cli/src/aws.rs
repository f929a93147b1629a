//! Running the real AWS CLI, in the user's environment as it is.

use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;

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
pub(crate) fn json(aws: &Path, args: &[&str]) -> Result<serde_json::Value, AwsError> {
    let output = Command::new(aws)
        .args(args)
        .args(["--output", "json"])
        .output();
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
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| AwsError::Failed(format!("`aws` printed something that is not JSON: {e}")))
}

/// Registers one task definition file; its ARN.
pub(crate) fn register(aws: &Path, file: &Path) -> Result<String, AwsError> {
    let arg = format!("file://{}", file.display());
    let reply = json(
        aws,
        &["ecs", "register-task-definition", "--cli-input-json", &arg],
    )?;
    reply["taskDefinition"]["taskDefinitionArn"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| AwsError::Failed("`aws` answered without a taskDefinitionArn".to_owned()))
}
