//! `compose2ecs init`: a first `compose2ecs.yaml` for the project, with the
//! AWS facts it needs as placeholders that refuse to convert until filled:
//! each is a required variable, `${NAME:?what to put here}`, so convert
//! stops at its line with what to put there (or the variable is set in the
//! environment, as CI may prefer).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use compose2ecs_core::{Code, Conversion, Diagnostic, Error};

use crate::args::InitArgs;
use crate::context::{environment_region, load_input};
use crate::outcome::{Ended, Outcome};
use crate::report::Reporter;

pub(crate) fn run(args: &InitArgs) -> Ended {
    let reporter = Reporter::default();
    let (mut input, options) = load_input(reporter, &args.project, &[], None)?;
    let Some(first) = input.compose.first() else {
        return Err(reporter.fail("no compose file to start from"));
    };
    let base = args.overlay.clone().unwrap_or_else(|| {
        first.path.parent().map_or_else(
            || PathBuf::from("compose2ecs.yaml"),
            |d| d.join("compose2ecs.yaml"),
        )
    });
    if let Some(env) = &args.env {
        return write_env(reporter, &input, &options, &base, env);
    }
    let target = base;
    if target.exists() {
        return Err(reporter.fail(&format!(
                "`{}` exists; init never overwrites it (remove it first, or give another path with --overlay)",
                target.display()
            ),
        ));
    }
    // The project as it converts with no overlay at all: its services, the
    // variables that would be written in plain text, its compose secrets.
    input.overlays.clear();
    let (project, _) = match compose2ecs_core::load(&input, &options) {
        Ok(p) => p,
        Err(e) => {
            reporter.diagnostics(Some(e.sources()), e.diagnostics());
            reporter.rejected(e.errors().count());
            return Ok(Outcome::Rejected);
        }
    };
    let converted: Result<Conversion, Error> = compose2ecs_core::convert(&input, &options);
    let diagnostics: Vec<Diagnostic> = match &converted {
        Ok(c) => c.diagnostics.clone(),
        Err(e) => e.diagnostics().to_vec(),
    };
    let mut secret_vars: BTreeSet<String> = BTreeSet::new();
    for d in &diagnostics {
        let flagged = matches!(
            d.code,
            Code::PlaintextSecret | Code::CredentialInOutput | Code::CredentialFromEnvironment
        );
        let var = d
            .path
            .as_deref()
            .and_then(|p| p.split_once(".environment."))
            .map(|(_, v)| v.to_owned());
        if let (true, Some(v)) = (flagged, var) {
            secret_vars.insert(v);
        }
    }
    let compose_secrets: Vec<&String> = project.secrets.keys().collect();
    let build_only: Vec<&str> = project
        .services
        .values()
        .filter(|s| s.image.is_none() && s.build.is_some())
        .map(|s| s.name.as_str())
        .collect();

    let network = network_text(&project, &args.aws_cli, reporter);
    let text = overlay_text(
        &project,
        environment_region(),
        &network,
        &secret_vars,
        &compose_secrets,
        &build_only,
    );
    written(
        reporter,
        &target,
        &text,
        "replace each `${…:?…}` placeholder (or set its variable), then run `compose2ecs convert`",
    )
}

/// Writes `text` to `target` and says so, with the step to take `next`.
fn written(reporter: Reporter, target: &std::path::Path, text: &str, next: &str) -> Ended {
    std::fs::write(target, text)
        .map_err(|e| reporter.fail(&format!("cannot write `{}`: {e}", target.display())))?;
    reporter.progress(&format!("wrote {}: {next}", target.display()));
    Ok(Outcome::Success)
}

