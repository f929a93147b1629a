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
        let mut round = Round::default();
        let asked = round.services(&[(cluster.to_owned(), name.to_owned())]);
        let answers = round.run(self);
        answers.active(&asked, cluster, name)
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

/// At most this many `aws` processes run at once: each is a Python start-up
/// of about 0.4 s, mostly waiting, and AWS throttles far above this.
pub(crate) const PARALLEL: usize = 8;

/// `describe-services` takes at most this many services a call (the API
/// reference: "You may specify up to 10 services to describe").
pub(crate) const SERVICES_PER_CALL: usize = 10;

/// Calls that do not depend on each other's answers, as data: each `add`
/// gives a ticket, [`Round::run`] runs them all (at most [`PARALLEL`] at
/// once) and [`Answers::take`] hands each ticket its answer. A verb reads
/// the live state in as few rounds as its questions depend on each other.
#[derive(Debug, Default)]
pub(crate) struct Round {
    calls: Vec<Vec<String>>,
}

/// Which calls of a round asked for which services: one
/// `describe-services` per cluster and ten services.
#[derive(Debug)]
pub(crate) struct ServicesAsked {
    tickets: Vec<usize>,
}

impl Round {
    /// Adds one call (`ecs describe-… …`); its ticket.
    pub(crate) fn add<S: AsRef<str>>(&mut self, args: &[S]) -> usize {
        self.calls
            .push(args.iter().map(|a| a.as_ref().to_owned()).collect());
        self.calls.len() - 1
    }

    /// Adds the `describe-services` calls (with their tags) that describe
    /// `wanted` (cluster, service name): batched ten a call, per cluster.
    pub(crate) fn services(&mut self, wanted: &[(String, String)]) -> ServicesAsked {
        let mut by_cluster: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
        for (cluster, name) in wanted {
            let names = by_cluster.entry(cluster).or_default();
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        let mut tickets = Vec::new();
        for (cluster, names) in by_cluster {
            for chunk in names.chunks(SERVICES_PER_CALL) {
                let mut call = vec![
                    "ecs",
                    "describe-services",
                    "--cluster",
                    cluster,
                    "--services",
                ];
                call.extend(chunk);
                call.extend(["--include", "TAGS"]);
                tickets.push(self.add(&call));
            }
        }
        ServicesAsked { tickets }
    }

    /// Runs every call, at most [`PARALLEL`] at once.
    pub(crate) fn run(self, aws: &Aws) -> Answers {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let calls = &self.calls;
        let mut answers: Vec<Option<Result<serde_json::Value, AwsError>>> =
            calls.iter().map(|_| None).collect();
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..PARALLEL.min(calls.len()))
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(call) = calls.get(i) else { break };
                            let args: Vec<&str> = call.iter().map(String::as_str).collect();
                            done.push((i, aws.json(&args)));
                        }
                        done
                    })
                })
                .collect();
            for worker in workers {
                // A worker only runs processes and parses JSON; one that
                // panicked leaves its calls unanswered, said below.
                for (i, answer) in worker.join().unwrap_or_default() {
                    answers[i] = Some(answer);
                }
            }
        });
        Answers {
            answers: answers
                .into_iter()
                .map(|a| {
                    a.unwrap_or_else(|| Err(AwsError::Failed("the call was not run".to_owned())))
                })
                .collect(),
        }
    }
}

/// A round's answers, each taken once by its ticket.
#[derive(Debug)]
pub(crate) struct Answers {
    answers: Vec<Result<serde_json::Value, AwsError>>,
}

impl Answers {
    /// The answer to the call of `ticket` (taken: a second take is an
    /// error, not a copy).
    pub(crate) fn take(&mut self, ticket: usize) -> Result<serde_json::Value, AwsError> {
        self.answers.get_mut(ticket).map_or_else(
            || Err(AwsError::Failed("no such call".to_owned())),
            |a| std::mem::replace(a, Err(AwsError::Failed("answer already taken".to_owned()))),
        )
    }

    /// The ACTIVE service `name` of `cluster` among the answers of
    /// `asked`, with its tags; `None` when there is none. A failed
    /// `describe-services` is its error.
    pub(crate) fn active(
        &self,
        asked: &ServicesAsked,
        cluster: &str,
        name: &str,
    ) -> Result<Option<serde_json::Value>, AwsError> {
        Ok(self
            .described(asked, cluster, name)?
            .into_iter()
            .find(|s| s["status"] == "ACTIVE")
            .cloned())
    }

    /// The status of the service `name` of `cluster` among the answers of
    /// `asked` (ACTIVE, then DRAINING, before any other of the same name);
    /// `None` when ECS has none.
    pub(crate) fn status(
        &self,
        asked: &ServicesAsked,
        cluster: &str,
        name: &str,
    ) -> Result<Option<String>, AwsError> {
        let found = self.described(asked, cluster, name)?;
        let status = |s: &serde_json::Value| s["status"].as_str().map(str::to_owned);
        Ok(["ACTIVE", "DRAINING"]
            .iter()
            .find_map(|w| {
                found
                    .iter()
                    .find(|s| s["status"] == *w)
                    .and_then(|s| status(s))
            })
            .or_else(|| found.first().and_then(|s| status(s))))
    }

