//! One task → one `CreateService` request (`<family>.service.json`).

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::{
    AwsVpcConfiguration, DeploymentCircuitBreaker, DeploymentConfiguration, NetworkConfiguration,
    ServiceConnectClientAlias, ServiceConnectConfiguration, ServiceConnectService,
    ServiceDefinition, ServiceLoadBalancer, TaskDefinition,
};
use crate::model::{Service, Setting, UpdateConfig};
use crate::overlay::{LoadedOverlay, NetworkMode, Overlay, ServiceOverlay};

use super::Platform;

/// Seconds of load balancer health-check grace when the container's own
/// health check gives no start period.
const DEFAULT_GRACE_SECONDS: u32 = 60;

/// `deploy.update_config` as ECS deployment percentages: `parallelism` of
/// `replicas` tasks replaced at a time; `order: start-first` starts the new
/// ones before stopping the old.
pub(super) fn update_percentages(update: &UpdateConfig, replicas: u32) -> (u32, u32) {
    let parallelism = update.parallelism.unwrap_or(1);
    let replicas = replicas.max(1);
    let step = (parallelism.saturating_mul(100))
        .div_ceil(replicas)
        .min(100);
    if update.start_first {
        (100, 100 + step)
    } else {
        (100 - step, 100)
    }
}

/// The compose name clients use for a container: the task owner's name for
/// its own container, else the container's (the compose service's) name.
fn service_name_of(owner: &Service, owner_container: &str, container: &str) -> String {
    if container == owner_container {
        owner.name.clone()
    } else {
        container.to_owned()
    }
}

/// The awsvpc network of the project's services and jobs: the overlay's
/// subnets and security groups (none without subnets).
pub(super) fn network_configuration(
    o: &Overlay,
    platform: Platform,
) -> Option<NetworkConfiguration> {
    (platform.network_mode == NetworkMode::Awsvpc && !o.network.subnets.is_empty()).then(|| {
        NetworkConfiguration {
            awsvpc_configuration: AwsVpcConfiguration {
                subnets: o.network.subnets.clone(),
                security_groups: o.network.security_groups.clone(),
                assign_public_ip: if o.network.assign_public_ip.unwrap_or(false) {
                    "ENABLED"
                } else {
                    "DISABLED"
                }
                .to_owned(),
            },
        }
    })
}

