//! One made-up value per token rule of `docs/secrets.md`, built here from
//! the rule's documented shape (never a real token), and the places of a
//! compose project a value can travel to an output. Shared by the core's
//! and the CLI's tests (`#[path]`), so both plant the same markers.

#![allow(dead_code)]

/// A made-up value of one rule, and the part of it no output may show.
#[derive(Debug, Clone)]
pub(crate) struct Marker {
    pub(crate) rule: &'static str,
    /// The whole value, as planted.
    pub(crate) value: String,
    /// What must never appear: the part after the well-known prefix.
    pub(crate) needle: String,
}

/// `n` characters of `alphabet`, cycled from `seed` (so that markers of the
/// same length differ).
fn fill(alphabet: &str, n: usize, seed: usize) -> String {
    let a: Vec<char> = alphabet.chars().collect();
    (0..n).map(|i| a[(i * 7 + seed) % a.len()]).collect()
}

const ALNUM: &str = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn marker(rule: &'static str, prefix: &str, body: String) -> Marker {
    Marker {
        rule,
        value: format!("{prefix}{body}"),
        needle: body,
    }
}

/// One marker per rule, in the order of the rule table.
pub(crate) fn markers() -> Vec<Marker> {
    let seg = |n, s| fill(ALNUM, n, s);
    vec![
        marker(
            "aws-access-key-id",
            "AKIA",
            fill("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 3),
        ),
        Marker {
            rule: "aws-secret-access-key",
            value: fill(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+",
                40,
                5,
            ),
            needle: fill(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+",
                40,
                5,
            ),
        },
        marker("github-pat", "ghp_", seg(36, 1)),
        marker(
            "github-fine-grained-pat",
            "github_pat_",
            fill(
                "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789_",
                82,
                2,
            ),
        ),
        marker("github-oauth", "gho_", seg(36, 3)),
        marker("github-app-token", "ghs_", seg(36, 4)),
        marker("github-refresh-token", "ghr_", seg(36, 5)),
        marker(
            "gitlab-pat",
            "glpat-",
            fill(
                "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_",
                20,
                6,
            ),
        ),
        marker("gitlab-ptt", "glptt-", fill("0123456789abcdef", 40, 7)),
        marker("gitlab-runner-token", "glrt-", seg(24, 8)),
        marker(
            "slack-token",
            "xoxb-",
            format!("1234567890-1234567890-{}", seg(24, 9)),
        ),
        marker(
            "slack-webhook-url",
            "https://hooks.slack.com/services/",
            format!("T0000000/B0000000/{}", seg(26, 10)),
        ),
        marker("stripe-secret-key", "sk_live_", seg(24, 11)),
        marker(
            "google-api-key",
            "AIza",
            fill(
                "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_",
                35,
                12,
            ),
        ),
        marker("npm-token", "npm_", seg(36, 13)),
        marker("pypi-token", "pypi-AgEIcHlwaS5vcmc", seg(60, 14)),
        marker(
            "jwt",
            "eyJ",
            format!("{}.eyJ{}.{}", seg(20, 15), seg(24, 16), seg(30, 17)),
        ),
        Marker {
            rule: "private-key",
            value: format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
                seg(48, 18)
            ),
            needle: seg(48, 18),
        },
        {
            let pass = seg(14, 19);
            Marker {
                rule: "url-password",
                value: format!("postgres://app:{pass}@db:5432/app"),
                needle: pass,
            }
        },
    ]
}

/// A value as a YAML double-quoted scalar.
pub(crate) fn quoted(v: &str) -> String {
    format!(
        "\"{}\"",
        v.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// A value as a double-quoted env-file value.
pub(crate) fn env_quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\n', "\\n"))
}

/// Where a value is planted: the compose file, the overlay's extra keys, the
/// files beside them and the process environment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Planted {
    pub(crate) compose_keys: String,
    pub(crate) overlay_keys: String,
    pub(crate) env_file: Option<String>,
    pub(crate) dotenv: Option<String>,
    pub(crate) process: Vec<(String, String)>,
}

/// The places a value travels to an output, by name. `UPSTREAM` is not a
/// credential-like name: only the shape can catch the value.
pub(crate) const PLACES: &[&str] = &[
    "environment",
    "env_file",
    ".env via ${VAR}",
    "process environment via ${VAR}",
    "command",
    "entrypoint",
    "labels",
    "healthcheck.test",
    "logging.options",
    "overlay environment",
];

/// The service `app` keys (indented 4) and files that put `v` in `place`.
pub(crate) fn plant(place: &str, v: &str) -> Planted {
    let q = quoted(v);
    let mut p = Planted::default();
    match place {
        "environment" => p.compose_keys = format!("    environment:\n      UPSTREAM: {q}\n"),
        "env_file" => {
            p.compose_keys = "    env_file: app.env\n".to_owned();
            p.env_file = Some(format!("UPSTREAM={}\n", env_quoted(v)));
        }
        ".env via ${VAR}" => {
            p.compose_keys = "    environment:\n      UPSTREAM: ${UPSTREAM}\n".to_owned();
            p.dotenv = Some(format!("UPSTREAM={}\n", env_quoted(v)));
        }
        "process environment via ${VAR}" => {
            p.compose_keys = "    environment:\n      UPSTREAM: ${UPSTREAM}\n".to_owned();
            p.process.push(("UPSTREAM".to_owned(), v.to_owned()));
        }
        "command" => p.compose_keys = format!("    command: [\"serve\", {q}]\n"),
        "entrypoint" => p.compose_keys = format!("    entrypoint: [\"/bin/app\", {q}]\n"),
        "labels" => p.compose_keys = format!("    labels:\n      note: {q}\n"),
        "healthcheck.test" => {
            p.compose_keys = format!("    healthcheck:\n      test: [\"CMD\", \"probe\", {q}]\n");
        }
        "logging.options" => {
            p.compose_keys =
                format!("    logging:\n      driver: awslogs\n      options:\n        tag: {q}\n");
        }
        "overlay environment" => {
            p.overlay_keys = format!("services:\n  app:\n    environment:\n      UPSTREAM: {q}\n");
        }
        other => panic!("unknown place {other}"),
    }
    p
}

/// The compose file of a planted value. An AWS secret access key is only
/// recognised next to an access key ID, so one comes with it, in the same
/// container.
pub(crate) fn compose_file(marker: &Marker, planted: &Planted) -> String {
    let mut text = String::from("name: shop\nservices:\n  app:\n    image: example/app:1\n");
    text.push_str(&planted.compose_keys);
    if marker.rule == "aws-secret-access-key" {
        text.push_str(&format!("    working_dir: /srv/{}\n", markers()[0].value));
    }
    text
}

/// The overlay: a region, an execution role, a network, and the planted keys.
pub(crate) fn overlay_file(planted: &Planted) -> String {
    format!(
        "region: us-east-1\nroles: {{execution: \"arn:aws:iam::123456789012:role/exec\"}}\nnetwork: {{subnets: [subnet-0123456789abcdef0]}}\n{}",
        planted.overlay_keys
    )
}
