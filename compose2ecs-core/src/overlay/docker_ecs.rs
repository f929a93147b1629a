//! The `x-aws-*` extensions of Docker's retired ECS integration (`docker
//! compose up` on an ECS context), read as the overlay keys they mean, so a
//! file written for it converts as it is. What compose2ecs cannot honour is
//! a located warning naming the overlay key to use; the overlay, where it
//! says the same, wins with a note.

use crate::diagnostic::{Code, Diagnostic, Location, Sink};
use crate::load::yaml::{Entry, Map, Node, Scalar, Value};
use crate::model::AwsExtension;

/// Every extension Docker's ECS integration documented, for the tests.
pub const DOCKER_ECS_EXTENSIONS: &[&str] = &[
    "x-aws-cluster",
    "x-aws-vpc",
    "x-aws-loadbalancer",
    "x-aws-cloudformation",
    "x-aws-pull_credentials",
    "x-aws-role",
    "x-aws-policies",
    "x-aws-autoscaling",
    "x-aws-logs_retention",
    "x-aws-min_percent",
    "x-aws-max_percent",
];

/// The overlay the extensions mean, and the overlay paths they set (with
/// the extension and where it is), to note when the overlay wins.
#[derive(Default)]
pub(crate) struct Implied {
    pub tree: Option<Node>,
    pub mapped: Vec<(Vec<String>, String, Location)>,
}

fn map_node(loc: &Location) -> Node {
    Node {
        value: Value::Map(Map::new()),
        loc: loc.clone(),
        tag: None,
    }
}

/// Sets `value` at `path` in `root`, making the mappings on the way.
fn set(root: &mut Node, path: &[String], value: Node, key_loc: &Location) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for p in parents {
        let Value::Map(m) = &mut node.value else {
            return;
        };
        node = &mut m
            .entry(p.clone())
            .or_insert_with(|| Entry {
                key_loc: key_loc.clone(),
                value: map_node(key_loc),
            })
            .value;
    }
    if let Value::Map(m) = &mut node.value {
        m.insert(
            last.clone(),
            Entry {
                key_loc: key_loc.clone(),
                value,
            },
        );
    }
}

