//! Tags on everything `deploy` creates: `compose2ecs:project` and
//! `compose2ecs:service` (what `down` and cost reports find the project's
//! resources by), plus the overlay's `tags` and each service's own.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{PROJECT_TAG as PROJECT, SERVICE_TAG as SERVICE, Tag};
use crate::overlay::LoadedOverlay;

use super::Converted;

/// "Maximum number of tags per resource - 50"; "Maximum key length - 128
/// Unicode characters"; "Maximum value length - 256" (ECS API reference,
/// Tag).
const MAX_TAGS: usize = 50;
const MAX_KEY: usize = 128;
const MAX_VALUE: usize = 256;

/// The user's tags at `path` that ECS would refuse, or that take one of
/// compose2ecs's own keys (or AWS's `aws:` prefix, which "is reserved for
/// AWS use").
fn check(overlay: &LoadedOverlay, path: &[&str], tags: &BTreeMap<String, String>, sink: &mut Sink) {
    let at = |k: &str| {
        let mut p = path.to_vec();
        p.push(k);
        overlay.key_loc(&p).or_else(|| overlay.key_loc(path))
    };
    let dotted = path.join(".");
    for (k, v) in tags {
        let problem = if k.starts_with("compose2ecs:") {
            Some(format!(
                "the tag key `{k}` is compose2ecs's own: the project and service tags that `down` finds resources by"
            ))
        } else if k.to_ascii_lowercase().starts_with("aws:") {
            Some(format!(
                "ECS would refuse the tag key `{k}`: the `aws:` prefix is reserved for AWS use"
            ))
        } else if k.is_empty() || k.chars().count() > MAX_KEY {
            Some(format!(
                "ECS would refuse the tag key `{k}`: a key is 1–{MAX_KEY} characters"
            ))
        } else if v.chars().count() > MAX_VALUE {
            Some(format!(
                "ECS would refuse the tag `{k}`: its value is {} characters, and at most {MAX_VALUE}",
                v.chars().count()
            ))
        } else {
            None
        };
        if let Some(m) = problem {
            sink.push(
                Diagnostic::error(Code::InvalidValue, m)
                    .with_path(format!("{dotted}.{k}"))
                    .at(at(k))
                    .with_help("tags are `key: value` strings, such as `cost-center: \"4711\"`"),
            );
        }
    }
}

/// Tags every output of `converted`; `owners` maps each family to the
/// compose service that owns it.
pub(super) fn apply(
    project_name: &str,
    overlay: &LoadedOverlay,
    owners: &BTreeMap<String, String>,
    converted: &mut Converted,
    sink: &mut Sink,
) {
    let o = &overlay.overlay;
    check(overlay, &["tags"], &o.tags, sink);
    for (family, owner) in owners {
        let own = o.services.get(owner).map(|s| &s.tags);
        if let Some(own) = own {
            check(overlay, &["services", owner, "tags"], own, sink);
        }
        let mut map: BTreeMap<String, String> = o.tags.clone();
        map.extend(
            own.into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        map.insert(PROJECT.to_owned(), project_name.to_owned());
        map.insert(SERVICE.to_owned(), owner.clone());
        if map.len() > MAX_TAGS {
            sink.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{owner}` would carry {} tags, and ECS takes at most {MAX_TAGS} per resource (two are compose2ecs's)", map.len()),
                )
                .with_path(format!("services.{owner}.tags"))
                .at(overlay.key_loc(&["services", owner, "tags"]).or(overlay.key_loc(&["tags"]))),
            );
        }
        let list: Vec<Tag> = map
            .iter()
            .map(|(key, value)| Tag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect();
        if let Some(td) = converted.task_definitions.get_mut(family) {
            td.tags.clone_from(&list);
        }
        if let Some(s) = converted.services.get_mut(family) {
            s.tags.clone_from(&list);
            s.propagate_tags = Some("SERVICE".to_owned());
        }
        if let Some(j) = converted.jobs.get_mut(family) {
            j.tags.clone_from(&list);
            // RunTask takes TASK_DEFINITION only.
            j.propagate_tags = Some("TASK_DEFINITION".to_owned());
        }
        if let Some(s) = converted.scaling.get_mut(family) {
            s.scalable_target.tags.clone_from(&map);
        }
        if let Some(s) = converted.schedules.get_mut(family) {
            let ecs = &mut s.target.ecs_parameters;
            ecs.propagate_tags = Some("TASK_DEFINITION".to_owned());
            ecs.tags = map
                .iter()
                .map(|(k, v)| BTreeMap::from([(k.clone(), v.clone())]))
                .collect();
        }
    }
}
