//! The `CreateService` members and what `update-service` can do with them:
//! what `deploy` sends to make a live service match, and what `plan`
//! compares.

/// The `CreateService` members that `update-service` takes as they are.
/// (`cluster` and `taskDefinition` are given too; `serviceName` becomes
/// `service`.) A test keeps this list equal to the API model's.
pub(crate) const UPDATABLE: &[&str] = &[
    "availabilityZoneRebalancing",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "deploymentController",
    "desiredCount",
    "enableECSManagedTags",
    "enableExecuteCommand",
    "gatewayConnectors",
    "healthCheckGracePeriodSeconds",
    "loadBalancers",
    "monitoring",
    "networkConfiguration",
    "placementConstraints",
    "placementStrategy",
    "platformVersion",
    "propagateTags",
    "serviceConnectConfiguration",
    "serviceRegistries",
    "volumeConfigurations",
    "vpcLatticeConfigurations",
];

/// The `CreateService` members `update-service` cannot change, and what to
/// do when the live service differs.
pub(crate) const CREATE_ONLY: &[(&str, &str)] = &[
    ("clientToken", ""),
    (
        "launchType",
        "update-service cannot change the launch type: delete the service (`aws ecs delete-service --force`) and deploy again, or keep the service's launch type in compose2ecs.yaml (`launch_type:`)",
    ),
    ("role", ""),
    (
        "schedulingStrategy",
        "update-service cannot change the scheduling strategy: delete the service and deploy again",
    ),
    ("serviceName", ""),
    ("tags", ""),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn members(shape: &str) -> BTreeSet<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../schemas/source/botocore-ecs-service-2.json");
        let model: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        model["shapes"][shape]["members"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn the_updatable_members_are_the_api_models() {
        let create = members("CreateServiceRequest");
        let update = members("UpdateServiceRequest");
        let both: BTreeSet<String> = create.intersection(&update).cloned().collect();
        let mut ours: BTreeSet<String> = UPDATABLE.iter().map(|m| (*m).to_owned()).collect();
        ours.extend(["cluster".to_owned(), "taskDefinition".to_owned()]);
        assert_eq!(ours, both);
        let only: BTreeSet<String> = create.difference(&update).cloned().collect();
        let said: BTreeSet<String> = CREATE_ONLY.iter().map(|(m, _)| (*m).to_owned()).collect();
        assert_eq!(said, only);
    }
}
