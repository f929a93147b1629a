//! `ports` and `expose` → `portMappings`.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::PortMapping;
use crate::model::Port;
use crate::overlay::NetworkMode;

use super::Platform;

/// On `awsvpc` (and `host`) the task's own interface exposes the container
/// port, so `hostPort` is left out and a different published port is reported.
/// On `bridge` the published port is kept, and 0 (a dynamic port) when none is
/// published. Duplicates (the same port and protocol) are written once.
pub(super) fn port_mappings(
    platform: Platform,
    ports: &[Port],
    sink: &mut Sink,
) -> Vec<PortMapping> {
    let mut out: Vec<PortMapping> = Vec::with_capacity(ports.len());
    let mut seen: Vec<(u16, u16, &str)> = Vec::new();
    for p in ports {
        let key = (p.target.start, p.target.end, p.protocol.as_str());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if let Some(ip) = &p.host_ip {
            sink.push(
                Diagnostic::warning(
                    Code::HostIpDropped,
                    format!("host IP `{ip}` is ignored: ECS cannot bind a port to one address"),
                )
                .with_path(&p.path)
                .at(Some(&p.loc))
                .with_help("restrict who can connect with the service's security groups"),
            );
        }
        let host_port = match platform.network_mode {
            NetworkMode::Bridge => {
                if p.target.is_range() {
                    None
                } else {
                    Some(p.published.map_or(0, |h| h.start))
                }
            }
            _ => {
                if let Some(published) = p.published.filter(|h| *h != p.target) {
                    sink.push(
                        Diagnostic::warning(
                            Code::HostPortDropped,
                            format!(
                                "published port {published} is ignored: on {} the container listens on {} directly",
                                platform.network_mode.as_str(),
                                p.target
                            ),
                        )
                        .with_path(&p.path)
                        .at(Some(&p.loc))
                        .with_help(format!(
                            "map port {published} to {} in the load balancer's listener, or make the container listen on {published}",
                            p.target
                        )),
                    );
                }
                None
            }
        };
        let (container_port, container_port_range) = if p.target.is_range() {
            (None, Some(p.target.to_string()))
        } else {
            (Some(p.target.start), None)
        };
        let app_protocol = match p.app_protocol.as_deref() {
            None => None,
            Some(a @ ("http" | "http2" | "grpc")) => Some(a.to_owned()),
            Some(other) => {
                sink.push(
                    Diagnostic::warning(
                        Code::UnsupportedKey,
                        format!("app_protocol `{other}` is not one ECS knows (http, http2, grpc) and is dropped"),
                    )
                    .with_path(format!("{}.app_protocol", p.path))
                    .at(Some(&p.loc)),
                );
                None
            }
        };
        out.push(PortMapping {
            container_port,
            host_port,
            protocol: p.protocol.clone(),
            container_port_range,
            name: p.name.clone(),
            app_protocol,
        });
    }
    out
}
