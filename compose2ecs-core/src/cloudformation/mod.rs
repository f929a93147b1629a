//! The CloudFormation target: one stack template holding what the JSON
//! outputs hold — a task definition per family, a service per service,
//! the scaling and the schedules, and the log groups the overlay has ECS
//! create — made from the same [`Conversion`], so nothing is converted twice.
//!
//! Every resource's `Properties` are the API request's members under
//! CloudFormation's names (read off cfn-lint's resource schemas), with what a stack parameterises
//! replaced: the cluster, the subnets and security groups, the images, and
//! the references between the stack's own resources. Jobs are task
//! definitions only: a stack has no "run once, wait for exit 0", so
//! `compose2ecs run` runs them ([`Template::jobs_first`]).

mod names;
mod params;
mod patch;
mod yaml;

pub(crate) use self::patch::check as check_patch;

use self::params::{Network, Passed};

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde_json::{Value, json};

use self::yaml::Tree;

use crate::conversion::Conversion;
use crate::ecs::NetworkMode;

/// A CloudFormation template of the whole project.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    body: Body,
    jobs_first: Vec<(String, String)>,
    /// The overlay's `cloudformation`, with Docker's resource names read.
    patch: Option<Value>,
}

impl Template {
    fn tree(&self) -> Tree {
        let mut tree = self.body.tree();
        if let Some(p) = &self.patch {
            patch::merge(&mut tree, p);
        }
        tree
    }

    /// As YAML, the form `<project>.cloudformation.yaml` holds.
    pub fn to_yaml(&self) -> String {
        yaml::to_yaml(&self.tree())
    }

    /// As JSON (`--template-format json`).
    pub fn to_json(&self) -> String {
        crate::ecs::to_json(&self.tree())
    }

    /// The template as a JSON value.
    pub fn value(&self) -> Value {
        serde_json::to_value(self.tree()).unwrap_or_default()
    }

