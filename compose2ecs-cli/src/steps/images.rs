//! The images of the services compose
//! builds, made with Docker Buildx and pushed where the task definitions
//! say they run. `build` hands `docker buildx bake`, which reads compose
//! files natively, the project's files plus a generated override that sets,
//! per service, the image the task definition runs, the task's platform,
//! and the build args and target as compose2ecs read them. `push` creates
//! the ECR repositories that are missing, logs Docker in with a password
//! piped on stdin (never an argument), pushes, and records each image's
//! digest, which `convert --image-digests` and `deploy --build` pin.

use std::path::{Path, PathBuf};

use compose2ecs_core::{Conversion, IndexMap};
use serde_json::{Map, Value, json};

use crate::args::{ConversionArgs, ImageArgs};
use crate::aws::{Aws, AwsError};
use crate::context::Context;
use crate::docker::Docker;
use crate::outcome::Outcome;
use crate::report::Reporter;

/// One service to build: its image (the task definition's), platform,
/// build args and target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    pub(crate) service: String,
    pub(crate) image: String,
    pub(crate) platform: &'static str,
    pub(crate) args: Map<String, Value>,
    pub(crate) target: Option<String>,
}

/// The services that compose builds (all, or `only`), in project order,
/// and the compose files read.
pub(crate) fn targets(
    ctx: &Context,
    only: &[String],
) -> Result<(Vec<Target>, Vec<PathBuf>), Outcome> {
    let (input, reporter, conversion) = (&ctx.input, ctx.reporter, &ctx.conversion);
    let canonical = compose2ecs_core::config(input, &ctx.options)
        .ok()
        .and_then(|(tree, _)| tree.to_canonical_json(Path::new(".")))
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .unwrap_or_default();
    let files: Vec<PathBuf> = input.compose.iter().map(|s| s.path.clone()).collect();
    let mut out = Vec::new();
    for (service, placement) in &conversion.placements {
        let build = &canonical["services"][service]["build"];
        if !build.is_object() || !(only.is_empty() || only.contains(service)) {
            continue;
        }
        let td = &conversion.task_definitions[&placement.family];
        let Some(image) = td
            .container_definitions
            .iter()
            .find(|c| c.name == placement.container)
            .map(|c| c.image.clone())
        else {
            continue;
        };
        let arm = td
            .runtime_platform
            .as_ref()
            .and_then(|p| p.cpu_architecture.as_deref())
            == Some("ARM64");
        out.push(Target {
            service: service.clone(),
            image,
            platform: if arm { "linux/arm64" } else { "linux/amd64" },
            args: build["args"].as_object().cloned().unwrap_or_default(),
            target: build["target"].as_str().map(str::to_owned),
        });
    }
    if let Some(s) = only.iter().find(|s| !out.iter().any(|t| &t.service == *s)) {
        reporter.error(&format!(
            "`{s}` is not a service compose builds here (no `build:`); those that are: {}",
            out.iter()
                .map(|t| t.service.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Err(Outcome::Rejected);
    }
    if out.is_empty() {
        reporter.error("no service of this project has `build:`: there is nothing to build");
        return Err(Outcome::Rejected);
    }
    Ok((out, files))
}

/// The bake override: per target, the image the task runs, its platform,
/// and compose's build args and target.
pub(crate) fn bake_override(targets: &[Target]) -> Value {
    let mut all = Map::new();
    for t in targets {
        let mut target = json!({
            "tags": [t.image],
            "platforms": [t.platform],
            "args": t.args,
        });
        if let Some(stage) = &t.target {
            target["target"] = stage.clone().into();
        }
        all.insert(t.service.clone(), target);
    }
    json!({ "target": all })
}

/// `docker buildx bake`'s arguments: the compose files, the override, the
/// targets; `--load` into the local image store.
pub(crate) fn bake_args(
    files: &[PathBuf],
    override_file: &Path,
    targets: &[Target],
) -> Vec<String> {
    let mut a: Vec<String> = vec!["buildx".into(), "bake".into()];
    for f in files {
        a.extend(["--file".into(), f.display().to_string()]);
    }
    a.extend([
        "--file".into(),
        override_file.display().to_string(),
        "--load".into(),
    ]);
    a.extend(targets.iter().map(|t| t.service.clone()));
    a
}

/// Builds `targets` with bake.
pub(crate) fn build(
    docker: &Docker,
    files: &[PathBuf],
    targets: &[Target],
    reporter: Reporter,
) -> Result<(), String> {
    let dir = crate::write::private_dir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let file = dir.path().join("compose2ecs.bake.json");
    std::fs::write(&file, format!("{:#}\n", bake_override(targets)))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    reporter.progress(&format!(
        "building {} with docker buildx bake",
        targets
            .iter()
            .map(|t| format!("{} ({}, {})", t.service, t.image, t.platform))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    docker.shown(&bake_args(files, &file, targets)).map_err(|failed| {
        // Without the Buildx plugin Docker reads `buildx` as an unknown
        // command and says only "unknown flag: --file": say what is missing.
        match docker.captured(&["buildx", "version"], None) {
            Ok(_) => failed,
            Err(_) => format!(
                "{failed}: Docker Buildx is not installed (`docker buildx version` fails); compose2ecs builds with `docker buildx bake`: install the Buildx plugin (https://docs.docker.com/build/concepts/overview/#install-buildx; Debian and Ubuntu: the docker-buildx-plugin package; Docker Desktop ships it)"
            ),
        }
    })
}

/// What `build` and `push` start from.
pub(crate) struct Prepared {
    pub(crate) reporter: Reporter,
    pub(crate) conversion: Conversion,
    pub(crate) targets: Vec<Target>,
    pub(crate) files: Vec<PathBuf>,
    pub(crate) docker: Docker,
}

pub(crate) fn prepare(
    conversion_args: &ConversionArgs,
    images: &ImageArgs,
) -> Result<Prepared, Outcome> {
    let ctx = Context::resolve(conversion_args, &[], None)?;
    let (targets, files) = targets(&ctx, &images.services)?;
    Ok(Prepared {
        reporter: ctx.reporter,
        conversion: ctx.conversion,
        targets,
        files,
        docker: Docker {
            bin: images.docker.clone(),
        },
    })
}

/// An ECR image's parts: registry host, account, region, repository, tag.
struct Ecr<'a> {
    registry: &'a str,
    region: &'a str,
    repository: &'a str,
    tag: &'a str,
}

fn ecr(image: &str) -> Option<Ecr<'_>> {
    let (registry, path) = image.split_once('/')?;
    let mut host = registry.split('.');
    let (_account, dkr, ecr, region) = (host.next()?, host.next()?, host.next()?, host.next()?);
    if dkr != "dkr" || ecr != "ecr" {
        return None;
    }
    let (repository, tag) = path.rsplit_once(':').unwrap_or((path, "latest"));
    Some(Ecr {
        registry,
        region,
        repository,
        tag,
    })
}

/// Makes sure the ECR repository of `image` exists (created with the
/// overlay's scan-on-push and tag mutability); the line to show when it was
/// created.
fn ensure_repository(
    aws: &Aws,
    e: &Ecr<'_>,
    conversion: &Conversion,
) -> Result<Option<String>, AwsError> {
    match aws.json(&[
        "ecr",
        "describe-repositories",
        "--repository-names",
        e.repository,
    ]) {
        Ok(_) => return Ok(None),
        Err(AwsError::Failed(m)) if m.contains("RepositoryNotFoundException") => {}
        Err(err) => return Err(err),
    }
    let images = &conversion.overlay.images;
    let scan = format!("scanOnPush={}", images.scan_on_push.unwrap_or(true));
    let mutability = if images.immutable_tags.unwrap_or(false) {
        "IMMUTABLE"
    } else {
        "MUTABLE"
    };
    aws.json(&[
        "ecr",
        "create-repository",
        "--repository-name",
        e.repository,
        "--image-scanning-configuration",
        &scan,
        "--image-tag-mutability",
        mutability,
    ])?;
    Ok(Some(format!(
        "created ECR repository {} ({scan}, {mutability} tags)",
        e.repository
    )))
}

/// The digest `docker push` reports (`<tag>: digest: sha256:… size: …`).
fn pushed_digest(output: &str) -> Option<String> {
    output.lines().rev().find_map(|l| {
        let at = l.find("digest: sha256:")? + "digest: ".len();
        let digest: String = l[at..].chars().take_while(|c| !c.is_whitespace()).collect();
        crate::digests::valid(&digest).then_some(digest)
    })
}

/// An image reference without its tag (a registry's `:port` stays).
fn without_tag(image: &str) -> &str {
    match (image.rfind(':'), image.rfind('/')) {
        (Some(colon), slash) if slash.is_none_or(|s| colon > s) => &image[..colon],
        _ => image,
    }
}

/// Pushes each target's image (repositories and login first, for ECR);
/// each service's image by digest.
pub(crate) fn push(
    docker: &Docker,
    aws_bin: &Path,
    targets: &[Target],
    conversion: &Conversion,
    reporter: Reporter,
) -> Result<IndexMap<String, String>, String> {
    let mut logged_in: Vec<String> = Vec::new();
    let mut digests = IndexMap::new();
    for t in targets {
        if t.image.contains('@') {
            return Err(format!(
                "`{}` runs `{}`, a digest: there is no tag to push",
                t.service, t.image
            ));
        }
        let ecr = ecr(&t.image);
        if let Some(e) = &ecr {
            let aws = Aws {
                bin: aws_bin.to_path_buf(),
                region: Some(e.region.to_owned()),
            };
            if let Some(line) = ensure_repository(&aws, e, conversion).map_err(|m| m.to_string())? {
                reporter.progress(&line);
            }
            if !logged_in.iter().any(|r| r == e.registry) {
                let password = aws
                    .text(&["ecr", "get-login-password"])
                    .map_err(|m| m.to_string())?;
                docker.captured(
                    &["login", "--username", "AWS", "--password-stdin", e.registry],
                    Some(&password),
                )?;
                reporter.progress(&format!("logged in to {}", e.registry));
                logged_in.push(e.registry.to_owned());
            }
        }
        reporter.progress(&format!("pushing {}", t.image));
        let output = docker.captured(&["push", &t.image], None)?;
        let digest = match (pushed_digest(&output), &ecr) {
            (Some(d), _) => d,
            (None, Some(e)) => {
                let aws = Aws {
                    bin: aws_bin.to_path_buf(),
                    region: Some(e.region.to_owned()),
                };
                let id = format!("imageTag={}", e.tag);
                let described = aws
                    .json(&[
                        "ecr",
                        "describe-images",
                        "--repository-name",
                        e.repository,
                        "--image-ids",
                        &id,
                    ])
                    .map_err(|m| m.to_string())?;
                described["imageDetails"][0]["imageDigest"]
                    .as_str()
                    .filter(|d| crate::digests::valid(d))
                    .map(str::to_owned)
                    .ok_or_else(|| format!("ECR gave no digest for {}", t.image))?
            }
            (None, None) => return Err(format!("`docker push {}` reported no digest", t.image)),
        };
        let pinned = format!("{}@{digest}", without_tag(&t.image));
        reporter.progress(&format!("pushed {} as {pinned}", t.image));
        digests.insert(t.service.clone(), pinned);
    }
    Ok(digests)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_reports_its_digest() {
        let out = "The push refers to repository [1.dkr.ecr.eu-west-1.amazonaws.com/shop-web]\n5f70bf18a086: Pushed\n2.4: digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef size: 1570\n";
        assert_eq!(
            pushed_digest(out).as_deref(),
            Some("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        );
        assert_eq!(pushed_digest("latest: digest: sha256:abc size: 1"), None);
        let e = ecr("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:2.4").unwrap();
        assert_eq!(
            (e.region, e.repository, e.tag),
            ("eu-west-1", "shop/web", "2.4")
        );
        assert!(ecr("ghcr.io/org/web:1").is_none());
        assert_eq!(without_tag("registry:5000/web:2"), "registry:5000/web");
        assert_eq!(without_tag("registry:5000/web"), "registry:5000/web");
        assert_eq!(without_tag("nginx:1.27"), "nginx");
    }
}
