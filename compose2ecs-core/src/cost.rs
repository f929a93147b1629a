//! What the tasks cost on FARGATE: per vCPU-hour and per GB-hour by CPU
//! architecture, plus ephemeral storage above the 20 GiB every task gets,
//! from the price table in `data/fargate-prices.json` (its region, date and
//! source are in the file) or the overlay's `pricing`. A service costs its
//! desired count of tasks for 730 hours a month; a job or a scheduled task
//! is priced per task-hour, since how long it runs is not known. EC2 and
//! EXTERNAL tasks are billed by their capacity (instances, or your own
//! servers), not per task.
//!
//! ```
//! use compose2ecs_core::{Input, Options, convert, cost};
//!
//! let input = Input::from_yaml("name: shop\nservices:\n  web:\n    image: nginx\n    deploy: {replicas: 2}\n")
//!     .with_overlay("region: us-east-1\nroles: {execution: arn:aws:iam::123456789012:role/exec}\nservices:\n  web: {cpu: 512, memory: 1024}\n");
//! let c = convert(&input, &Options::default())?;
//! let costs = cost::of(&c);
//! let web = &costs[0];
//! let hourly = 0.5 * 0.04048 + 1.0 * 0.004445;
//! assert!((web.task_hour.unwrap() - hourly).abs() < 1e-9);
//! assert!((web.monthly.unwrap() - hourly * 730.0 * 2.0).abs() < 1e-9);
//! # Ok::<(), compose2ecs_core::Error>(())
//! ```

use serde::Deserialize;

use crate::conversion::Conversion;
use crate::ecs::TaskDefinition;
use crate::overlay::Pricing;

/// The shipped price table (`data/fargate-prices.json`).
pub const PRICE_TABLE: &str = include_str!("../data/fargate-prices.json");

/// The price table's shape.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct PriceTable {
    /// Where the prices come from.
    pub source: String,
    /// When, and what.
    pub as_of: String,
    /// Hours in a month.
    pub hours_per_month: f64,
    /// Ephemeral storage every task gets without charge.
    pub included_ephemeral_storage_gib: f64,
    /// By region.
    pub regions: std::collections::BTreeMap<String, RegionPrices>,
}

/// One region's prices.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
#[allow(non_snake_case)]
pub struct RegionPrices {
    /// x86 tasks.
    pub X86_64: Rates,
    /// Graviton tasks.
    pub ARM64: Rates,
    /// Per GB-hour of ephemeral storage above the included 20 GiB.
    pub ephemeral_storage_gb_hour: f64,
}

/// Per vCPU-hour and per GB-hour.
#[derive(Debug, Clone, Copy, Deserialize)]
#[non_exhaustive]
pub struct Rates {
    /// Per vCPU-hour.
    pub vcpu_hour: f64,
    /// Per GB of memory-hour.
    pub gb_hour: f64,
}

/// The shipped table, read.
pub fn table() -> PriceTable {
    // The file is part of the crate and checked by a test.
    serde_json::from_str(PRICE_TABLE).unwrap_or_else(|_| PriceTable {
        source: String::new(),
        as_of: String::new(),
        hours_per_month: 730.0,
        included_ephemeral_storage_gib: 20.0,
        regions: Default::default(),
    })
}

/// What one family costs.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FamilyCost {
    /// The family.
    pub family: String,
    /// One task for an hour; `None` when it is not priced per task (EC2,
    /// EXTERNAL) or the region has no prices.
    pub task_hour: Option<f64>,
    /// A service's month (`task_hour` × desired count × hours a month);
    /// `None` for jobs and scheduled tasks.
    pub monthly: Option<f64>,
    /// Tasks kept running (services), else tasks per run.
    pub tasks: u32,
    /// What the figure is, or why there is none.
    pub basis: String,
}

/// The cost of each family of a conversion, in its order.
pub fn of(conversion: &Conversion) -> Vec<FamilyCost> {
    let table = table();
    let pricing = conversion.overlay.pricing.as_ref();
    let region = conversion.overlay.region.as_deref();
    conversion
        .task_definitions
        .iter()
        .map(|(family, td)| {
            let (tasks, service) = match conversion.services.get(family) {
                Some(s) => (s.desired_count, true),
                None => (conversion.jobs.get(family).map_or(1, |j| j.count), false),
            };
            let strategy = conversion
                .services
                .get(family)
                .map(|s| s.capacity_provider_strategy.as_slice())
                .or_else(|| {
                    conversion
                        .jobs
                        .get(family)
                        .map(|j| j.capacity_provider_strategy.as_slice())
                })
                .unwrap_or_default();
            let cost = priced(&table, pricing, region, family, td, tasks, service);
            with_spot(
                cost,
                spot_tasks(strategy, tasks),
                pricing,
                td,
                table.hours_per_month,
            )
        })
        .collect()
}