/// `init --env NAME`: `compose2ecs.NAME.yaml` beside `base`, holding what
/// an environment usually changes, as placeholders.
fn write_env(
    reporter: Reporter,
    input: &compose2ecs_core::Input,
    options: &compose2ecs_core::Options,
    base: &std::path::Path,
    env: &str,
) -> Ended {
    let valid = !env.is_empty()
        && env
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(reporter.fail(&format!(
                "environment `{env}`: a name of letters, digits, `-` and `_` (it names compose2ecs.<name>.yaml)"
            ),
        ));
    }
    let target = base
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(compose2ecs_core::env_overlay_name(env));
    if target.exists() {
        return Err(reporter.fail(&format!(
            "`{}` exists; init never overwrites it",
            target.display()
        )));
    }
    let project = match compose2ecs_core::load(input, options) {
        Ok((p, _)) => p,
        Err(e) => {
            reporter.diagnostics(Some(e.sources()), e.diagnostics());
            reporter.rejected(e.errors().count());
            return Ok(Outcome::Rejected);
        }
    };
    let var = compose2ecs_core::secret_env_name(env);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/compose2ecs/compose2ecs/main/schemas/overlay.schema.json\n\
         #\n\
         # {name}: the `{env}` environment of `{project}`, merged over {base} by\n\
         # `compose2ecs … --env {env}`: mappings by key, this file winning; lists and\n\
         # values replaced. Written by `compose2ecs init --env {env}`: keep here only\n\
         # what differs in {env}. Each `${{NAME:?…}}` refuses to convert until replaced\n\
         # or set in the environment.\n\
         \n\
         cluster: {project}-{env}\n\
         network:\n\
         \x20 subnets: [\"${{{var}_SUBNET_ID:?a subnet of {env}, subnet-…}}\"]\n\
         \x20 security_groups: [\"${{{var}_SECURITY_GROUP_ID:?a security group of {env}, sg-…}}\"]\n\
         \n\
         # Sizes, counts and secret ARNs of {env}, per service:\n\
         # services:",
        name = compose2ecs_core::env_overlay_name(env),
        project = project.name,
        base = base.file_name().map_or_else(
            || base.display().to_string(),
            |f| f.to_string_lossy().into_owned()
        ),
    );
    for name in project.services.keys() {
        let _ = writeln!(
            out,
            "#   {name}: {{cpu: 1024, memory: 2048, desired_count: 2}}"
        );
    }
    out.push_str(
        "# secrets:\n#   DB_PASSWORD: arn:aws:secretsmanager:…:secret:{env}/db-password\n"
            .replace("{env}", env)
            .as_str(),
    );
    let next = format!("fill its placeholders, then `compose2ecs convert --env {env}`");
    written(reporter, &target, &out, &next)
}

/// The `network:` block: placeholders, or with Docker's `x-aws-vpc` its
/// subnets as `aws ec2 describe-subnets` lists them (none when the lookup
/// fails: `deploy` looks them up again).
fn network_text(
    project: &compose2ecs_core::Project,
    aws_cli: &std::path::Path,
    reporter: Reporter,
) -> String {
    let groups = "  security_groups: [\"${SECURITY_GROUP_ID:?a security group of the tasks, sg-…}\"]\n\
                  \x20 assign_public_ip: false        # true in a public subnet without a NAT gateway\n";
    let Some(vpc) = project.docker_ecs_extension("x-aws-vpc") else {
        return format!(
            "network:                        # where the tasks run (awsvpc)\n\
             \x20 subnets: [\"${{SUBNET_ID:?a subnet the tasks run in, subnet-…}}\"]\n{groups}"
        );
    };
    let aws = crate::aws::Aws {
        bin: aws_cli.to_path_buf(),
        region: environment_region().map(|(r, _)| r),
    };
    reporter.progress(&format!("x-aws-vpc {vpc}: looking up its subnets"));
    let subnets = match crate::steps::vpc::lookup(&aws, vpc) {
        Ok(found) => format!(
            "  # The subnets of x-aws-vpc {vpc} (aws ec2 describe-subnets); leave them\n\
             \x20 # out and `compose2ecs deploy` looks them up each time.\n\
             \x20 subnets: [{}]\n",
            found.join(", ")
        ),
        Err(m) => {
            reporter.progress(&format!(
                "{m}: init writes no subnets, and `compose2ecs deploy` looks them up"
            ));
            format!(
                "  # subnets: `compose2ecs deploy` looks up those of x-aws-vpc {vpc}\n\
                 \x20 # (the lookup failed when init ran)\n"
            )
        }
    };
    format!("network:                        # where the tasks run (awsvpc)\n{subnets}{groups}")
}

