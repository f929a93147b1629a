//! The overlay as the converter works with it: the files merged into one
//! tree (Docker's ECS extensions under them), and what the caller adds to
//! the one read (a region, pinned images, the subnets of `network.vpc`).

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::load::discover::Options;
use crate::load::input::Source;
use crate::load::yaml::{self, Node};
use crate::model::Project;
use crate::overlay::{LoadedOverlay, docker_ecs, merge};

/// The overlay files (a base and an environment's) merged into one tree,
/// each value keeping the file it was read from, and under them the
/// overlay implied by Docker's ECS integration extensions of `project`.
/// `Ok(None)`: no overlay at all; `Err(())`: a file does not parse
/// (reported).
pub(crate) fn merged(
    overlays: &[Source],
    project: Option<&Project>,
    sink: &mut Sink,
) -> Result<Option<Node>, ()> {
    let mut tree: Option<Node> = None;
    let mut unreadable = false;
    for src in overlays {
        match yaml::parse(&src.path, &src.text) {
            Ok(t) => match &mut tree {
                None => tree = Some(t),
                Some(base) => merge(base, t),
            },
            Err(e) => {
                sink.extend_from_error(e);
                unreadable = true;
            }
        }
    }
    // Docker's ECS integration extensions are an overlay under the user's.
    if let Some(p) = project {
        let implied = docker_ecs::implied(&p.aws_extensions, sink);
        if let Some(mut base) = implied.tree.clone() {
            if let Some(user) = tree.take() {
                docker_ecs::overridden(&implied, &user, sink);
                // The overlay's root is the overlay file's.
                base.loc = user.loc.clone();
                merge(&mut base, user);
            }
            tree = Some(base);
        }
    }
    if unreadable { Err(()) } else { Ok(tree) }
}

/// The overlay the converter works with: the one read, with the caller's
/// region when it gives none ([`Options::region`]), its pinned images
/// ([`Options::images`]) and the subnets looked up for `network.vpc`
/// ([`Options::subnets`]). `Conversion::overlay`
/// stays the overlay as read, so that a CLI can say where the region came
/// from.
pub(crate) fn effective<'o>(
    overlay: &'o LoadedOverlay,
    project: &Project,
    options: &Options,
    sink: &mut Sink,
) -> std::borrow::Cow<'o, LoadedOverlay> {
    let o = &overlay.overlay;
    let region = match (&o.region, &o.logs.region, &options.region) {
        (None, None, Some(region)) => Some(region),
        _ => None,
    };
    let subnets = o.network.vpc.is_some() && o.network.subnets.is_empty();
    let subnets = subnets && !options.subnets.is_empty();
    if region.is_none() && options.images.is_empty() && !subnets {
        return std::borrow::Cow::Borrowed(overlay);
    }
    let mut effective = overlay.clone();
    if subnets {
        effective
            .overlay
            .network
            .subnets
            .clone_from(&options.subnets);
    }
    for (service, image) in &options.images {
        if !project.services.contains_key(service) {
            sink.push(
                Diagnostic::error(
                    Code::OverlayUnknownService,
                    format!("the pinned images name `{service}`, which is not an active service of the project"),
                )
                .with_path(format!("images.{service}"))
                .with_help("push again (`compose2ecs push`), or remove it from the digests file"),
            );
            continue;
        }
        effective
            .overlay
            .services
            .entry(service.clone())
            .or_default()
            .image = Some(image.clone());
    }
    if let Some(region) = region {
        sink.push(
            Diagnostic::note(
                Code::MissingRegion,
                format!("compose2ecs.yaml gives no `region`; using `{region}`, the region of the environment (AWS_REGION or AWS_DEFAULT_REGION)"),
            )
            .with_path("region")
            .at(overlay.root_loc.as_ref())
            .with_help("set `region:` in compose2ecs.yaml to pin it"),
        );
        effective.overlay.region = Some(region.clone());
    }
    std::borrow::Cow::Owned(effective)
}
