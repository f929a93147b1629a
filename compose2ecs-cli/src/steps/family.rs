//! What the conversion says of one family that several verbs ask: the
//! compose service that owns it, the cluster it runs in.

use compose2ecs_core::{Conversion, SERVICE_TAG, TaskDefinition};

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
