//! What the scenarios share: the AWS CLI against moto, compose2ecs run
//! against it, and the cluster and network a scenario deploys into.

use std::path::Path;
use std::process::Command;

use crate::common::moto::{Moto, moto_env};

pub(crate) fn aws(aws: &Path, moto: &Moto, args: &[&str]) -> Result<serde_json::Value, String> {
    let out = Command::new(aws)
        .args(args)
        .args(["--output", "json"])
        .envs(moto_env(moto))
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    if out.stdout.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null); // (put-scheduled-action answers nothing)
    }
    Ok(serde_json::from_slice(&out.stdout).unwrap())
}

/// `compose2ecs <args>` in `dir` against moto: the real `aws` given with
/// `--aws-cli` right after the command, in moto's environment only.
pub(crate) fn compose2ecs(dir: &Path, moto: &Moto, aws_bin: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("compose2ecs"));
    cmd.current_dir(dir)
        .arg(args[0])
        .arg("--aws-cli")
        .arg(aws_bin)
        .args(&args[1..])
        .env_clear()
        .envs(moto_env(moto))
        .env("NO_COLOR", "1");
    cmd
}

/// A finished run's exit code and stderr.
pub(crate) fn finished(cmd: &mut Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The overlay of the deploy tests: cluster `shop`, in moto's network.
pub(crate) fn shop_overlay(subnet: &str, group: &str) -> String {
    format!(
        "region: us-east-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\ncluster: shop\n\
         network: {{subnets: [{subnet}], security_groups: [{group}]}}\n"
    )
}

/// The cluster `shop` and a network in moto: (subnet, group).
pub(crate) fn shop_cluster(aws_bin: &Path, moto: &Moto) -> (String, String) {
    let network = moto_network(aws_bin, moto);
    aws(
        aws_bin,
        moto,
        &["ecs", "create-cluster", "--cluster-name", "shop"],
    )
    .unwrap();
    network
}

/// A VPC with one subnet and one security group in moto: (subnet, group).
pub(crate) fn moto_network(aws_bin: &Path, moto: &Moto) -> (String, String) {
    moto_network_in(aws_bin, moto, "us-east-1")
}

/// The same, in `region`.
pub(crate) fn moto_network_in(aws_bin: &Path, moto: &Moto, region: &str) -> (String, String) {
    let call = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--region", region]);
        aws(aws_bin, moto, &all).unwrap()
    };
    let (_, mut subnets, group) = moto_vpc(call, "10.0.0.0/16", &["10.0.1.0/24"]);
    (subnets.remove(0), group)
}

/// A VPC of `cidr` with a subnet per block of `subnets` and a security
/// group, made through `call`: (VPC, subnets in order, group).
pub(crate) fn moto_vpc(
    call: impl Fn(&[&str]) -> serde_json::Value,
    cidr: &str,
    subnets: &[&str],
) -> (String, Vec<String>, String) {
    let vpc = call(&["ec2", "create-vpc", "--cidr-block", cidr]);
    let vpc = vpc["Vpc"]["VpcId"].as_str().unwrap().to_owned();
    let subnets = subnets
        .iter()
        .map(|block| {
            let s = call(&[
                "ec2",
                "create-subnet",
                "--vpc-id",
                &vpc,
                "--cidr-block",
                block,
            ]);
            s["Subnet"]["SubnetId"].as_str().unwrap().to_owned()
        })
        .collect();
    let group = call(&[
        "ec2",
        "create-security-group",
        "--group-name",
        "tasks",
        "--description",
        "tasks",
        "--vpc-id",
        &vpc,
    ]);
    let group = group["GroupId"].as_str().unwrap().to_owned();
    (vpc, subnets, group)
}
