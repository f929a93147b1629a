//! Where and how the tasks run, from the overlay: capacity providers
//! (Fargate Spot), ephemeral storage, the Fargate platform version and the
//! health check grace period — each checked as ECS checks it.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{CapacityProviderStrategyItem, EphemeralStorage, LaunchType};
use crate::overlay::{Capacity, LoadedOverlay};

use super::{Converted, Platform};

/// `EphemeralStorage.sizeInGiB`: "The minimum supported value is 21 GiB and
/// the maximum supported value is 200 GiB."
const STORAGE: std::ops::RangeInclusive<u32> = 21..=200;

/// The strategy, or the problems ECS would refuse it for
/// (`CapacityProviderStrategyItem`: "Only one capacity provider in a
/// capacity provider strategy can have a base defined"; weight "between 0
/// and 1000", base "between 0 and 100000"; "at least one capacity provider
/// must have a weight greater than zero" when there are several).
fn strategy(
    items: &[Capacity],
    fargate: bool,
) -> Result<Vec<CapacityProviderStrategyItem>, String> {
    if items.is_empty() {
        return Err("the strategy is empty: give at least one provider".to_owned());
    }
    if items
        .iter()
        .filter(|c| c.base.is_some_and(|b| b > 0))
        .count()
        > 1
    {
        return Err("only one provider of a strategy can have a base".to_owned());
    }
    if let Some(c) = items.iter().find(|c| c.weight.is_some_and(|w| w > 1000)) {
        return Err(format!("`{}`'s weight is more than 1000", c.provider));
    }
    if let Some(c) = items.iter().find(|c| c.base.is_some_and(|b| b > 100_000)) {
        return Err(format!("`{}`'s base is more than 100000", c.provider));
    }
    if items.len() > 1 && items.iter().all(|c| c.weight.unwrap_or(0) == 0) {
        return Err("at least one provider needs a weight above 0".to_owned());
    }
    if fargate {
        if let Some(c) = items
            .iter()
            .find(|c| !matches!(c.provider.as_str(), "FARGATE" | "FARGATE_SPOT"))
        {
            return Err(format!(
                "`{}` is not a Fargate capacity provider; a FARGATE task runs on FARGATE or FARGATE_SPOT",
                c.provider
            ));
        }
    }
    Ok(items
        .iter()
        .map(|c| CapacityProviderStrategyItem {
            capacity_provider: c.provider.clone(),
            weight: c.weight.or((items.len() == 1).then_some(1)),
            base: c.base,
        })
        .collect())
}

/// Applies the overlay's capacity settings to every output of `converted`;
/// `owners` maps each family to the compose service that owns it.
pub(super) fn apply(
    overlay: &LoadedOverlay,
    platform: Platform,
    owners: &BTreeMap<String, String>,
    converted: &mut Converted,
    sink: &mut Sink,
) {
    let o = &overlay.overlay;
    let fargate = platform.launch_type == LaunchType::Fargate;
    for (family, owner) in owners {
        let settings = o.services.get(owner);
        let key = |k: &str| {
            if settings.is_some_and(|_| overlay.key_loc(&["services", owner, k]).is_some()) {
                (
                    format!("services.{owner}.{k}"),
                    overlay.key_loc(&["services", owner, k]),
                )
            } else {
                (k.to_owned(), overlay.key_loc(&[k]))
            }
        };
        let error = |k: &str, m: String, help: &str| {
            let (path, at) = key(k);
            Diagnostic::error(Code::InvalidValue, m)
                .with_path(path)
                .at(at)
                .with_help(help.to_owned())
        };
        let capacity = settings
            .and_then(|s| s.capacity.as_ref())
            .or(o.capacity.as_ref());
        let items = match capacity.map(|c| strategy(c, fargate)) {
            Some(Ok(items)) => items,
            Some(Err(m)) => {
                sink.push(error(
                    "capacity",
                    format!("ECS would refuse the capacity of `{owner}`: {m}"),
                    "`capacity: [{provider: FARGATE_SPOT, weight: 3}, {provider: FARGATE, base: 1, weight: 1}]`",
                ));
                Vec::new()
            }
            None => Vec::new(),
        };
        let version = settings
            .and_then(|s| s.platform_version.clone())
            .or_else(|| o.platform_version.clone());
        if version.is_some() && !fargate {
            sink.push(error(
                "platform_version",
                format!(
                    "`{owner}` runs on {}, and a platform version is FARGATE's",
                    platform.launch_type.as_str()
                ),
                "remove `platform_version`, or run on FARGATE",
            ));
        }
        if let Some(td) = converted.task_definitions.get_mut(family) {
            if let Some(gib) = settings.and_then(|s| s.ephemeral_storage) {
                if !STORAGE.contains(&gib) {
                    sink.push(error(
                        "ephemeral_storage",
                        format!("ECS would refuse `ephemeral_storage: {gib}` of `{owner}`: it is 21 to 200 GiB (every FARGATE task has 20 without it)"),
                        "`ephemeral_storage: 50` gives the task 50 GiB; remove it for the 20 GiB default",
                    ));
                } else if !fargate {
                    sink.push(error(
                        "ephemeral_storage",
                        format!("`{owner}` runs on {}, where the instance's disk is the task's; `ephemeral_storage` is FARGATE's", platform.launch_type.as_str()),
                        "remove `ephemeral_storage`, or run on FARGATE",
                    ));
                } else {
                    td.ephemeral_storage = Some(EphemeralStorage { size_in_gib: gib });
                }
            }
        }
        if let Some(s) = converted.services.get_mut(family) {
            if !items.is_empty() {
                // "If a capacityProviderStrategy is specified, the launchType
                // parameter must be omitted" (CreateServiceRequest.launchType).
                s.launch_type.clear();
                s.capacity_provider_strategy.clone_from(&items);
            }
            s.platform_version.clone_from(&version);
            if let Some(g) = settings.and_then(|s| s.health_check_grace_period) {
                let checked = !s.load_balancers.is_empty()
                    || converted.task_definitions.get(family).is_some_and(|td| {
                        td.container_definitions
                            .iter()
                            .any(|c| c.health_check.is_some())
                    });
                if checked {
                    s.health_check_grace_period_seconds = Some(g);
                } else {
                    // "If you do not use any of the health checks, then
                    // healthCheckGracePeriodSeconds is unused."
                    let (path, at) = key("health_check_grace_period");
                    sink.push(
                        Diagnostic::warning(
                            Code::IgnoredKey,
                            format!("`{owner}` has no load balancer and no container health check, so its health check grace period would be unused; it is left out"),
                        )
                        .with_path(path)
                        .at(at)
                        .with_help("give it a `load_balancer` or a compose `healthcheck`, or remove it"),
                    );
                }
            }
        }
        if let Some(j) = converted.jobs.get_mut(family) {
            if !items.is_empty() {
                j.launch_type.clear();
                j.capacity_provider_strategy.clone_from(&items);
            }
            j.platform_version.clone_from(&version);
        }
        if let Some(schedule) = converted.schedules.get_mut(family) {
            let ecs = &mut schedule.target.ecs_parameters;
            if !items.is_empty() {
                ecs.launch_type.clear();
                ecs.capacity_provider_strategy.clone_from(&items);
            }
            ecs.platform_version.clone_from(&version);
        }
    }
}