/// Reads the extensions: the overlay they mean, and a diagnostic for each.
pub(crate) fn implied(extensions: &[AwsExtension], sink: &mut Sink) -> Implied {
    let mut out = Implied::default();
    let Some(first) = extensions.first() else {
        return out;
    };
    let mut root = map_node(&first.key_loc);
    for e in extensions {
        let key = e.key.as_str();
        let svc = e.service.as_deref();
        let at = |base: &[&str]| -> Vec<String> {
            let mut p: Vec<String> = match svc {
                Some(s) => vec!["services".to_owned(), s.to_owned()],
                None => Vec::new(),
            };
            p.extend(base.iter().map(|s| (*s).to_owned()));
            p
        };
        let path_text = match svc {
            Some(s) => format!("services.{s}.{key}"),
            None => key.to_owned(),
        };
        let note = |m: String| {
            Diagnostic::note(Code::DockerEcsExtension, m)
                .with_path(path_text.clone())
                .at(Some(&e.key_loc))
        };
        let warn = |m: String, help: String| {
            Diagnostic::warning(Code::DockerEcsExtension, m)
                .with_path(path_text.clone())
                .at(Some(&e.key_loc))
                .with_help(help)
        };
        let scalar = e.value.as_str().is_some();
        let mut mapped: Vec<Vec<String>> = Vec::new();
        match (key, svc) {
            ("x-aws-cluster", None) if scalar => mapped.push(at(&["cluster"])),
            ("x-aws-pull_credentials", Some(_)) if scalar => mapped.push(at(&["pull_credentials"])),
            ("x-aws-role", Some(s)) => match e.value.as_str() {
                Some(arn) if arn.starts_with("arn:") && arn.contains(":role/") => {
                    mapped.push(at(&["roles", "task"]));
                }
                _ => sink.push(warn(
                    format!("`x-aws-role` of `{s}` is a policy for Docker to create a task role with; compose2ecs creates no roles, so the task runs without these permissions"),
                    format!("create a role with this policy (its trust policy naming ecs-tasks.amazonaws.com) and set `services.{s}.roles.task` to its ARN in compose2ecs.yaml"),
                )),
            },
            ("x-aws-policies", Some(s)) => sink.push(warn(
                format!("`x-aws-policies` of `{s}` are managed policies for Docker to attach to a task role it created; compose2ecs creates no roles, so the task runs without them"),
                format!("attach them to a role (`aws iam attach-role-policy --role-name … --policy-arn …`) and set `services.{s}.roles.task` to its ARN"),
            )),
            ("x-aws-autoscaling", Some(s)) => {
                for (k, v) in e.value.as_map().into_iter().flatten() {
                    if matches!(k.as_str(), "min" | "max" | "cpu" | "memory") {
                        set(&mut root, &at(&["scaling", k]), v.value.clone(), &e.key_loc);
                        out.mapped.push((at(&["scaling", k]), key.to_owned(), e.key_loc.clone()));
                    } else {
                        sink.push(warn(
                            format!("`x-aws-autoscaling.{k}` of `{s}` has no counterpart; it is not applied"),
                            format!("`services.{s}.scaling` takes min, max, cpu, memory, requests_per_target and schedule"),
                        ));
                    }
                }
                sink.push(note(format!("`x-aws-autoscaling` of `{s}` is read as `services.{s}.scaling`")));
            }
            ("x-aws-vpc", None) if scalar => {
                mapped.push(at(&["network", "vpc"]));
                sink.push(note(
                    "Docker created a security group per compose network; without `network.security_groups`, ECS gives the tasks the VPC's default security group".to_owned(),
                ));
            }
            ("x-aws-loadbalancer", None) => sink.push(warn(
                "`x-aws-loadbalancer` let Docker create listeners and target groups on that load balancer; compose2ecs creates none, so no service is registered with it".to_owned(),
                "create a target group per exposed service and set `services.<name>.load_balancer: {target_group_arn: …}` in compose2ecs.yaml".to_owned(),
            )),
            ("x-aws-cloudformation", None) => mapped.push(at(&["cloudformation"])),
            // Docker created one log group per project, with this retention.
            ("x-aws-logs_retention", None) if scalar => {
                mapped.push(at(&["logs", "retention_days"]));
                let created = Node::new(
                    Value::Scalar(Scalar { text: "true".to_owned(), plain: true }),
                    e.key_loc.clone(),
                );
                let path = at(&["logs", "create_group"]);
                set(&mut root, &path, created, &e.key_loc);
                out.mapped.push((path, key.to_owned(), e.key_loc.clone()));
                sink.push(note(
                    "Docker created the project's log group: `logs.create_group` is set too".to_owned(),
                ));
            }
            ("x-aws-logs_retention", Some(s)) => sink.push(warn(
                format!("`x-aws-logs_retention` of `{s}` is not read: Docker read it at the top level only, for the project's log group"),
                "move it to the top level, or set `logs: {create_group: true, retention_days: <days>}` in compose2ecs.yaml".to_owned(),
            )),
            ("x-aws-min_percent", Some(_)) => {
                mapped.push(at(&["deployment", "minimum_healthy_percent"]));
            }
            ("x-aws-max_percent", Some(_)) => mapped.push(at(&["deployment", "maximum_percent"])),
            _ if DOCKER_ECS_EXTENSIONS.contains(&key) => {
                let top = matches!(
                    key,
                    "x-aws-cluster" | "x-aws-vpc" | "x-aws-loadbalancer" | "x-aws-cloudformation"
                );
                let what = match (top, svc) {
                    (true, Some(_)) => "Docker read it at the top level only",
                    (false, None) => "Docker read it on a service only",
                    _ => "Docker took a single value here, not this",
                };
                sink.push(warn(
                    format!("`{key}` is not read: {what}"),
                    "write it as Docker documented it, or set its overlay key in compose2ecs.yaml (docs/docker-ecs.md maps each)".to_owned(),
                ));
            }
            _ => sink.push(note(format!(
                "`{key}` is not an extension of Docker's ECS integration that compose2ecs knows; it is ignored"
            ))),
        }
        for path in mapped {
            set(&mut root, &path, e.value.clone(), &e.key_loc);
            sink.push(note(format!(
                "`{key}` is read as the overlay's `{}`",
                path.join(".")
            )));
            out.mapped.push((path, key.to_owned(), e.key_loc.clone()));
        }
    }
    if !out.mapped.is_empty() {
        out.tree = Some(root);
    }
    out
}

/// Notes each extension the overlay overrides.
pub(crate) fn overridden(implied: &Implied, overlay: &Node, sink: &mut Sink) {
    for (path, key, loc) in &implied.mapped {
        let mut node = Some(overlay);
        for p in path {
            node = node.and_then(|n| n.get(p));
        }
        if let Some(n) = node {
            sink.push(
                Diagnostic::note(
                    Code::DockerEcsExtension,
                    format!(
                        "compose2ecs.yaml sets `{}`, which wins over `{key}`",
                        path.join(".")
                    ),
                )
                .with_path(path.join("."))
                .at(Some(&n.loc))
                .with_help(format!(
                    "remove `{key}` from the compose file (at {loc}) once the overlay says it"
                )),
            );
        }
    }
}