pub(super) fn service_definition(
    overlay: &LoadedOverlay,
    platform: Platform,
    owner: &Service,
    owner_container: &str,
    settings: Option<&ServiceOverlay>,
    td: &TaskDefinition,
    sink: &mut Sink,
) -> ServiceDefinition {
    let o = &overlay.overlay;
    let desired_count = settings
        .and_then(|s| s.desired_count)
        .or(owner.replicas.as_ref().map(|r| r.value))
        .unwrap_or(1);

    let mut load_balancers = Vec::new();
    let mut grace = None;
    if let Some(lb) = settings.and_then(|s| s.load_balancer.as_ref()) {
        let wanted = lb.container.as_deref().unwrap_or(owner_container);
        let path = format!("services.{}.load_balancer", owner.name);
        let at = overlay.value_loc(&["services", &owner.name, "load_balancer"]);
        match td.container_definitions.iter().find(|c| c.name == wanted) {
            None => sink.push(
                Diagnostic::error(
                    Code::IncompatibleSetting,
                    format!("the load balancer sends traffic to `{wanted}`, which is not a container of this task"),
                )
                .with_path(&path)
                .at(at),
            ),
            Some(c) => {
                let port = lb.port.or_else(|| c.port_mappings.iter().find_map(|p| p.container_port));
                match port {
                    Some(port) if lb.port.is_none() || c.port_mappings.iter().any(|p| p.container_port == Some(port)) => {
                        load_balancers.push(ServiceLoadBalancer {
                            target_group_arn: lb.target_group_arn.clone(),
                            container_name: c.name.clone(),
                            container_port: port,
                            advanced_configuration: None,
                        });
                        grace = Some(
                            c.health_check
                                .as_ref()
                                .and_then(|h| h.start_period)
                                .filter(|p| *p > 0)
                                .unwrap_or(DEFAULT_GRACE_SECONDS),
                        );
                    }
                    Some(port) => sink.push(
                        Diagnostic::error(
                            Code::IncompatibleSetting,
                            format!("the load balancer sends traffic to port {port} of `{wanted}`, which does not expose it"),
                        )
                        .with_path(&path)
                        .at(at)
                        .with_help("add the port to the service's `ports` or `expose`"),
                    ),
                    None => sink.push(
                        Diagnostic::error(
                            Code::IncompatibleSetting,
                            format!("the load balancer needs a port, and `{wanted}` has none"),
                        )
                        .with_path(&path)
                        .at(at)
                        .with_help("set `port:` in the overlay's load_balancer, or add `ports` to the service"),
                    ),
                }
            }
        }
    }

    let network_configuration = network_configuration(o, platform);

    let update = owner.others.iter().find_map(|o| match &o.setting {
        Setting::UpdateConfig(u) => Some(u),
        _ => None,
    });
    let (minimum_healthy_percent, maximum_percent) = match update {
        Some(u) => {
            let (min, max) = update_percentages(u, desired_count);
            (Some(min), Some(max))
        }
        None => (None, None),
    };

    // Service Connect: each named port of the task is reachable by the
    // compose name of the service that declares it, on the same port.
    let service_connect_configuration = o.service_connect.as_ref().map(|sc| {
        let mut services = Vec::new();
        for c in &td.container_definitions {
            let named: Vec<_> = c
                .port_mappings
                .iter()
                .filter(|p| p.name.is_some())
                .collect();
            for p in &named {
                let (Some(name), Some(port)) = (&p.name, p.container_port) else {
                    continue;
                };
                let dns = service_name_of(owner, owner_container, &c.name);
                let discovery = if named.len() == 1 {
                    dns.clone()
                } else {
                    format!("{dns}-{name}")
                };
                services.push(ServiceConnectService {
                    port_name: name.clone(),
                    discovery_name: discovery,
                    client_aliases: vec![ServiceConnectClientAlias {
                        port,
                        dns_name: dns,
                    }],
                });
            }
        }
        ServiceConnectConfiguration {
            enabled: true,
            namespace: sc.namespace.clone(),
            services,
        }
    });

    let mut deployment_configuration = DeploymentConfiguration {
        deployment_circuit_breaker: DeploymentCircuitBreaker {
            enable: true,
            rollback: true,
            ..DeploymentCircuitBreaker::default()
        },
        maximum_percent,
        minimum_healthy_percent,
        ..DeploymentConfiguration::default()
    };
    super::strategy::apply(
        overlay,
        &owner.name,
        settings,
        service_connect_configuration.is_some(),
        &mut deployment_configuration,
        &mut load_balancers,
        sink,
    );

    let exec = settings.and_then(|s| s.exec).filter(|e| *e);
    if exec.is_some() && td.task_role_arn.is_none() {
        // "The ECS Exec feature requires a task IAM role" (ECS Developer
        // Guide, "Monitor Amazon ECS containers with ECS Exec").
        sink.push(
            Diagnostic::warning(
                Code::IncompatibleSetting,
                format!("`{}` has `exec: true` and no task role: ECS Exec needs one, to open its Session Manager channels", owner.name),
            )
            .with_path(format!("services.{}.exec", owner.name))
            .at(overlay.key_loc(&["services", &owner.name, "exec"]))
            .with_help("set `roles.task` (or `services.<name>.roles.task`); `compose2ecs policy --task-role` prints what it needs"),
        );
    }
    ServiceDefinition {
        service_connect_configuration,
        cluster: o.cluster.clone(),
        service_name: td.family.clone(),
        task_definition: td.family.clone(),
        desired_count,
        launch_type: platform.launch_type.as_str().to_owned(),
        load_balancers,
        health_check_grace_period_seconds: grace,
        network_configuration,
        deployment_configuration,
        tags: Vec::new(),
        propagate_tags: None,
        enable_execute_command: exec,
        capacity_provider_strategy: Vec::new(),
        platform_version: None,
    }
}