    /// Every service named `name` of `cluster` that the answers of `asked`
    /// describe; the first failed `describe-services` is the error.
    fn described(
        &self,
        asked: &ServicesAsked,
        cluster: &str,
        name: &str,
    ) -> Result<Vec<&serde_json::Value>, AwsError> {
        let mut found = Vec::new();
        for &t in &asked.tickets {
            let Some(answer) = self.answers.get(t) else {
                continue;
            };
            let described = answer.as_ref().map_err(Clone::clone)?;
            found.extend(
                described["services"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|s| {
                        s["serviceName"] == name
                            && s["clusterArn"]
                                .as_str()
                                .is_none_or(|a| a == cluster || a.ends_with(&format!("/{cluster}")))
                    }),
            );
        }
        Ok(found)
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
#[derive(Debug, Clone)]
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A stand-in `aws` that answers each call with its own arguments,
    /// and keeps the most calls that ever ran at once.
    fn echo(dir: &Path) -> Aws {
        let bin = dir.join("aws");
        let script = format!(
            "#!/bin/sh\nd={d}\nmkdir \"$d/run.$$\"\nn=$(ls -d \"$d\"/run.* | wc -l)\necho $n >> \"$d/seen\"\nsleep 0.2\nrmdir \"$d/run.$$\"\nprintf '{{\"args\": \"%s\"}}' \"$*\"\n",
            d = dir.display()
        );
        std::fs::write(&bin, script).unwrap();
        let mut p = std::fs::metadata(&bin).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut p, 0o755);
        std::fs::set_permissions(&bin, p).unwrap();
        Aws {
            bin,
            region: Some("eu-west-1".to_owned()),
        }
    }

    #[test]
    fn a_round_runs_its_calls_together_at_most_eight_at_once_and_answers_each_ticket() {
        let dir = tempfile::tempdir().unwrap();
        let aws = echo(dir.path());
        let mut round = Round::default();
        let tickets: Vec<usize> = (0..20)
            .map(|i| round.add(&["ecs", "describe-x", &format!("n{i}")]))
            .collect();
        let mut answers = round.run(&aws);
        for (i, t) in tickets.into_iter().enumerate().rev() {
            let args = answers.take(t).unwrap()["args"]
                .as_str()
                .unwrap()
                .to_owned();
            assert_eq!(
                args,
                format!("ecs describe-x n{i} --region eu-west-1 --output json")
            );
        }
        assert!(answers.take(0).is_err(), "an answer is taken once");
        let seen = std::fs::read_to_string(dir.path().join("seen")).unwrap();
        let most = seen
            .lines()
            .filter_map(|l| l.trim().parse::<usize>().ok())
            .max();
        assert!(
            most.is_some_and(|m| (2..=PARALLEL).contains(&m)),
            "calls ran together, never more than {PARALLEL}: {seen}"
        );
    }

    #[test]
    fn services_are_described_ten_a_call_per_cluster() {
        let mut round = Round::default();
        let wanted: Vec<(String, String)> = (0..12)
            .map(|i| ("shop".to_owned(), format!("web{i}")))
            .chain([("jobs".to_owned(), "cron".to_owned())])
            .chain([("shop".to_owned(), "web0".to_owned())])
            .collect();
        let asked = round.services(&wanted);
        assert_eq!(asked.tickets.len(), 3);
        let sizes: Vec<(String, usize)> = round
            .calls
            .iter()
            .map(|c| {
                let services = c.iter().skip_while(|a| *a != "--services").skip(1);
                (
                    c[3].clone(),
                    services.take_while(|a| *a != "--include").count(),
                )
            })
            .collect();
        assert_eq!(
            sizes,
            [("jobs".into(), 1), ("shop".into(), 10), ("shop".into(), 2)]
        );
        let answers = Answers {
            answers: vec![
                Ok(serde_json::json!({"services": [
                    {"serviceName": "cron", "clusterArn": "arn:aws:ecs:r:1:cluster/jobs", "status": "ACTIVE"}]})),
                Ok(serde_json::json!({"services": [
                    {"serviceName": "web1", "clusterArn": "arn:aws:ecs:r:1:cluster/shop", "status": "DRAINING"},
                    {"serviceName": "web2", "clusterArn": "arn:aws:ecs:r:1:cluster/shop", "status": "ACTIVE"}]})),
                Err(AwsError::Failed("denied".to_owned())),
            ],
        };
        let only_first = ServicesAsked {
            tickets: vec![0, 1],
        };
        assert!(
            answers
                .active(&only_first, "shop", "web2")
                .unwrap()
                .is_some()
        );
        assert!(
            answers
                .active(&only_first, "shop", "web1")
                .unwrap()
                .is_none()
        );
        assert_eq!(
            answers
                .status(&only_first, "shop", "web1")
                .unwrap()
                .as_deref(),
            Some("DRAINING")
        );
        assert!(
            answers
                .active(&only_first, "shop", "cron")
                .unwrap()
                .is_none(),
            "a service of another cluster is not this one"
        );
        assert!(
            answers.active(&asked, "shop", "web11").is_err(),
            "a failed describe is the error, not an absent service"
        );
    }
}
