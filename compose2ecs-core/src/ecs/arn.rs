//! ARNs and partitions: one reader for every ARN compose2ecs looks at —
//! secrets, roles, the execution role's policy.
//!
//! An ARN is `arn:<partition>:<service>:<region>:<account>:<resource>`, and
//! its partition follows the region: "A partition is a group of AWS Regions.
//! Each AWS account is scoped to one partition." An ARN made for a
//! GovCloud or China region must say `aws-us-gov` or `aws-cn`, never `aws`.

/// The partitions and the region prefixes that belong to them, most
/// specific prefix first.
const PARTITIONS: &[(&str, &str)] = &[
    ("us-gov-", "aws-us-gov"),
    ("cn-", "aws-cn"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
];

/// The partition of a region: `aws-us-gov` for `us-gov-west-1`, `aws-cn`
/// for `cn-north-1`, `aws` for the commercial regions (and for `*`, an
/// unknown region).
pub(crate) fn partition_of(region: &str) -> &'static str {
    PARTITIONS
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, p)| p)
}

/// Whether `p` is a partition name.
pub(crate) fn is_partition(p: &str) -> bool {
    p == "aws" || PARTITIONS.iter().any(|(_, name)| *name == p)
}

/// The DNS suffix of a partition's endpoints, as in ECR registry hosts.
fn dns_suffix(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        "aws-iso-e" => "cloud.adc-e.uk",
        "aws-iso-f" => "csp.hci.ic.gov",
        "aws-eusc" => "amazonaws.eu",
        _ => "amazonaws.com",
    }
}

/// An ARN, split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the account, `:`s included.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits `text` when it is an ARN of a known partition with a service
    /// and a resource; region and account may be empty (IAM has no region).
    pub(crate) fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let arn = Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        };
        (is_partition(arn.partition) && !arn.service.is_empty() && !arn.resource.is_empty())
            .then_some(arn)
    }

    /// Whether the account is a 12-digit account ID.
    pub(crate) fn has_account_id(&self) -> bool {
        self.account.len() == 12 && self.account.bytes().all(|b| b.is_ascii_digit())
    }

    /// The `:`-separated fields of the resource.
    pub(crate) fn resource_fields(&self) -> Vec<&'a str> {
        self.resource.split(':').collect()
    }
}

/// An ARN in the partition of `region`.
pub(crate) fn format(service: &str, region: &str, account: &str, resource: &str) -> String {
    format!(
        "arn:{}:{service}:{region}:{account}:{resource}",
        partition_of(region)
    )
}

/// The registry host of an image reference, as Docker reads it: the first
/// path component when it has a `.` or `:` or is `localhost`, else Docker
/// Hub (`docker.io`).
pub fn registry_host(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => first,
        _ => "docker.io",
    }
}

/// Whether ECS pulls `image` from ECR (with the execution role, not a
/// registry login).
pub fn is_ecr_image(image: &str) -> bool {
    ecr_image(image).is_some()
}

/// The account, region and repository of an ECR image
/// (`<account>.dkr.ecr.<region>.<partition's DNS suffix>/<repo>[:tag|@digest]`);
/// `None` for an image outside ECR.
pub(crate) fn ecr_image(image: &str) -> Option<(&str, &str, &str)> {
    let (host, path) = image.split_once('/')?;
    let mut parts = host.splitn(5, '.');
    let account = parts.next()?;
    if parts.next()? != "dkr" || parts.next()? != "ecr" {
        return None;
    }
    let region = parts.next()?;
    if parts.next()? != dns_suffix(partition_of(region)) {
        return None;
    }
    let repo = path.split(['@', ':']).next().filter(|r| !r.is_empty())?;
    Some((account, region, repo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_have_partitions() {
        assert_eq!(partition_of("us-east-1"), "aws");
        assert_eq!(partition_of("eu-west-1"), "aws");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of("us-iso-east-1"), "aws-iso");
        assert_eq!(partition_of("us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition_of("*"), "aws");
        assert_eq!(
            format("ssm", "cn-north-1", "123456789012", "parameter/x"),
            "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/x"
        );
    }

    #[test]
    fn arns_split() {
        let a = Arn::parse("arn:aws-us-gov:iam::123456789012:role/app/exec").unwrap();
        assert_eq!(
            (a.partition, a.service, a.region, a.account, a.resource),
            ("aws-us-gov", "iam", "", "123456789012", "role/app/exec")
        );
        assert!(a.has_account_id());
        let s = Arn::parse("arn:aws:secretsmanager:us-east-1:1:secret:db:password::").unwrap();
        assert_eq!(s.resource_fields(), ["secret", "db", "password", "", ""]);
        assert_eq!(Arn::parse("arn:awsx:s3:::b"), None);
        assert_eq!(Arn::parse("arn:aws:s3:::"), None);
        assert_eq!(Arn::parse("/prod/db"), None);
    }

    #[test]
    fn ecr_images_in_every_partition() {
        assert_eq!(
            ecr_image("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:1.2"),
            Some(("123456789012", "us-east-1", "shop/web"))
        );
        assert_eq!(
            ecr_image("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api@sha256:ab"),
            Some(("123456789012", "cn-north-1", "api"))
        );
        assert_eq!(
            ecr_image("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/api"),
            Some(("123456789012", "us-gov-west-1", "api"))
        );
        assert_eq!(
            ecr_image("123456789012.dkr.ecr.cn-north-1.amazonaws.com/x"),
            None
        );
        assert_eq!(ecr_image("nginx:1.27"), None);
        assert_eq!(ecr_image("ghcr.io/org/app:1"), None);
    }
}

#[cfg(test)]
mod registry_tests {
    use super::registry_host;

    #[test]
    fn the_registry_host_is_read_as_docker_reads_it() {
        assert_eq!(registry_host("nginx:1.27"), "docker.io");
        assert_eq!(registry_host("bitnami/redis:7"), "docker.io");
        assert_eq!(registry_host("ghcr.io/acme/api:1"), "ghcr.io");
        assert_eq!(registry_host("quay.io/prometheus/node-exporter"), "quay.io");
        assert_eq!(registry_host("localhost:5000/app"), "localhost:5000");
        assert_eq!(registry_host("localhost/app"), "localhost");
    }
}