fn overlay_text(
    project: &compose2ecs_core::Project,
    region: Option<(String, &'static str)>,
    network: &str,
    secret_vars: &BTreeSet<String>,
    compose_secrets: &[&String],
    build_only: &[&str],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=https://raw.githubusercontent.com/compose2ecs/compose2ecs/main/schemas/overlay.schema.json\n\
         #\n\
         # compose2ecs.yaml: what only AWS knows about the compose project `{}`.\n\
         # Written by `compose2ecs init`. Each `${{NAME:?…}}` is a placeholder:\n\
         # replace it with the value, or set NAME in the environment; until then\n\
         # `compose2ecs convert` refuses, pointing at its line. Every key is\n\
         # described in the README (\"The overlay\") and in `compose2ecs schema overlay`.\n",
        project.name
    );
    match region {
        Some((r, from)) => {
            let _ = writeln!(out, "region: {r}                 # from {from}");
        }
        None => {
            let _ = writeln!(
                out,
                "region: \"${{AWS_REGION:?the AWS region the tasks run in, such as eu-west-1}}\""
            );
        }
    }
    out.push_str(
        "launch_type: FARGATE            # FARGATE | EC2 | EXTERNAL\n\
         cluster: default                # the ECS cluster of the services\n\
         \n\
         roles:\n\
         \x20 # Pulls the images, writes the logs, reads the secrets; `compose2ecs policy`\n\
         \x20 # prints exactly the policy it needs.\n\
         \x20 execution: \"${EXECUTION_ROLE_ARN:?the ARN of the task execution role}\"\n\
         \x20 # What the application may call; its AWS SDK picks the credentials up.\n\
         \x20 # task: arn:aws:iam::123456789012:role/app\n\
         \x20 # What EventBridge Scheduler starts scheduled tasks with (`schedule:`\n\
         \x20 # below); `compose2ecs policy --scheduler` prints its policy.\n\
         \x20 # scheduler: arn:aws:iam::123456789012:role/ecsScheduler\n\
         \n",
    );
    out.push_str(network);
    // Images outside ECR: a private one needs a registry login; public
    // ones (most of Docker Hub) need none, so these are proposals.
    let hosts: std::collections::BTreeSet<&str> = project
        .services
        .values()
        .filter(|s| s.build.is_none())
        .filter_map(|s| s.image.as_ref().map(|i| i.value.as_str()))
        .filter(|i| !compose2ecs_core::ecs::is_ecr_image(i))
        .map(compose2ecs_core::ecs::registry_host)
        .collect();
    if !hosts.is_empty() {
        out.push_str(
            "\n# Images outside ECR: if one is private, give ECS its registry's login, a\n\
             # Secrets Manager secret of {\"username\": …, \"password\": …} (public images need none).\n\
             # pull_credentials:\n",
        );
        for h in &hosts {
            let _ = writeln!(
                out,
                "#   {h}: arn:aws:secretsmanager:<region>:<account>:secret:<name>"
            );
        }
    }
    if !build_only.is_empty() {
        let _ = writeln!(
            out,
            "\n# {} only {} `build:`: the image is pushed here as <registry>/{}-<service>:<tag>.\n\
             images:\n\
             \x20 registry: \"${{REGISTRY:?the ECR registry, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com}}\"\n\
             \x20 tag: latest\n\
             \x20 # `compose2ecs push` creates missing ECR repositories with these:\n\
             \x20 # scan_on_push: true\n\
             \x20 # immutable_tags: false",
            build_only.join(", "),
            if build_only.len() == 1 { "has" } else { "have" },
            project.name
        );
    }
    if !secret_vars.is_empty() || !compose_secrets.is_empty() {
        out.push_str(
            "\n# Each becomes an ECS secret, read at run time from Secrets Manager or SSM;\n\
             # its local value is never written.\n\
             secrets:\n",
        );
        for name in secret_vars
            .iter()
            .map(String::as_str)
            .chain(compose_secrets.iter().map(|s| s.as_str()))
        {
            let var = compose2ecs_core::secret_env_name(name);
            let _ = writeln!(
                out,
                "  {name}: \"${{{var}_SECRET:?the Secrets Manager ARN or SSM parameter of {name}}}\""
            );
        }
    }
    out.push_str(
        "\n# Per task: family, cpu, memory, containers (sidecars), desired_count, load_balancer,\n\
         # scaling: {max: 10, cpu: 70} (Application Auto Scaling, <family>.scaling.json),\n\
         # schedule: \"cron(0 3 * * ? *)\" (a scheduled task instead of a service, <family>.schedule.json), …\n\
         services:\n",
    );
    for s in project.services.keys() {
        let _ = writeln!(
            out,
            "  {s}: {{}}                 # family {}-{s}",
            project.name
        );
    }
    out
}
