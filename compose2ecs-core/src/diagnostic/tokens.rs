//! Secret values found by their shape: the well-known token formats that are
//! refused in any output and masked in any quoted line, whatever the name of
//! the key that holds them.
//!
//! Each rule is written out by hand (no regex engine: the shapes are fixed
//! prefixes and character runs) and names the public rule set it follows.
//! Every rule matches at a word boundary on both sides, so a token's shape
//! inside a longer run of the same characters is not a match.

/// One token format.
#[derive(Debug)]
pub(crate) struct Rule {
    /// The stable id, as errors and the docs name it: `github-pat`.
    pub(crate) id: &'static str,
    /// What it is, for messages: `a GitHub personal access token`.
    pub(crate) what: &'static str,
    /// The shape, for the docs (`docs/secrets.md` is generated from it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) shape: &'static str,
    /// Where the shape is documented.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) source: &'static str,
    /// Whether the rule needs context: an AWS secret access key is only
    /// recognised next to an access key ID or under an AWS secret's name.
    pub(crate) contextual: bool,
    find: fn(&str, usize) -> Option<(usize, usize)>,
}

impl Rule {
    /// The byte ranges of every match in `text`, left to right.
    pub(crate) fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some((start, end)) = (self.find)(text, from) {
            out.push((start, end));
            from = end.max(start + 1);
        }
        out
    }
}

/// The rule table.
pub(crate) const RULES: &[Rule] = &[
    Rule {
        id: "aws-access-key-id",
        what: "an AWS access key ID",
        shape: "`AKIA`, `ASIA`, `ABIA`, `ACCA` or `A3T` + one of A-Z0-9, then 16 of A-Z2-7",
        source: "gitleaks `aws-access-token`",
        contextual: false,
        find: aws_access_key_id,
    },
    Rule {
        id: "aws-secret-access-key",
        what: "an AWS secret access key",
        shape: "40 of A-Za-z0-9/+, next to an access key ID or in a variable named like `AWS_SECRET_ACCESS_KEY`",
        source: "detect-secrets `AWSKeyDetector`",
        contextual: true,
        find: aws_secret_access_key,
    },
    Rule {
        id: "github-pat",
        what: "a GitHub personal access token",
        shape: "`ghp_` + 36 of A-Za-z0-9",
        source: "gitleaks `github-pat`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["ghp_"], alnum, 36, 36),
    },
    Rule {
        id: "github-fine-grained-pat",
        what: "a GitHub fine-grained personal access token",
        shape: "`github_pat_` + 82 of A-Za-z0-9_",
        source: "gitleaks `github-fine-grained-pat`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["github_pat_"], word, 82, 82),
    },
    Rule {
        id: "github-oauth",
        what: "a GitHub OAuth access token",
        shape: "`gho_` + 36 of A-Za-z0-9",
        source: "gitleaks `github-oauth`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["gho_"], alnum, 36, 36),
    },
    Rule {
        id: "github-app-token",
        what: "a GitHub App token",
        shape: "`ghu_` or `ghs_` + 36 of A-Za-z0-9",
        source: "gitleaks `github-app-token`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["ghu_", "ghs_"], alnum, 36, 36),
    },
    Rule {
        id: "github-refresh-token",
        what: "a GitHub refresh token",
        shape: "`ghr_` + 36 of A-Za-z0-9",
        source: "gitleaks `github-refresh-token`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["ghr_"], alnum, 36, 36),
    },
    Rule {
        id: "gitlab-pat",
        what: "a GitLab personal access token",
        shape: "`glpat-` + 20 or more of A-Za-z0-9_-",
        source: "gitleaks `gitlab-pat`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["glpat-"], word_dash, 20, 200),
    },
    Rule {
        id: "gitlab-ptt",
        what: "a GitLab pipeline trigger token",
        shape: "`glptt-` + 40 of 0-9a-f",
        source: "gitleaks `gitlab-ptt`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["glptt-"], hex, 40, 40),
    },
    Rule {
        id: "gitlab-runner-token",
        what: "a GitLab runner authentication token",
        shape: "`glrt-` + 20 or more of A-Za-z0-9_-",
        source: "gitleaks `gitlab-runner-authentication-token`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["glrt-"], word_dash, 20, 200),
    },
    Rule {
        id: "slack-token",
        what: "a Slack token",
        shape: "`xoxb-`, `xoxp-`, `xoxa-`, `xoxe-`, `xoxo-`, `xoxr-`, `xoxs-` or `xapp-` + 10 or more of A-Za-z0-9-",
        source: "gitleaks `slack-bot-token`, `slack-user-token`, `slack-app-token`, `slack-legacy-token`",
        contextual: false,
        find: |t, f| {
            prefixed(
                t,
                f,
                &[
                    "xoxb-", "xoxp-", "xoxa-", "xoxe-", "xoxo-", "xoxr-", "xoxs-", "xapp-",
                ],
                alnum_dash,
                10,
                200,
            )
        },
    },
    Rule {
        id: "slack-webhook-url",
        what: "a Slack webhook URL",
        shape: "`hooks.slack.com/services/`, `/workflows/` or `/triggers/` + 43 to 56 of A-Za-z0-9+/",
        source: "gitleaks `slack-webhook-url`",
        contextual: false,
        find: |t, f| {
            prefixed(
                t,
                f,
                &[
                    "hooks.slack.com/services/",
                    "hooks.slack.com/workflows/",
                    "hooks.slack.com/triggers/",
                ],
                |b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/',
                43,
                56,
            )
        },
    },
    Rule {
        id: "stripe-secret-key",
        what: "a Stripe secret or restricted key",
        shape: "`sk_` or `rk_`, then `live_`, `test_` or `prod_`, then 10 to 99 of A-Za-z0-9",
        source: "gitleaks `stripe-access-token`",
        contextual: false,
        find: |t, f| {
            prefixed(
                t,
                f,
                &[
                    "sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_",
                ],
                alnum,
                10,
                99,
            )
        },
    },
    Rule {
        id: "google-api-key",
        what: "a Google API key",
        shape: "`AIza` + 35 of A-Za-z0-9_-",
        source: "gitleaks `gcp-api-key`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["AIza"], word_dash, 35, 35),
    },
    Rule {
        id: "npm-token",
        what: "an npm access token",
        shape: "`npm_` + 36 of A-Za-z0-9",
        source: "gitleaks `npm-access-token`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["npm_"], alnum, 36, 36),
    },
    Rule {
        id: "pypi-token",
        what: "a PyPI upload token",
        shape: "`pypi-AgEIcHlwaS5vcmc` + 50 or more of A-Za-z0-9_-",
        source: "gitleaks `pypi-upload-token`",
        contextual: false,
        find: |t, f| prefixed(t, f, &["pypi-AgEIcHlwaS5vcmc"], word_dash, 50, 1000),
    },
    Rule {
        id: "jwt",
        what: "a JSON Web Token",
        shape: "`ey` + 17 or more of A-Za-z0-9, `.ey` + 17 or more of A-Za-z0-9/\\_-, `.`, and optionally 10 or more of those and up to two `=`",
        source: "gitleaks `jwt`",
        contextual: false,
        find: jwt,
    },
    Rule {
        id: "private-key",
        what: "a PEM private key",
        shape: "`-----BEGIN … PRIVATE KEY-----` (RSA, EC, OPENSSH, ENCRYPTED, …), to its `-----END` line",
        source: "gitleaks `private-key`",
        contextual: false,
        find: private_key,
    },
    Rule {
        id: "url-password",
        what: "a password in a URL",
        shape: "`scheme://user:password@host`, with user and password free of `:/?#[]@!$&'()*+,;=` and spaces",
        source: "detect-secrets `BasicAuthDetector`",
        contextual: false,
        find: url_password,
    },
];

