//! The values a stack takes as parameters: the network of awsvpc tasks,
//! and the images and roles, one parameter per distinct value.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::{Ids, Parameter, reference};
use crate::conversion::Conversion;
use crate::ecs::NetworkMode;

/// The cluster, subnets and security groups as parameters, defaulting to
/// the overlay's.
pub(super) struct Network {
    subnets: Option<String>,
    security_groups: Option<String>,
    overlay_subnets: Vec<String>,
    overlay_groups: Vec<String>,
    assign_public_ip: &'static str,
}

impl Network {
    pub(super) fn new(
        conversion: &Conversion,
        ids: &mut Ids,
        parameters: &mut IndexMap<String, Parameter>,
    ) -> Network {
        let n = &conversion.overlay.network;
        let needed = conversion
            .services
            .keys()
            .chain(conversion.schedules.keys())
            .any(|f| conversion.task_definitions[f].network_mode == NetworkMode::Awsvpc.as_str());
        let mut param = |base: &str, kind: &'static str, what: &str, values: &[String]| {
            needed.then(|| {
                let id = ids.claim(base);
                parameters.insert(
                    id.clone(),
                    Parameter {
                        kind,
                        description: format!(
                            "The {what} of the awsvpc tasks (compose2ecs.yaml `network`)"
                        ),
                        default: (!values.is_empty()).then(|| values.join(",")),
                    },
                );
                id
            })
        };
        let subnets = param(
            "Subnets",
            "List<AWS::EC2::Subnet::Id>",
            "subnets",
            &n.subnets,
        );
        let security_groups = param(
            "SecurityGroups",
            "List<AWS::EC2::SecurityGroup::Id>",
            "security groups",
            &n.security_groups,
        );
        Network {
            subnets,
            security_groups,
            overlay_subnets: n.subnets.clone(),
            overlay_groups: n.security_groups.clone(),
            assign_public_ip: if n.assign_public_ip == Some(true) {
                "ENABLED"
            } else {
                "DISABLED"
            },
        }
    }

    /// The network of an awsvpc task at `members[key]`: the overlay's
    /// subnets and groups become the parameters, and a task without a
    /// network (the overlay gave none) gets the parameters, which
    /// `aws cloudformation deploy` then asks for.
    pub(super) fn apply(&self, members: &mut Value, key: &str, awsvpc: bool) {
        let (Some(subnets), Some(groups)) = (&self.subnets, &self.security_groups) else {
            return;
        };
        if !awsvpc {
            return;
        }
        let vpc = members
            .get(key)
            .and_then(|n| {
                n.as_object()
                    .and_then(|m| m.values().next())
                    .cloned()
            })
            .unwrap_or_else(|| {
                json!({ "subnets": [], "securityGroups": [], "assignPublicIp": self.assign_public_ip })
            });
        let list = |v: &Value, names: &[&str]| -> Vec<String> {
            names
                .iter()
                .find_map(|n| v.get(*n))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let given_subnets = list(&vpc, &["subnets", "Subnets"]);
        let given_groups = list(&vpc, &["securityGroups", "SecurityGroups"]);
        let public = ["assignPublicIp", "AssignPublicIp"]
            .iter()
            .find_map(|n| vpc.get(*n))
            .cloned()
            .unwrap_or_else(|| self.assign_public_ip.into());
        let pick = |given: Vec<String>, overlay: &[String], param: &str| -> Value {
            if given.is_empty() || given == overlay {
                reference(param)
            } else {
                given.into()
            }
        };
        members[key] = json!({ "AwsvpcConfiguration": {
            "Subnets": pick(given_subnets, &self.overlay_subnets, subnets),
            "SecurityGroups": pick(given_groups, &self.overlay_groups, groups),
            "AssignPublicIp": public,
        }});
    }
}

/// Values a deploy passes in: one parameter per distinct value, named
/// after its first user (`WebImage`, `ExecutionRoleArn`), or after its
/// family too when that name is taken (`ShopWorkerWorkerImage`), so a deploy can pass a
/// new tag or digest (`--parameter-overrides WebImage=…@sha256:…`) or
/// another account's role. A value holding a `<placeholder>` is no default:
/// the parameter is then required.
#[derive(Default)]
pub(super) struct Passed {
    by_value: IndexMap<(&'static str, String), String>,
}

impl Passed {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reference(
        &mut self,
        ids: &mut Ids,
        parameters: &mut IndexMap<String, Parameter>,
        what: &'static str,
        bases: [&str; 2],
        value: &str,
        user: &str,
    ) -> Value {
        if let Some(id) = self.by_value.get(&(what, value.to_owned())) {
            if let Some(p) = parameters.get_mut(id) {
                p.description.push_str(&format!(", {user}"));
            }
            return reference(id);
        }
        let id = ids.claim(if ids.0.contains(bases[0]) {
            bases[1]
        } else {
            bases[0]
        });
        let placeholder = value.contains('<') && value.contains('>');
        parameters.insert(
            id.clone(),
            Parameter {
                kind: "String",
                description: if placeholder {
                    format!("The {what} (compose2ecs gives the placeholder {value}) of {user}")
                } else {
                    format!("The {what} of {user}")
                },
                default: (!placeholder).then(|| value.to_owned()),
            },
        );
        self.by_value.insert((what, value.to_owned()), id.clone());
        reference(&id)
    }
}