    /// (service family, job family) for each service whose compose service
    /// waits for a job to complete: the stack does not run jobs, so
    /// `compose2ecs run` must have run the job (its compose service) before
    /// the stack is deployed.
    pub fn jobs_first(&self) -> &[(String, String)] {
        &self.jobs_first
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Body {
    description: String,
    parameters: IndexMap<String, Parameter>,
    resources: IndexMap<String, Resource>,
    outputs: IndexMap<String, Output>,
}

fn s(v: &str) -> Tree {
    Tree::Scalar(Value::String(v.to_owned()))
}

impl Body {
    /// In the order templates are read: parameters, then resources in
    /// compose order, then outputs.
    fn tree(&self) -> Tree {
        let mut top = vec![
            ("AWSTemplateFormatVersion".to_owned(), s("2010-09-09")),
            ("Description".to_owned(), s(&self.description)),
        ];
        let parameters = self
            .parameters
            .iter()
            .map(|(id, p)| {
                let mut m = vec![
                    ("Type".to_owned(), s(p.kind)),
                    ("Description".to_owned(), s(&p.description)),
                ];
                if let Some(d) = &p.default {
                    m.push(("Default".to_owned(), s(d)));
                }
                (id.clone(), Tree::Map(m))
            })
            .collect();
        top.push(("Parameters".to_owned(), Tree::Map(parameters)));
        let resources = self
            .resources
            .iter()
            .map(|(id, r)| {
                let mut m = vec![("Type".to_owned(), s(r.kind))];
                if !r.depends_on.is_empty() {
                    m.push((
                        "DependsOn".to_owned(),
                        Tree::List(r.depends_on.iter().map(|d| s(d)).collect()),
                    ));
                }
                m.push(("Properties".to_owned(), Tree::from(&r.properties)));
                (id.clone(), Tree::Map(m))
            })
            .collect();
        top.push(("Resources".to_owned(), Tree::Map(resources)));
        if !self.outputs.is_empty() {
            let outputs = self
                .outputs
                .iter()
                .map(|(id, o)| {
                    let m = vec![
                        ("Description".to_owned(), s(&o.description)),
                        ("Value".to_owned(), Tree::from(&o.value)),
                    ];
                    (id.clone(), Tree::Map(m))
                })
                .collect();
            top.push(("Outputs".to_owned(), Tree::Map(outputs)));
        }
        Tree::Map(top)
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Parameter {
    kind: &'static str,
    description: String,
    default: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Resource {
    kind: &'static str,
    depends_on: Vec<String>,
    properties: Value,
}

#[derive(Debug, Clone, PartialEq)]
struct Output {
    description: String,
    value: Value,
}

/// `Name-With_parts` → `NameWithParts`: a logical ID's letters and digits.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(capitalized)
        .collect()
}

/// `word` with its first letter upper case.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|f| f.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The logical IDs given so far: parameters and resources share one space.
#[derive(Default)]
struct Ids(pub(super) BTreeSet<String>);

impl Ids {
    fn claim(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "Resource" } else { base };
        let mut id = base.to_owned();
        let mut n = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}{n}");
            n += 1;
        }
        id
    }
}

fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

/// The template of `conversion`, with the overlay's `cloudformation` patch
/// merged in. An error names an API member that CloudFormation has no
/// property for, so nothing is dropped unsaid.
pub fn template(conversion: &Conversion) -> Result<Template, String> {
    let mut t = unpatched(conversion)?;
    t.patch = conversion
        .overlay
        .cloudformation
        .as_ref()
        .map(|p| patch::resolved(&t.body, conversion, p));
    Ok(t)
}

/// The template as compose2ecs makes it, before any patch.
fn unpatched(conversion: &Conversion) -> Result<Template, String> {
    let mut ids = Ids::default();
    let mut parameters = IndexMap::new();
    let mut resources = IndexMap::new();
    let mut outputs = IndexMap::new();
    let overlay = &conversion.overlay;

    let cluster = ids.claim("Cluster");
    parameters.insert(
        cluster.clone(),
        Parameter {
            kind: "String",
            description: "The ECS cluster the services run in (compose2ecs.yaml `cluster`)".into(),
            default: Some(overlay.cluster.clone().unwrap_or_else(|| "default".into())),
        },
    );
    let network = Network::new(conversion, &mut ids, &mut parameters);

    // Logical IDs per family, in compose order.
    let families: IndexMap<&str, String> = conversion
        .task_definitions
        .keys()
        .map(|f| (f.as_str(), ids.claim(&pascal(f))))
        .collect();
    let mut passed = Passed::default();

    // Log groups the overlay has ECS create: the stack creates them instead.
    let all: Vec<&str> = conversion
        .task_definitions
        .keys()
        .map(String::as_str)
        .collect();
    let log_groups: IndexMap<&str, String> = conversion
        .created_log_groups(&all)
        .into_iter()
        .map(|g| (g, ids.claim(&format!("{}LogGroup", pascal(g)))))
        .collect();
    for (group, id) in &log_groups {
        let mut props = json!({ "LogGroupName": group });
        if let Some(days) = overlay.logs.retention_days {
            props["RetentionInDays"] = days.into();
        }
        resources.insert(
            id.clone(),
            Resource {
                kind: "AWS::Logs::LogGroup",
                depends_on: Vec::new(),
                properties: names::properties("AWS::Logs::LogGroup", &props)?,
            },
        );
    }

    let mut task_ids = IndexMap::new();
    for (family, td) in &conversion.task_definitions {
        let id = ids.claim(&format!("{}TaskDefinition", families[family.as_str()]));
        let mut props = names::properties(
            "AWS::ECS::TaskDefinition",
            &serde_json::to_value(td).unwrap_or_default(),
        )?;
        let mut depends_on = Vec::new();
        if let Some(containers) = props
            .get_mut("ContainerDefinitions")
            .and_then(Value::as_array_mut)
        {
            for (c, def) in containers.iter_mut().zip(&td.container_definitions) {
                let fam = &families[family.as_str()];
                let name = pascal(&def.name);
                c["Image"] = passed.reference(
                    &mut ids,
                    &mut parameters,
                    "image",
                    [&format!("{name}Image"), &format!("{fam}{name}Image")],
                    &def.image,
                    &format!("{family}/{}", def.name),
                );
                let group = def
                    .log_configuration
                    .as_ref()
                    .and_then(|l| l.options.get("awslogs-group"))
                    .and_then(|g| log_groups.get(g.as_str()));
                if let Some(g) = group {
                    if !depends_on.contains(g) {
                        depends_on.push(g.clone());
                    }
                }
            }
        }
        let fam = &families[family.as_str()];
        for (role, member, base) in [
            ("execution role", "ExecutionRoleArn", "ExecutionRoleArn"),
            ("task role", "TaskRoleArn", "TaskRoleArn"),
        ] {
            if let Some(arn) = props.get(member).and_then(Value::as_str).map(str::to_owned) {
                props[member] = passed.reference(
                    &mut ids,
                    &mut parameters,
                    role,
                    [base, &format!("{fam}{base}")],
                    &arn,
                    family,
                );
            }
        }
        resources.insert(
            id.clone(),
            Resource {
                kind: "AWS::ECS::TaskDefinition",
                depends_on,
                properties: props,
            },
        );
        outputs.insert(
            id.clone(),
            Output {
                description: format!("The task definition of {family}"),
                value: reference(&id),
            },
        );
        task_ids.insert(family.as_str(), id);
    }

    let mut service_ids: IndexMap<&str, String> = IndexMap::new();
    for family in conversion.services.keys() {
        let id = ids.claim(&format!("{}Service", families[family.as_str()]));
        service_ids.insert(family.as_str(), id);
    }
    let mut jobs_first = Vec::new();
    for (family, service) in &conversion.services {
        let mut api = serde_json::to_value(service).unwrap_or_default();
        if let Some(members) = api.as_object_mut() {
            members.remove("cluster");
            members.remove("taskDefinition");
        }
        let td = &conversion.task_definitions[family];
        let awsvpc = td.network_mode == NetworkMode::Awsvpc.as_str();
        network.apply(&mut api, "networkConfiguration", awsvpc);
        let mut props = names::properties("AWS::ECS::Service", &api)?;
        props["Cluster"] = reference(&cluster);
        props["TaskDefinition"] = reference(&task_ids[family.as_str()]);
        let mut depends_on = Vec::new();
        for dep in conversion.dependencies.get(family).into_iter().flatten() {
            if let Some(s) = service_ids.get(dep.as_str()) {
                depends_on.push(s.clone());
            } else if conversion.jobs.contains_key(dep) {
                jobs_first.push((family.clone(), dep.clone()));
            }
        }
        let id = service_ids[family.as_str()].clone();
        resources.insert(
            id.clone(),
            Resource {
                kind: "AWS::ECS::Service",
                depends_on,
                properties: props,
            },
        );

        if let Some(scaling) = conversion.scaling.get(family) {
            scaling_resources(
                &mut ids,
                &mut resources,
                scaling,
                &families[family.as_str()],
                &id,
                &cluster,
            )?;
        }
    }

    for (family, schedule) in &conversion.schedules {
        let mut api = serde_json::to_value(schedule).unwrap_or_default();
        let td = &conversion.task_definitions[family];
        let awsvpc = td.network_mode == NetworkMode::Awsvpc.as_str();
        if let Some(ecs) = api.pointer_mut("/Target/EcsParameters") {
            network.apply(ecs, "NetworkConfiguration", awsvpc);
        }
        let mut props = names::properties("AWS::Scheduler::Schedule", &api)?;
        props["Target"]["Arn"] = json!({
            "Fn::Sub": format!(
                "arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:cluster/${{{cluster}}}"
            )
        });
        props["Target"]["EcsParameters"]["TaskDefinitionArn"] =
            reference(&task_ids[family.as_str()]);
        if let Some(arn) = props["Target"]["RoleArn"].as_str().map(str::to_owned) {
            let fam = &families[family.as_str()];
            props["Target"]["RoleArn"] = passed.reference(
                &mut ids,
                &mut parameters,
                "scheduler role",
                ["SchedulerRoleArn", &format!("{fam}SchedulerRoleArn")],
                &arn,
                family,
            );
        }
        let id = ids.claim(&format!("{}Schedule", families[family.as_str()]));
        resources.insert(
            id,
            Resource {
                kind: "AWS::Scheduler::Schedule",
                depends_on: Vec::new(),
                properties: props,
            },
        );
    }

    let project = &conversion.project;
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut description = format!(
        "compose2ecs: the compose project {project} ({}, {})",
        count(conversion.task_definitions.len(), "task definition"),
        count(conversion.services.len(), "service"),
    );
    if !conversion.jobs.is_empty() {
        let jobs: Vec<&str> = conversion.jobs.keys().map(String::as_str).collect();
        description.push_str(&format!(
            "; the jobs {} are task definitions only: compose2ecs run starts them",
            jobs.join(", ")
        ));
    }
    Ok(Template {
        body: Body {
            description,
            parameters,
            resources,
            outputs,
        },
        jobs_first,
        patch: None,
    })
}

/// The scalable target, its policies and its scheduled actions.
fn scaling_resources(
    ids: &mut Ids,
    resources: &mut IndexMap<String, Resource>,
    scaling: &crate::ecs::Scaling,
    family_id: &str,
    service_id: &str,
    cluster: &str,
) -> Result<(), String> {
    let t = &scaling.scalable_target;
    let scheduled: Vec<Value> = scaling
        .scheduled_actions
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                // The target says which service.
                for k in ["ServiceNamespace", "ResourceId", "ScalableDimension"] {
                    m.remove(k);
                }
            }
            v
        })
        .collect();
    let mut api = json!({
        "ServiceNamespace": t.service_namespace,
        "ScalableDimension": t.scalable_dimension,
        "MinCapacity": t.min_capacity,
        "MaxCapacity": t.max_capacity,
    });
    if !scheduled.is_empty() {
        api["ScheduledActions"] = scheduled.into();
    }
    if !t.tags.is_empty() {
        api["Tags"] = t
            .tags
            .iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect::<Vec<_>>()
            .into();
    }
    let mut props = names::properties("AWS::ApplicationAutoScaling::ScalableTarget", &api)?;
    props["ResourceId"] = json!({
        "Fn::Sub": format!("service/${{{cluster}}}/${{{service_id}.Name}}")
    });
    let target = ids.claim(&format!("{family_id}ScalableTarget"));
    resources.insert(
        target.clone(),
        Resource {
            kind: "AWS::ApplicationAutoScaling::ScalableTarget",
            depends_on: Vec::new(),
            properties: props,
        },
    );
    for policy in &scaling.scaling_policies {
        let mut v = serde_json::to_value(policy).unwrap_or_default();
        if let Some(m) = v.as_object_mut() {
            // `ScalingTargetId` names the target instead (CloudFormation
            // takes one or the other, not both).
            for k in ["ServiceNamespace", "ResourceId", "ScalableDimension"] {
                m.remove(k);
            }
        }
        let mut props = names::properties("AWS::ApplicationAutoScaling::ScalingPolicy", &v)?;
        props["ScalingTargetId"] = reference(&target);
        let suffix = policy
            .policy_name
            .rsplit('-')
            .next()
            .map(pascal)
            .unwrap_or_default();
        let id = ids.claim(&format!("{family_id}{suffix}ScalingPolicy"));
        resources.insert(
            id,
            Resource {
                kind: "AWS::ApplicationAutoScaling::ScalingPolicy",
                depends_on: Vec::new(),
                properties: props,
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_letters_and_digits_and_unique() {
        assert_eq!(pascal("shop-web_2"), "ShopWeb2");
        assert_eq!(pascal("/ecs/shop-web"), "EcsShopWeb");
        let mut ids = Ids::default();
        assert_eq!(ids.claim("ShopWeb"), "ShopWeb");
        assert_eq!(ids.claim("ShopWeb"), "ShopWeb2");
        assert_eq!(ids.claim("ShopWeb"), "ShopWeb3");
    }
}