/// A rule by id.
pub(crate) fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Every match of a rule that needs no context, left to right, without
/// overlaps (the earliest, then the longest, wins).
pub(crate) fn find_all(text: &str) -> Vec<(usize, usize, &'static Rule)> {
    let mut all: Vec<(usize, usize, &'static Rule)> = RULES
        .iter()
        .filter(|r| !r.contextual)
        .flat_map(|r| r.matches(text).into_iter().map(move |(s, e)| (s, e, r)))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out: Vec<(usize, usize, &'static Rule)> = Vec::new();
    for m in all {
        if out.last().is_none_or(|last| m.0 >= last.1) {
            out.push(m);
        }
    }
    out
}

/// `text` with every match of a context-free rule replaced by `mask`.
pub(crate) fn mask(text: &str, mask: &str) -> String {
    let found = find_all(text);
    if found.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, _) in found {
        out.push_str(&text[at..start]);
        out.push_str(mask);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn word_dash(b: u8) -> bool {
    word(b) || b == b'-'
}

fn alnum_dash(b: u8) -> bool {
    alnum(b) || b == b'-'
}

fn hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn base64ish(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
}

/// Whether `text[..at]` ends outside a word (`\b` before a word character).
fn boundary_before(text: &[u8], at: usize) -> bool {
    at == 0 || !word(text[at - 1])
}

/// The length of the run of `class` bytes starting at `at`.
fn run(text: &[u8], at: usize, class: fn(u8) -> bool) -> usize {
    text[at.min(text.len())..]
        .iter()
        .take_while(|b| class(**b))
        .count()
}

/// One of `prefixes` at a word boundary, then `min..=max` bytes of `body`,
/// not followed by another `body` byte.
fn prefixed(
    text: &str,
    from: usize,
    prefixes: &[&str],
    body: fn(u8) -> bool,
    min: usize,
    max: usize,
) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut best: Option<(usize, usize)> = None;
    for prefix in prefixes {
        let mut search = from;
        while let Some(i) = text.get(search..).and_then(|t| t.find(prefix)) {
            let start = search + i;
            search = start + 1;
            if best.is_some_and(|(s, _)| s <= start) {
                break;
            }
            if !boundary_before(bytes, start) && word(prefix.as_bytes()[0]) {
                continue;
            }
            let body_at = start + prefix.len();
            let n = run(bytes, body_at, body);
            if (min..=max).contains(&n) {
                best = Some((start, body_at + n));
                break;
            }
        }
    }
    best
}

fn aws_access_key_id(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let upper_digit = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let base32 = |b: u8| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b);
    let mut i = from;
    while i + 20 <= bytes.len() {
        let head = &bytes[i..i + 4];
        let head_ok = matches!(head, b"AKIA" | b"ASIA" | b"ABIA" | b"ACCA")
            || (head.starts_with(b"A3T") && upper_digit(head[3]));
        if head_ok
            && boundary_before(bytes, i)
            && bytes[i + 4..i + 20].iter().all(|b| base32(*b))
            && bytes.get(i + 20).is_none_or(|b| !word(*b))
        {
            return Some((i, i + 20));
        }
        i += 1;
    }
    None
}

/// 40 base64 characters, standing alone. Only used with context.
fn aws_secret_access_key(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if base64ish(bytes[i]) && (i == 0 || !base64ish(bytes[i - 1])) {
            let n = run(bytes, i, base64ish);
            let after = bytes.get(i + n).copied();
            if n == 40 && after != Some(b'=') {
                return Some((i, i + 40));
            }
            i += n.max(1);
        } else {
            i += 1;
        }
    }
    None
}

