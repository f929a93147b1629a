//! What a front end must not show when it quotes the user's files: the
//! local values of variables the overlay maps to secrets, and values of
//! variables whose names look secret.
//!
//! Messages themselves never quote values; this is for renderers that print
//! the source line a diagnostic points at (as the CLI does).

use std::collections::BTreeSet;

use crate::input::Input;
use crate::yaml::{self, Node, Value};

/// The mask that replaces a hidden value.
pub const MASK: &str = "********";

/// Values shorter than this are not searched for (they would mask half the
/// file); they are still never written, since mapped variables are removed.
const MIN_LEN: usize = 4;

/// The names the overlay maps to secrets (top level and per service).
fn mapped_names(input: &Input) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let Some(src) = &input.overlay else {
        return names;
    };
    let Ok(tree) = yaml::parse(&src.path, &src.text) else {
        return names;
    };
    let mut add = |n: Option<&Node>| {
        if let Some(m) = n.and_then(Node::as_map) {
            names.extend(m.keys().cloned());
        }
    };
    add(tree.get("secrets"));
    if let Some(services) = tree.get("services").and_then(Node::as_map) {
        for e in services.values() {
            add(e.value.get("secrets"));
        }
    }
    names
}

/// Every value that must not be shown for this input: the local values
/// (from the environment, `.env`, env files and the compose files, as
/// written and as interpolated) of the variables the overlay maps to
/// secrets.
pub fn sensitive_values(input: &Input) -> Vec<String> {
    let names = mapped_names(input);
    if names.is_empty() {
        return Vec::new();
    }
    let mut values: BTreeSet<String> = BTreeSet::new();
    for name in &names {
        if let Some(v) = input.environment.get(name) {
            values.insert(v.clone());
        }
    }
    // As interpolated, with env files read: the loaded project.
    if let Ok((project, _)) = crate::load(input, &crate::Options::default()) {
        for service in project.services.values() {
            for name in &names {
                if let Some(v) = service.environment.get(name) {
                    values.insert(v.value.clone());
                }
            }
        }
    }
    // As written, even when the project does not load.
    for source in &input.compose {
        let Ok(docs) = yaml::parse_documents(&source.path, &source.text) else {
            continue;
        };
        for doc in docs {
            let Some(services) = doc.get("services").and_then(Node::as_map) else {
                continue;
            };
            for e in services.values() {
                match e.value.get("environment").map(|n| &n.value) {
                    Some(Value::Map(m)) => {
                        for (k, v) in m {
                            if names.contains(k) {
                                if let Some(t) = v.value.as_str() {
                                    values.insert(t.to_owned());
                                }
                            }
                        }
                    }
                    Some(Value::Seq(items)) => {
                        for item in items {
                            if let Some((k, v)) = item.as_str().and_then(|t| t.split_once('=')) {
                                if names.contains(k) {
                                    values.insert(v.to_owned());
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    values
        .into_iter()
        .filter(|v| v.chars().count() >= MIN_LEN)
        .collect()
}

/// A source line fit to show: every sensitive value masked, and the value
/// of a `KEY: value` / `KEY=value` whose key looks secret masked too.
pub fn redact_line(line: &str, sensitive: &[String]) -> String {
    let mut out = line.to_owned();
    for v in sensitive {
        if out.contains(v.as_str()) {
            out = out.replace(v.as_str(), MASK);
        }
    }
    // `  DB_PASSWORD: value`, `  - DB_PASSWORD=value`, `DB_PASSWORD=value`.
    let trimmed = out.trim_start();
    let indent = out.len() - trimmed.len();
    let body = trimmed.strip_prefix("- ").unwrap_or(trimmed);
    let dash = trimmed.len() - body.len();
    let body_unquoted = body.trim_start_matches(['"', '\'']);
    let key_len = body_unquoted
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let key = &body_unquoted[..key_len];
    let rest = &body_unquoted[key_len..];
    if key_len > 0 && crate::convert::looks_secret(key) {
        let sep = rest
            .find([':', '='])
            .filter(|i| rest[..*i].trim_matches(['"', '\'']).is_empty());
        if let Some(i) = sep {
            let value = rest[i + 1..].trim();
            if !value.is_empty() && value != MASK {
                let quote = body.len() - body_unquoted.len();
                let head_len = indent + dash + quote + key_len + i + 1;
                return format!("{} {MASK}", &out[..head_len]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_lose_their_secret_values() {
        let s = vec!["hunter22".to_owned()];
        assert_eq!(
            redact_line("  DB_URL: postgres://u:hunter22@db/x", &s),
            "  DB_URL: postgres://u:********@db/x"
        );
        assert_eq!(
            redact_line("      GITHUB_TOKEN: ghp_abc", &[]),
            "      GITHUB_TOKEN: ********"
        );
        assert_eq!(redact_line("  - API_KEY=xyz", &[]), "  - API_KEY= ********");
        assert_eq!(
            redact_line("      LOG_LEVEL: debug", &[]),
            "      LOG_LEVEL: debug"
        );
        assert_eq!(redact_line("    image: nginx", &s), "    image: nginx");
        assert_eq!(redact_line("  PASSWORD_FILE:", &[]), "  PASSWORD_FILE:");
    }

    #[test]
    fn the_local_values_of_mapped_variables_are_sensitive() {
        let input = Input::from_yaml(
            "services:\n  app:\n    image: x\n    environment:\n      DB_PASSWORD: s3cr3t-local\n      OTHER: visible\n",
        )
        .with_overlay("secrets:\n  DB_PASSWORD: /prod/db\n")
        .without_disk();
        assert_eq!(sensitive_values(&input), vec!["s3cr3t-local".to_owned()]);
    }
}
