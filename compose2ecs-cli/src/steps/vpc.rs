//! The subnets of the overlay's `network.vpc` (Docker's `x-aws-vpc`) when
//! it lists none: looked up with `aws ec2 describe-subnets` by `deploy` and
//! `run`, which then convert again with them, and by `init`, which writes
//! them out.

use std::path::Path;

use compose2ecs_core::Conversion;

use crate::aws::Aws;
use crate::context::Context;
use crate::outcome::Outcome;

/// "There's a limit of 16 subnets that can be specified" (API reference,
/// AwsVpcConfiguration).
const MAX_SUBNETS: usize = 16;

/// The VPC whose subnets `conversion` still needs: its overlay names one,
/// lists no subnets, and a task definition uses the awsvpc network mode.
pub(crate) fn unresolved(conversion: &Conversion) -> Option<&str> {
    let network = &conversion.overlay.network;
    let awsvpc = conversion
        .task_definitions
        .values()
        .any(|td| td.network_mode == "awsvpc");
    network
        .vpc
        .as_deref()
        .filter(|_| network.subnets.is_empty() && awsvpc)
}

/// The arguments of the lookup.
pub(crate) fn lookup_call(vpc: &str) -> Vec<String> {
    vec![
        "ec2".to_owned(),
        "describe-subnets".to_owned(),
        "--filters".to_owned(),
        format!("Name=vpc-id,Values={vpc}"),
    ]
}

/// The available subnets of `vpc`, by ID: all of them, as Docker's ECS
/// integration used them, and at most [`MAX_SUBNETS`].
pub(crate) fn lookup(aws: &Aws, vpc: &str) -> Result<Vec<String>, String> {
    let call = lookup_call(vpc);
    let args: Vec<&str> = call.iter().map(String::as_str).collect();
    let reply = aws
        .json(&args)
        .map_err(|e| format!("looking up the subnets of {vpc} failed: {e}"))?;
    let mut subnets: Vec<String> = reply["Subnets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["State"].as_str().is_none_or(|state| state == "available"))
        .filter_map(|s| s["SubnetId"].as_str().map(str::to_owned))
        .collect();
    subnets.sort_unstable();
    if subnets.is_empty() {
        return Err(format!(
            "{vpc} has no available subnet (`{}`); check the VPC ID and the region, or list the subnets in `network.subnets`",
            aws.command_line(&args)
        ));
    }
    if subnets.len() > MAX_SUBNETS {
        return Err(format!(
            "{vpc} has {} subnets and ECS takes at most {MAX_SUBNETS} for a service or task; list the tasks' subnets in `network.subnets`",
            subnets.len()
        ));
    }
    Ok(subnets)
}

/// The subnets the project still needs (none when it needs none): those
/// of its `network.vpc`, looked up, or, for `--dry-run`, a placeholder in
/// their place, since a dry run calls nothing.
pub(crate) fn subnets(
    ctx: &Context,
    aws_cli: &Path,
    dry_run: bool,
) -> Result<Vec<String>, Outcome> {
    let Some(vpc) = unresolved(&ctx.conversion) else {
        return Ok(Vec::new());
    };
    if dry_run {
        return Ok(vec![format!("<the subnets of {vpc}>")]);
    }
    let reporter = ctx.reporter;
    reporter.progress(&format!(
        "network.vpc {vpc} lists no subnets: looking them up"
    ));
    let found = lookup(&ctx.quiet_aws(aws_cli), vpc).map_err(|m| reporter.fail(&m))?;
    reporter.progress(&format!("subnets of {vpc}: {}", found.join(", ")));
    Ok(found)
}

/// The project placed in `subnets` (as [`subnets`] gave them): converted
/// again with them, or left as it is when there are none.
pub(crate) fn place(ctx: &mut Context, subnets: &[String]) -> Result<(), Outcome> {
    if !subnets.is_empty() {
        ctx.conversion = ctx.reconvert(None, subnets)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lookup_filters_on_the_vpc() {
        assert_eq!(
            lookup_call("vpc-0abc").join(" "),
            "ec2 describe-subnets --filters Name=vpc-id,Values=vpc-0abc"
        );
    }
}