fn jwt(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let seg = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'\\' | b'_' | b'-');
    let mut search = from;
    while let Some(i) = text.get(search..).and_then(|t| t.find("ey")) {
        let start = search + i;
        search = start + 1;
        if !boundary_before(bytes, start) {
            continue;
        }
        let a = run(bytes, start + 2, alnum);
        if a < 17 || bytes.get(start + 2 + a) != Some(&b'.') {
            continue;
        }
        let second = start + 2 + a + 1;
        if bytes.get(second..second + 2) != Some(b"ey") {
            continue;
        }
        let b = run(bytes, second + 2, seg);
        if b < 17 || bytes.get(second + 2 + b) != Some(&b'.') {
            continue;
        }
        let third = second + 2 + b + 1;
        let c = run(bytes, third, seg);
        let mut end = third;
        if c >= 10 {
            end = third + c;
            end += run(bytes, end, |b| b == b'=').min(2);
        }
        return Some((start, end));
    }
    None
}

fn private_key(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut search = from;
    while let Some(i) = text.get(search..).and_then(|t| t.find("-----BEGIN")) {
        let start = search + i;
        search = start + 1;
        let rest = &text[start + "-----BEGIN".len()..];
        let label_len = rest
            .bytes()
            .take(100 + "PRIVATE KEY BLOCK-----".len())
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b" _-".contains(b))
            .count();
        let label = &rest[..label_len];
        let Some(at) = label.find("PRIVATE KEY") else {
            continue;
        };
        let tail = &label[at + "PRIVATE KEY".len()..];
        if !(tail.starts_with("-----") || tail.starts_with(" BLOCK-----")) {
            continue;
        }
        // To the end of the `-----END …-----` line, or of the text.
        let end = text[start..].find("-----END").map_or(text.len(), |e| {
            text[start + e..]
                .find('\n')
                .map_or(text.len(), |n| start + e + n)
        });
        return Some((start, end));
    }
    None
}