/// How many of `tasks` a capacity provider strategy puts on FARGATE_SPOT:
/// the base first, on its provider, then the rest by weight.
pub fn spot_tasks(strategy: &[crate::ecs::CapacityProviderStrategyItem], tasks: u32) -> f64 {
    if strategy.is_empty() {
        return 0.0;
    }
    let spot = |c: &crate::ecs::CapacityProviderStrategyItem| c.capacity_provider == "FARGATE_SPOT";
    let base = strategy.iter().find(|c| c.base.unwrap_or(0) > 0);
    let first = base.map_or(0, |c| c.base.unwrap_or(0).min(tasks));
    let rest = f64::from(tasks - first);
    let weights: f64 = strategy
        .iter()
        .map(|c| f64::from(c.weight.unwrap_or(0)))
        .sum();
    let spot_weight: f64 = strategy
        .iter()
        .filter(|c| spot(c))
        .map(|c| f64::from(c.weight.unwrap_or(0)))
        .sum();
    let on_base = if base.is_some_and(spot) {
        f64::from(first)
    } else {
        0.0
    };
    on_base
        + if weights > 0.0 {
            rest * spot_weight / weights
        } else {
            0.0
        }
}

/// `cost` with `spot` of its tasks on FARGATE_SPOT: at the overlay's Spot
/// rates when it gives them, else on demand, as the basis says.
fn with_spot(
    mut cost: FamilyCost,
    spot: f64,
    pricing: Option<&Pricing>,
    td: &TaskDefinition,
    hours: f64,
) -> FamilyCost {
    if spot <= 0.0 || cost.task_hour.is_none() {
        return cost;
    }
    let rates = pricing.and_then(|p| Some((p.spot_vcpu_hour?, p.spot_gb_hour?)));
    let Some((vcpu_hour, gb_hour)) = rates else {
        cost.basis.push_str(&format!(
            "; {spot:.1} of {} tasks on FARGATE_SPOT, priced on demand (Spot prices vary: set `pricing.spot_vcpu_hour` and `spot_gb_hour`)",
            cost.tasks
        ));
        return cost;
    };
    let number = |v: Option<&str>| v.and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Storage above the included 20 GiB costs the same on Spot.
    let storage = td.ephemeral_storage.as_ref().map_or(0.0, |e| {
        (f64::from(e.size_in_gib) - 20.0).max(0.0)
            * pricing
                .and_then(|p| p.ephemeral_storage_gb_hour)
                .unwrap_or(0.0)
    });
    let spot_hour = number(td.cpu.as_deref()) / 1024.0 * vcpu_hour
        + number(td.memory.as_deref()) / 1024.0 * gb_hour
        + storage;
    let on_demand = cost.task_hour.unwrap_or(0.0);
    if let Some(m) = cost.monthly.as_mut() {
        // The Spot share's hours at the Spot rate instead.
        *m += (spot_hour - on_demand) * spot * hours;
    }
    cost.basis.push_str(&format!(
        "; {spot:.1} of {} tasks on FARGATE_SPOT at the overlay's Spot rates",
        cost.tasks
    ));
    cost
}

/// The cost of `tasks` tasks of `td`: a month of a service, else an hour.
pub fn priced(
    table: &PriceTable,
    pricing: Option<&Pricing>,
    region: Option<&str>,
    family: &str,
    td: &TaskDefinition,
    tasks: u32,
    service: bool,
) -> FamilyCost {
    let none = |basis: String| FamilyCost {
        family: family.to_owned(),
        task_hour: None,
        monthly: None,
        tasks,
        basis,
    };
    if !td.requires_compatibilities.iter().any(|c| c == "FARGATE") {
        return none(format!(
            "{} tasks are billed by the capacity they run on (instances, or your own servers), not per task",
            td.requires_compatibilities
                .first()
                .map_or("EC2", String::as_str)
        ));
    }
    let arm = td
        .runtime_platform
        .as_ref()
        .and_then(|p| p.cpu_architecture.as_deref())
        == Some("ARM64");
    let listed = region.and_then(|r| table.regions.get(r));
    let rates = match (pricing, listed) {
        (Some(p), _) => Some((
            Rates {
                vcpu_hour: p.vcpu_hour,
                gb_hour: p.gb_hour,
            },
            p.ephemeral_storage_gb_hour.unwrap_or(0.0),
            "compose2ecs.yaml `pricing`".to_owned(),
        )),
        (None, Some(r)) => Some((
            if arm { r.ARM64 } else { r.X86_64 },
            r.ephemeral_storage_gb_hour,
            format!("{} prices of {}", region.unwrap_or_default(), table.source),
        )),
        (None, None) => None,
    };
    let Some((rates, storage, from)) = rates else {
        return none(format!(
            "no Fargate prices for region {}: set `pricing: {{vcpu_hour, gb_hour}}` in compose2ecs.yaml",
            region.unwrap_or("(none)")
        ));
    };
    let number = |v: Option<&str>| v.and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let vcpu = number(td.cpu.as_deref()) / 1024.0;
    let gb = number(td.memory.as_deref()) / 1024.0;
    // Every task gets 20 GiB; `ephemeral_storage` above that is paid for.
    let storage_gib = td
        .ephemeral_storage
        .as_ref()
        .map_or(table.included_ephemeral_storage_gib, |e| {
            f64::from(e.size_in_gib)
        });
    let extra_storage = (storage_gib - table.included_ephemeral_storage_gib).max(0.0);
    let task_hour = vcpu * rates.vcpu_hour + gb * rates.gb_hour + extra_storage * storage;
    let arch = if arm { "ARM64" } else { "X86_64" };
    FamilyCost {
        family: family.to_owned(),
        task_hour: Some(task_hour),
        monthly: service.then(|| task_hour * table.hours_per_month * f64::from(tasks)),
        tasks,
        basis: format!("{vcpu} vCPU, {gb} GB, {arch}, {from}"),
    }
}
