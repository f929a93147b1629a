//! What `deploy` would change, against the live account, before it runs
//! (`plan`, and `deploy --plan`). For each family: the latest ACTIVE task
//! definition (`describe-task-definition`) and the service
//! (`describe-services`), normalised — the members ECS adds (`revision`,
//! `status`, `registeredAt`, …) dropped, the defaults it fills in
//! (`cpu: 0`, `protocol: tcp`, empty lists) taken as unset — then compared
//! member by member with the conversion. Exit status 0 when nothing would
//! change, [`CHANGES`] when something would.

use compose2ecs_core::ecs::Schedule;
use compose2ecs_core::{Conversion, cost};
use serde_json::{Map, Value, json};

use crate::aws::{Aws, AwsError, Round};
use crate::report::{Reporter, plural};
use crate::steps::diff::{Change, diff};
use crate::steps::family::cluster_of;
use crate::steps::members::UPDATABLE;

/// The exit status when `deploy` would change something. Not 2: that is a
/// usage error, which a CI gate must not take for "changes pending".
pub(crate) const CHANGES: u8 = 3;

/// What would happen to one family.
#[derive(Debug, Default)]
pub(crate) struct FamilyPlan {
    family: String,
    /// `None`: a new family.
    live_revision: Option<String>,
    /// The live revision's ARN.
    live_arn: Option<String>,
    task: Vec<Change>,
    /// `None`: not a service; `Some(None)`: a new service.
    service: Option<Option<Vec<Change>>>,
    /// What else it is: a job that runs, a schedule.
    other: Vec<String>,
    cost: Option<(Option<f64>, Option<f64>)>,
}

impl FamilyPlan {
    pub(crate) fn changes(&self) -> bool {
        self.live_revision.is_none()
            || !self.task.is_empty()
            || matches!(&self.service, Some(None))
            || matches!(&self.service, Some(Some(c)) if !c.is_empty())
            || !self.other.is_empty()
    }
}