/// The password of `scheme://user:password@host`.
fn url_password(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let free = |b: u8| !b.is_ascii_whitespace() && !b":/?#[]@!$&'()*+,;=\"".contains(&b);
    let mut search = from;
    while let Some(i) = text.get(search..).and_then(|t| t.find("://")) {
        let at = search + i;
        search = at + 1;
        let scheme = bytes[..at]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b))
            .count();
        if scheme == 0 {
            continue;
        }
        let user_at = at + 3;
        let user = run(bytes, user_at, free);
        if user == 0 || bytes.get(user_at + user) != Some(&b':') {
            continue;
        }
        let pass_at = user_at + user + 1;
        let pass = run(bytes, pass_at, free);
        if pass == 0 || bytes.get(pass_at + pass) != Some(&b'@') {
            continue;
        }
        return Some((pass_at, pass_at + pass));
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<&'static str> {
        find_all(text).into_iter().map(|(_, _, r)| r.id).collect()
    }

    #[test]
    fn shapes_match_and_near_misses_do_not() {
        let a36 = "a".repeat(18) + &"B1".repeat(9);
        assert_eq!(ids(&format!("x ghp_{a36} y")), ["github-pat"]);
        assert!(ids(&format!("ghp_{a36}x")).is_empty(), "37 characters");
        assert!(ids(&format!("xghp_{a36}")).is_empty(), "inside a word");
        assert_eq!(ids("AKIAIOSFODNN7EXAMPLE"), ["aws-access-key-id"]);
        assert!(ids("AKIAIOSFODNN7EXAMPL").is_empty(), "19 characters");
        assert!(ids("AKIAIOSFODNN7EXAMPLE1").is_empty(), "21 characters");
        assert!(ids("AKIAIOSFODNN1EXAMPLE").is_empty(), "1 is not base32");
        assert_eq!(ids("postgres://app:s3cr3t@db:5432/app"), ["url-password"]);
        assert!(ids("http://example.com:8080/x").is_empty());
        assert!(ids("redis://redis:6379").is_empty());
        assert!(ids("mailto:user@example.com").is_empty());
        assert_eq!(
            ids("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"),
            ["private-key"]
        );
        assert!(ids("-----BEGIN CERTIFICATE-----").is_empty());
        assert!(ids("-----BEGIN PUBLIC KEY-----").is_empty());
        let seg = "a".repeat(20);
        assert_eq!(ids(&format!("ey{seg}.ey{seg}.{seg}")), ["jwt"]);
        assert!(ids(&format!("ey{seg}.x{seg}.{seg}")).is_empty());
        assert!(ids("sk_live_short").is_empty(), "fewer than 10");
        assert!(
            ids("pk_live_0123456789abcdef").is_empty(),
            "publishable keys are public"
        );
        assert_eq!(ids("sk_live_0123456789abcdef"), ["stripe-secret-key"]);
        assert!(ids("image: nginx:1.27, ports 8080:80").is_empty());
    }

    #[test]
    fn masking_keeps_the_rest() {
        let key = "AKIAIOSFODNN7EXAMPLE";
        assert_eq!(mask(&format!("id={key}; x"), "***"), "id=***; x");
        assert_eq!(
            mask("mysql://root:pw12@db/x", "***"),
            "mysql://root:***@db/x"
        );
        assert_eq!(mask("plain", "***"), "plain");
    }

    #[test]
    fn aws_secret_keys_stand_alone() {
        let r = rule("aws-secret-access-key").unwrap();
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assert_eq!(key.len(), 40);
        assert_eq!(r.matches(key), [(0, 40)]);
        assert_eq!(r.matches(&format!("{key}A")), []);
        assert_eq!(r.matches(&format!("x={key}")), [(2, 42)]);
    }

    /// The rule table of `docs/secrets.md`.
    fn markdown_table() -> String {
        let mut out = String::from("| rule | what | shape | source |\n|---|---|---|---|\n");
        for r in RULES {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                r.id,
                r.what,
                r.shape.replace('|', "\\|"),
                r.source
            ));
        }
        out
    }

    #[test]
    fn the_secrets_page_has_the_rule_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/secrets.md");
        let text = std::fs::read_to_string(&path).unwrap();
        let open = text.find("<!-- rules:").unwrap();
        let open = open + text[open..].find("-->\n").unwrap() + 4;
        let close = text.find("<!-- /rules -->").unwrap();
        let fresh = markdown_table();
        if std::env::var_os("COMPOSE2ECS_BLESS").is_some() {
            let blessed = format!("{}{fresh}{}", &text[..open], &text[close..]);
            std::fs::write(&path, blessed).unwrap();
        } else {
            assert!(
                text[open..close] == fresh,
                "the rule table of docs/secrets.md is stale; regenerate it with COMPOSE2ECS_BLESS=1 cargo test -p compose2ecs-core"
            );
        }
    }

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "{} twice", r.id);
            assert!(r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            assert!(!r.source.is_empty() && !r.shape.is_empty());
        }
    }
}
