//! What the conversion says of one family that several verbs ask: the
//! compose service that owns it, the cluster it runs in; and whose a live
//! resource is, by the project tag it carries.

use compose2ecs_core::{Conversion, PROJECT_TAG, SERVICE_TAG, TaskDefinition};
use serde_json::Value;

/// The compose service that owns a family (its `compose2ecs:service` tag).
pub(crate) fn owner(td: &TaskDefinition) -> &str {
    td.tags
        .iter()
        .find(|t| t.key == SERVICE_TAG)
        .map_or(td.family.as_str(), |t| t.value.as_str())
}

/// The cluster of a family's service, job or schedule.
pub(crate) fn cluster_of(conversion: &Conversion, family: &str) -> String {
    conversion
        .services
        .get(family)
        .and_then(|s| s.cluster.clone())
        .or_else(|| conversion.jobs.get(family).and_then(|j| j.cluster.clone()))
        .or_else(|| {
            conversion.schedules.get(family).map(|s| {
                s.target
                    .arn
                    .rsplit('/')
                    .next()
                    .unwrap_or("default")
                    .to_owned()
            })
        })
        .unwrap_or_else(|| "default".to_owned())
}

/// The cluster and service name of each of `families` that runs as an ECS
/// service, in their order: what `describe-services` is asked about.
pub(crate) fn services<'f>(
    conversion: &Conversion,
    families: impl IntoIterator<Item = &'f str>,
) -> Vec<(String, String)> {
    families
        .into_iter()
        .filter_map(|f| {
            let svc = conversion.services.get(f)?;
            Some((cluster_of(conversion, f), svc.service_name.clone()))
        })
        .collect()
}

/// The project's name, as its tags carry it.
pub(crate) fn project(conversion: &Conversion) -> String {
    conversion
        .task_definitions
        .values()
        .flat_map(|td| &td.tags)
        .find(|t| t.key == PROJECT_TAG)
        .map(|t| t.value.clone())
        .unwrap_or_default()
}

/// Whether ECS tags (`[{key, value}]`) name `project`.
pub(crate) fn carries(tags: &Value, project: &str) -> bool {
    tags.as_array()
        .into_iter()
        .flatten()
        .any(|t| t["key"] == PROJECT_TAG && t["value"] == project)
}

/// Why a live resource (with its `tags`) is not `project`'s, or `None`
/// when it is: it carries another project's tag, or none.
pub(crate) fn not_ours(tags: &Value, project: &str) -> Option<String> {
    if carries(tags, project) {
        return None;
    }
    let other = tags
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["key"] == PROJECT_TAG)
        .and_then(|t| t["value"].as_str());
    Some(match other {
        Some(p) => format!("it is project `{p}`'s ({PROJECT_TAG}={p})"),
        None => format!("it has no {PROJECT_TAG} tag: compose2ecs did not create it"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_is_ours_by_its_project_tag_only() {
        let tags = |v: Value| v;
        let ours = tags(serde_json::json!([{"key": PROJECT_TAG, "value": "shop"}]));
        assert_eq!(not_ours(&ours, "shop"), None);
        let theirs = tags(serde_json::json!([{"key": PROJECT_TAG, "value": "blog"}]));
        assert!(not_ours(&theirs, "shop").is_some_and(|w| w.contains("project `blog`'s")));
        let none = tags(serde_json::json!([{"key": "team", "value": "shop"}]));
        assert!(not_ours(&none, "shop").is_some_and(|w| w.contains("did not create it")));
        assert!(not_ours(&Value::Null, "shop").is_some());
    }
}