/// Names whose values are not shown (either side): they look like
/// credentials, and the live side is whatever someone set.
fn hidden(path: &str) -> bool {
    let upper = path.to_ascii_uppercase();
    [
        "PASSWORD",
        "SECRET",
        "TOKEN",
        "KEY",
        "CREDENTIAL",
        "PRIVATE",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

fn shown(path: &str, v: &Option<Value>, conversion: &Conversion) -> String {
    match v {
        None => "(unset)".to_owned(),
        Some(_) if hidden(path) => "(not shown)".to_owned(),
        Some(v) => conversion.sources.redact(&v.to_string()),
    }
}

/// The live task definition in a `describe-task-definition` answer, its
/// tags beside it moved in; `None` when the family has none.
fn live_task(answer: Result<Value, AwsError>) -> Result<Option<Value>, AwsError> {
    match answer {
        Ok(v) => {
            // The tags come beside the task definition, not in it.
            let mut td = v["taskDefinition"].clone();
            if let (Some(m), Some(tags)) = (td.as_object_mut(), v.get("tags")) {
                m.insert("tags".to_owned(), tags.clone());
            }
            Ok(Some(td))
        }
        Err(AwsError::Failed(m))
            if m.contains("Unable to describe task definition")
                || m.contains("does not exist")
                || m.contains("ClientException") =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// What one family has live: its latest task definition, its ACTIVE
/// service (when the conversion gives it one) and its schedule's answer.
struct Live {
    task: Option<Value>,
    service: Option<Option<Value>>,
    schedule: Option<Result<Value, AwsError>>,
}

/// The plans of `families`, read in one round of calls: each family's
/// latest task definition and schedule, and the services ten a
/// `describe-services`. An error names the family it was reading.
pub(crate) fn plan_families(
    aws: &Aws,
    conversion: &Conversion,
    families: &[&str],
) -> Result<Vec<FamilyPlan>, (String, AwsError)> {
    let mut round = Round::default();
    let tds: Vec<usize> = families
        .iter()
        .map(|f| {
            round.add(&[
                "ecs",
                "describe-task-definition",
                "--task-definition",
                f,
                "--include",
                "TAGS",
            ])
        })
        .collect();
    let wanted = crate::steps::family::services(conversion, families.iter().copied());
    let asked = round.services(&wanted);
    let schedules: Vec<Option<usize>> = families
        .iter()
        .map(|f| {
            let s = conversion.schedules.get(*f)?;
            Some(round.add(&["scheduler", "get-schedule", "--name", &s.name]))
        })
        .collect();
    let mut answers = round.run(aws);
    let mut plans = Vec::new();
    for ((family, td), schedule) in families.iter().zip(tds).zip(schedules) {
        let failed = |e| ((*family).to_owned(), e);
        let service = match conversion.services.get(*family) {
            Some(svc) => Some(
                answers
                    .active(&asked, &cluster_of(conversion, family), &svc.service_name)
                    .map_err(failed)?,
            ),
            None => None,
        };
        let live = Live {
            task: live_task(answers.take(td)).map_err(failed)?,
            service,
            schedule: schedule.map(|t| answers.take(t)),
        };
        plans.push(plan_family(conversion, family, live, aws.region.as_deref()).map_err(failed)?);
    }
    Ok(plans)
}

/// What `deploy` would change in `family`, given what is live.
fn plan_family(
    conversion: &Conversion,
    family: &str,
    live: Live,
    region: Option<&str>,
) -> Result<FamilyPlan, AwsError> {
    let td = &conversion.task_definitions[family];
    let ours = serde_json::to_value(td).unwrap_or_default();
    let mut plan = FamilyPlan {
        family: family.to_owned(),
        ..FamilyPlan::default()
    };
    let Live {
        task: live,
        service: active,
        schedule,
    } = live;
    if let Some(live) = &live {
        plan.live_revision = live["revision"].as_u64().map(|r| format!("{family}:{r}"));
        plan.live_arn = live["taskDefinitionArn"].as_str().map(str::to_owned);
        diff("", "", &ours, live, &mut plan.task);
    }
    let mut live_count = None;
    if let (Some(svc), Some(active)) = (conversion.services.get(family), active) {
        let mut create = serde_json::to_value(svc).unwrap_or_default();
        plan.service = Some(active.map(|live| {
            live_count = live["desiredCount"].as_u64();
            // Application Auto Scaling owns a scaled service's count.
            if conversion.scaling.contains_key(family) {
                if let Some(m) = create.as_object_mut() {
                    m.remove("desiredCount");
                }
            }
            let mut changes = Vec::new();
            let primary = live["deployments"]
                .as_array()
                .and_then(|d| d.iter().find(|d| d["status"] == "PRIMARY"))
                .cloned()
                .unwrap_or_default();
            // `deploy` tags a live service with tag-resource (update-service
            // takes no tags): a tag to add is a change.
            for member in UPDATABLE.iter().chain(&["tags"]) {
                let Some(v) = create.get(*member) else {
                    continue;
                };
                // describe-services reports some members only on the
                // deployment (Service Connect), and a server may report
                // none of some (moto: deploymentConfiguration): what is
                // not reported cannot be compared.
                let w = [&live[*member], &primary[*member]]
                    .into_iter()
                    .find(|w| !w.is_null());
                if let Some(w) = w {
                    diff(member, member, v, w, &mut changes);
                }
            }
            changes
        }));
    }
    if conversion.jobs.contains_key(family) {
        plan.other
            .push("the job runs (run-task), as on every deploy".to_owned());
    }
    if let (Some(s), Some(answer)) = (conversion.schedules.get(family), schedule) {
        schedule_plan(answer, s, &mut plan)?;
    }
    // What it costs now, and after.
    let table = cost::table();
    let pricing = conversion.overlay.pricing.as_ref();
    let tasks = conversion
        .services
        .get(family)
        .map_or(1, |s| s.desired_count);
    let after = cost::priced(
        &table,
        pricing,
        region,
        family,
        td,
        tasks,
        conversion.services.contains_key(family),
    )
    .monthly;
    let before = live.as_ref().and_then(|l| {
        let count = live_count? as u32;
        let mut as_live = td.clone();
        as_live.cpu = l["cpu"].as_str().map(str::to_owned);
        as_live.memory = l["memory"].as_str().map(str::to_owned);
        cost::priced(&table, pricing, region, family, &as_live, count, true).monthly
    });
    plan.cost = Some((before, after));
    Ok(plan)
}

/// What happens to a family's schedule: created, updated (its own
/// members differ, or the task definition it runs does), or nothing.
fn schedule_plan(
    answer: Result<Value, AwsError>,
    s: &Schedule,
    plan: &mut FamilyPlan,
) -> Result<(), AwsError> {
    match answer {
        Ok(live) => {
            let mut ours = serde_json::to_value(s).unwrap_or_default();
            // The live one runs a revision; ours names the family.
            ours["Target"]["EcsParameters"]["TaskDefinitionArn"] =
                live["Target"]["EcsParameters"]["TaskDefinitionArn"].clone();
            let mut changes = Vec::new();
            for member in [
                "ScheduleExpression",
                "ScheduleExpressionTimezone",
                "FlexibleTimeWindow",
                "Target",
                "State",
            ] {
                if let Some(v) = ours.get(member) {
                    diff(member, member, v, &live[member], &mut changes);
                }
            }
            changes.retain(|c| c.path != "Target.RetryPolicy");
            if !changes.is_empty() || !plan.task.is_empty() {
                plan.other.push(format!("schedule {} is updated", s.name));
            }
        }
        Err(AwsError::Failed(m)) if m.contains("ResourceNotFound") => {
            plan.other.push(format!(
                "schedule {} is created ({})",
                s.name, s.schedule_expression
            ));
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// `deploy --plan`: the plan of `families`, shown on stderr; the live
/// revisions (ARN, `family:revision`) of the task definitions that would
/// not change, which `deploy` then uses instead of registering equal ones.
pub(crate) fn show(
    aws: &Aws,
    conversion: &Conversion,
    families: &[&str],
    reporter: Reporter,
) -> Result<std::collections::BTreeMap<String, (String, String)>, AwsError> {
    let mut reuse = std::collections::BTreeMap::new();
    let mut changed = 0;
    let plans = plan_families(aws, conversion, families).map_err(|(_, e)| e)?;
    for (family, p) in families.iter().zip(plans) {
        for line in plan_text(&p, conversion).lines() {
            reporter.progress(line);
        }
        changed += usize::from(p.changes());
        if let (true, Some(arn), Some(revision)) = (p.task.is_empty(), p.live_arn, p.live_revision)
        {
            reuse.insert((*family).to_owned(), (arn, revision));
        }
    }
    report_summary(reporter, changed, families.len());
    Ok(reuse)
}

fn dollars(v: f64) -> String {
    format!("${v:.2}")
}

pub(crate) fn report_summary(reporter: Reporter, changed: usize, all: usize) {
    if changed == 0 {
        reporter.done(&format!(
            "plan: no changes in {}",
            plural(all, "family", "families")
        ));
    } else {
        reporter.progress(&format!(
            "plan: {changed} of {} change{}; `compose2ecs deploy` applies them (exit status {CHANGES}: changes pending)",
            plural(all, "family", "families"),
            if changed == 1 { "s" } else { "" }
        ));
    }
}

fn changes_json(changes: &[Change], conversion: &Conversion) -> Vec<Value> {
    changes
        .iter()
        .map(|c| json!({"path": c.path, "live": shown(&c.path, &c.live, conversion), "ours": shown(&c.path, &c.ours, conversion)}))
        .collect()
}

pub(crate) fn plan_json(p: &FamilyPlan, conversion: &Conversion) -> Value {
    let mut doc = Map::new();
    doc.insert("family".into(), p.family.clone().into());
    doc.insert(
        "taskDefinition".into(),
        json!({
            "state": match (&p.live_revision, p.task.is_empty()) {
                (None, _) => "new",
                (Some(_), true) => "unchanged",
                (Some(_), false) => "new-revision",
            },
            "live": p.live_revision,
            "changes": changes_json(&p.task, conversion),
        }),
    );
    if let Some(s) = &p.service {
        doc.insert(
            "service".into(),
            match s {
                None => json!({"state": "new"}),
                Some(c) => json!({"state": if c.is_empty() { "unchanged" } else { "changed" }, "changes": changes_json(c, conversion)}),
            },
        );
    }
    doc.insert("other".into(), p.other.clone().into());
    if let Some((before, after)) = p.cost {
        doc.insert(
            "monthlyCost".into(),
            json!({"live": before, "planned": after, "currency": "USD"}),
        );
    }
    Value::Object(doc)
}

pub(crate) fn plan_text(p: &FamilyPlan, conversion: &Conversion) -> String {
    let mut out = String::new();
    let line = |c: &Change| {
        format!(
            "    {}: {} → {}\n",
            c.path,
            shown(&c.path, &c.live, conversion),
            shown(&c.path, &c.ours, conversion)
        )
    };
    let mark = if p.changes() { "~" } else { "=" };
    match &p.live_revision {
        None => out.push_str(&format!(
            "+ {}: a new family (task definition {}:1)\n",
            p.family, p.family
        )),
        Some(r) if p.task.is_empty() => out.push_str(&format!(
            "{mark} {}: task definition {r}, unchanged\n",
            p.family
        )),
        Some(r) => {
            out.push_str(&format!("~ {}: a new revision after {r}\n", p.family));
            out.extend(p.task.iter().map(line));
        }
    }
    match &p.service {
        Some(None) => out.push_str(&format!("  service {}: created\n", p.family)),
        Some(Some(c)) if c.is_empty() && (p.task.is_empty() && p.live_revision.is_some()) => {
            out.push_str(&format!("  service {}: unchanged\n", p.family));
        }
        Some(Some(c)) => {
            out.push_str(&format!(
                "  service {}: updated{}\n",
                p.family,
                if p.task.is_empty() {
                    ""
                } else {
                    " to the new revision"
                }
            ));
            out.extend(c.iter().map(line));
        }
        None => {}
    }
    for o in &p.other {
        out.push_str(&format!("  {o}\n"));
    }
    if let Some((before, after)) = p.cost {
        match (before, after) {
            (Some(b), Some(a)) if (a - b).abs() >= 0.005 => out.push_str(&format!(
                "  cost: {} → {} a month ({}{})\n",
                dollars(b),
                dollars(a),
                if a > b { "+" } else { "-" },
                dollars((a - b).abs())
            )),
            (_, Some(a)) => out.push_str(&format!("  cost: {} a month\n", dollars(a))),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn credential_like_values_are_not_shown() {
        assert!(hidden(
            "containerDefinitions[web].environment[DB_PASSWORD].value"
        ));
        assert!(hidden(
            "containerDefinitions[web].environment[api_key].value"
        ));
        assert!(!hidden(
            "containerDefinitions[web].environment[LOG_LEVEL].value"
        ));
    }
}
