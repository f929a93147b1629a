//! `ports` and `expose`.

use crate::diagnostic::Sink;
use crate::load::yaml::{Node, Value};

use super::read::*;
use super::*;

pub(super) fn parse_range(text: &str) -> Option<PortRange> {
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let p = text.trim().parse().ok()?;
            (p, p)
        }
    };
    (a > 0 && a <= b).then_some(PortRange { start: a, end: b })
}

/// Parses the short syntax `[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]`.
pub(crate) fn parse_short_port(
    text: &str,
) -> Result<(Option<String>, Option<PortRange>, PortRange, String), String> {
    let (spec, protocol) = match text.rsplit_once('/') {
        Some((s, p)) => (s, p.to_ascii_lowercase()),
        None => (text, "tcp".to_owned()),
    };
    let (ip, rest) = if let Some(after) = spec.strip_prefix('[') {
        let (ip, rest) = after
            .split_once("]:")
            .ok_or_else(|| format!("`{text}`: an IPv6 host address is written `[::1]:8080:80`"))?;
        (Some(ip.to_owned()), rest)
    } else {
        (None, spec)
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let bad = |what: &str| {
        format!(
            "`{text}`: {what}; write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, with an optional /udp"
        )
    };
    let (ip, host, container) = match (ip, parts.as_slice()) {
        (None, [c]) => (None, None, *c),
        (None, [h, c]) => (None, Some(*h), *c),
        (None, [i, h, c]) => (Some((*i).to_owned()), Some(*h), *c),
        (Some(ip), [h, c]) => (Some(ip), Some(*h), *c),
        _ => return Err(bad("too many `:`")),
    };
    let container = parse_range(container)
        .ok_or_else(|| bad("the container port is not a port (1-65535) or a range"))?;
    let host = match host {
        None | Some("") => None,
        Some(h) => Some(
            parse_range(h)
                .ok_or_else(|| bad("the host port is not a port (1-65535) or a range"))?,
        ),
    };
    Ok((ip.filter(|i| !i.is_empty()), host, container, protocol))
}

pub(super) fn check_protocol(sink: &mut Sink, node: &Node, path: &str, protocol: &str) -> bool {
    if matches!(protocol, "tcp" | "udp") {
        true
    } else {
        value_error(
            sink,
            node,
            path,
            format!("protocol `{protocol}` is not supported by ECS; use tcp or udp"),
        );
        false
    }
}

pub(super) fn ports(sink: &mut Sink, node: &Node, path: &str, out: &mut Vec<Port>) {
    let Some(items) = node.as_seq() else {
        type_error(sink, node, path, "a list");
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        match &item.value {
            Value::Scalar(s) => match parse_short_port(&s.text) {
                Ok((host_ip, published, target, protocol)) => {
                    if !check_protocol(sink, item, &p, &protocol) {
                        continue;
                    }
                    if published.is_some_and(|h| h.end - h.start != target.end - target.start) {
                        value_error(
                            sink,
                            item,
                            &p,
                            format!("`{}`: the host and container ranges differ in size", s.text),
                        );
                        continue;
                    }
                    out.push(Port {
                        target,
                        published,
                        host_ip,
                        protocol,
                        name: None,
                        app_protocol: None,
                        loc: item.loc.clone(),
                        path: p,
                    });
                }
                Err(m) => value_error(sink, item, &p, m),
            },
            Value::Map(map) => {
                let mut port = Port {
                    target: PortRange { start: 0, end: 0 },
                    published: None,
                    host_ip: None,
                    protocol: "tcp".to_owned(),
                    name: None,
                    app_protocol: None,
                    loc: item.loc.clone(),
                    path: p.clone(),
                };
                let mut ok = true;
                for (k, e) in map {
                    let kp = child(&p, k);
                    let text = match &e.value.value {
                        Value::Scalar(s) => s.text.clone(),
                        Value::Null => continue,
                        _ => {
                            type_error(sink, &e.value, &kp, "a string or a number");
                            ok = false;
                            continue;
                        }
                    };
                    match k.as_str() {
                        "target" => match parse_range(&text) {
                            Some(r) => port.target = r,
                            None => {
                                value_error(
                                    sink,
                                    &e.value,
                                    &kp,
                                    format!("`{text}` is not a port (1-65535)"),
                                );
                                ok = false;
                            }
                        },
                        "published" => match parse_range(&text) {
                            Some(r) => port.published = Some(r),
                            None => {
                                value_error(
                                    sink,
                                    &e.value,
                                    &kp,
                                    format!("`{text}` is not a port (1-65535) or a range"),
                                );
                                ok = false;
                            }
                        },
                        "host_ip" => port.host_ip = Some(text),
                        "protocol" => {
                            let proto = text.to_ascii_lowercase();
                            ok &= check_protocol(sink, &e.value, &kp, &proto);
                            port.protocol = proto;
                        }
                        "name" => port.name = Some(text),
                        "app_protocol" => port.app_protocol = Some(text.to_ascii_lowercase()),
                        "mode" => report_nested("ports[].mode", &kp, &e.key_loc, sink),
                        x if x.starts_with("x-") => {}
                        _ => unsupported_nested(sink, k, &kp, &e.key_loc),
                    }
                }
                if port.target.start == 0 && ok {
                    value_error(
                        sink,
                        item,
                        &p,
                        "a port in the long syntax needs `target`".to_owned(),
                    );
                    ok = false;
                }
                if ok {
                    out.push(port);
                }
            }
            _ => type_error(sink, item, &p, "a port string or a mapping"),
        }
    }
}

pub(super) fn expose(sink: &mut Sink, node: &Node, path: &str, out: &mut Vec<Port>) {
    let Some(items) = node.as_seq() else {
        type_error(sink, node, path, "a list");
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Some(text) = scalar(sink, item, &p) else {
            continue;
        };
        let (spec, protocol) = match text.rsplit_once('/') {
            Some((s, proto)) => (s, proto.to_ascii_lowercase()),
            None => (text.as_str(), "tcp".to_owned()),
        };
        match parse_range(spec) {
            Some(target) if check_protocol(sink, item, &p, &protocol) => out.push(Port {
                target,
                published: None,
                host_ip: None,
                protocol,
                name: None,
                app_protocol: None,
                loc: item.loc.clone(),
                path: p,
            }),
            Some(_) => {}
            None => value_error(
                sink,
                item,
                &p,
                format!("`{text}` is not a port (1-65535) or a range"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ports() {
        let (ip, host, c, proto) = parse_short_port("127.0.0.1:8000:8080/udp").unwrap();
        assert_eq!(ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(
            host,
            Some(PortRange {
                start: 8000,
                end: 8000
            })
        );
        assert_eq!(
            c,
            PortRange {
                start: 8080,
                end: 8080
            }
        );
        assert_eq!(proto, "udp");
        let (_, host, c, _) = parse_short_port("9000-9002:9000-9002").unwrap();
        assert_eq!(host.unwrap().end, 9002);
        assert!(c.is_range());
        let (ip, _, c, _) = parse_short_port("[::1]:80:8080").unwrap();
        assert_eq!(ip.as_deref(), Some("::1"));
        assert_eq!(c.start, 8080);
        assert!(parse_short_port("0:80").is_err());
        assert!(parse_short_port("70000").is_err());
        assert!(parse_short_port("a:b:c:d").is_err());
    }
}
