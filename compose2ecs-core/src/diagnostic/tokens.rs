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
    /// The bytes a match's trigger starts with: only there is `at` tried.
    first: &'static [u8],
    /// The match whose trigger (the prefix; `://` for a URL) is at this
    /// byte, if any.
    at: Matcher,
}

/// A match anchored at a byte: its byte range.
type Matcher = fn(&[u8], usize) -> Option<(usize, usize)>;

impl Rule {
    /// The byte ranges of every match in `text`, left to right.
    pub(crate) fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match self.try_at(bytes, i) {
                Some((start, end)) => {
                    out.push((start, end));
                    i = end.max(i + 1);
                }
                None => i += 1,
            }
        }
        out
    }

    fn try_at(&self, bytes: &[u8], i: usize) -> Option<(usize, usize)> {
        if self.first.contains(&bytes[i]) {
            (self.at)(bytes, i)
        } else {
            None
        }
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
        first: b"A",
        at: aws_access_key_id,
    },
    Rule {
        id: "aws-secret-access-key",
        what: "an AWS secret access key",
        shape: "40 of A-Za-z0-9/+, next to an access key ID or in a variable named like `AWS_SECRET_ACCESS_KEY`",
        source: "detect-secrets `AWSKeyDetector`",
        contextual: true,
        first: BASE64,
        at: aws_secret_access_key,
    },
    Rule {
        id: "github-pat",
        what: "a GitHub personal access token",
        shape: "`ghp_` + 36 of A-Za-z0-9",
        source: "gitleaks `github-pat`",
        contextual: false,
        first: b"g",
        at: |t, i| prefixed(t, i, &["ghp_"], alnum, 36, 36),
    },
    Rule {
        id: "github-fine-grained-pat",
        what: "a GitHub fine-grained personal access token",
        shape: "`github_pat_` + 82 of A-Za-z0-9_",
        source: "gitleaks `github-fine-grained-pat`",
        contextual: false,
        first: b"g",
        at: |t, i| prefixed(t, i, &["github_pat_"], word, 82, 82),
    },
    Rule {
        id: "github-oauth",
        what: "a GitHub OAuth access token",
        shape: "`gho_` + 36 of A-Za-z0-9",
        source: "gitleaks `github-oauth`",
        contextual: false,
        first: b"g",
        at: |t, i| prefixed(t, i, &["gho_"], alnum, 36, 36),
    },
    Rule {
        id: "github-app-token",
        what: "a GitHub App token",
        shape: "`ghu_` or `ghs_` + 36 of A-Za-z0-9",
        source: "gitleaks `github-app-token`",
        contextual: false,
        first: b"g",
        at: |t, i| prefixed(t, i, &["ghu_", "ghs_"], alnum, 36, 36),
    },
    Rule {
        id: "github-refresh-token",
        what: "a GitHub refresh token",
        shape: "`ghr_` + 36 of A-Za-z0-9",
        source: "gitleaks `github-refresh-token`",
        contextual: false,
        first: b"g",
        at: |t, i| prefixed(t, i, &["ghr_"], alnum, 36, 36),
    },
    Rule {
        id: "gitlab-pat",
        what: "a GitLab personal access token",
        shape: "`glpat-` + 20 or more of A-Za-z0-9_-",
        source: "gitleaks `gitlab-pat`",
        contextual: false,
        first: b"g",
        at: |t, i| prefixed(t, i, &["glpat-"], word_dash, 20, 200),
    },
    Rule {
        id: "gitlab-ptt",
        what: "a GitLab pipeline trigger token",
        shape: "`glptt-` + 40 of 0-9a-f",
        source: "gitleaks `gitlab-ptt`",
        contextual: false,
        first: b"g",
        at: |t, i| prefixed(t, i, &["glptt-"], hex, 40, 40),
    },
    Rule {
        id: "gitlab-runner-token",
        what: "a GitLab runner authentication token",
        shape: "`glrt-` + 20 or more of A-Za-z0-9_-",
        source: "gitleaks `gitlab-runner-authentication-token`",
        contextual: false,
        first: b"g",
        at: |t, i| prefixed(t, i, &["glrt-"], word_dash, 20, 200),
    },
    Rule {
        id: "slack-token",
        what: "a Slack token",
        shape: "`xoxb-`, `xoxp-`, `xoxa-`, `xoxe-`, `xoxo-`, `xoxr-`, `xoxs-` or `xapp-` + 10 or more of A-Za-z0-9-",
        source: "gitleaks `slack-bot-token`, `slack-user-token`, `slack-app-token`, `slack-legacy-token`",
        contextual: false,
        first: b"x",
        at: |t, i| {
            prefixed(
                t,
                i,
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
        first: b"h",
        at: |t, i| {
            prefixed(
                t,
                i,
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
        first: b"sr",
        at: |t, i| {
            prefixed(
                t,
                i,
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
        first: b"A",
        at: |t, i| prefixed(t, i, &["AIza"], word_dash, 35, 35),
    },
    Rule {
        id: "npm-token",
        what: "an npm access token",
        shape: "`npm_` + 36 of A-Za-z0-9",
        source: "gitleaks `npm-access-token`",
        contextual: false,
        first: b"n",
        at: |t, i| prefixed(t, i, &["npm_"], alnum, 36, 36),
    },
    Rule {
        id: "pypi-token",
        what: "a PyPI upload token",
        shape: "`pypi-AgEIcHlwaS5vcmc` + 50 or more of A-Za-z0-9_-",
        source: "gitleaks `pypi-upload-token`",
        contextual: false,
        first: b"p",
        at: |t, i| prefixed(t, i, &["pypi-AgEIcHlwaS5vcmc"], word_dash, 50, 1000),
    },
    Rule {
        id: "jwt",
        what: "a JSON Web Token",
        shape: "`ey` + 17 or more of A-Za-z0-9, `.ey` + 17 or more of A-Za-z0-9/\\_-, `.`, and optionally 10 or more of those and up to two `=`",
        source: "gitleaks `jwt`",
        contextual: false,
        first: b"e",
        at: jwt,
    },
    Rule {
        id: "private-key",
        what: "a PEM private key",
        shape: "`-----BEGIN … PRIVATE KEY-----` (RSA, EC, OPENSSH, ENCRYPTED, …), to its `-----END` line",
        source: "gitleaks `private-key`",
        contextual: false,
        first: b"-",
        at: private_key,
    },
    Rule {
        id: "url-password",
        what: "a password in a URL",
        shape: "`scheme://user:password@host` (the user may be empty, as in `redis://:password@host`), with user and password free of `:/?#[]@!$&'()*+,;=` and spaces",
        source: "detect-secrets `BasicAuthDetector`",
        contextual: false,
        first: b":",
        at: url_password,
    },
];

/// A rule by id.
#[cfg(test)]
pub(crate) fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Every match of a rule that needs no context, left to right, without
/// overlaps (at one byte, the longest wins).
pub(crate) fn find_all(text: &str) -> Vec<(usize, usize, &'static Rule)> {
    scan(text, false)
}

/// Every match, contextual rules included when `contextual` is set.
pub(crate) fn scan(text: &str, contextual: bool) -> Vec<(usize, usize, &'static Rule)> {
    let bytes = text.as_bytes();
    let wanted = if contextual { u32::MAX } else { CONTEXT_FREE };
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let mut rules = BY_FIRST_BYTE[usize::from(bytes[i])] & wanted;
        let mut best: Option<(usize, usize, &'static Rule)> = None;
        while rules != 0 {
            let r = &RULES[rules.trailing_zeros() as usize];
            rules &= rules - 1;
            if let Some((s, e)) = (r.at)(bytes, i) {
                if best.is_none_or(|(bs, be, _)| e - s > be - bs) {
                    best = Some((s, e, r));
                }
            }
        }
        match best {
            Some(m) => {
                i = m.1.max(i + 1);
                out.push(m);
            }
            None => i += 1,
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

/// The alphabet of an AWS secret access key.
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

/// For each byte, the rules (bit `n`: `RULES[n]`) whose trigger starts
/// with it.
const BY_FIRST_BYTE: [u32; 256] = {
    assert!(RULES.len() <= 32);
    let mut t = [0u32; 256];
    let mut r = 0;
    while r < RULES.len() {
        let first = RULES[r].first;
        let mut i = 0;
        while i < first.len() {
            t[first[i] as usize] |= 1 << r;
            i += 1;
        }
        r += 1;
    }
    t
};

/// The rules that need no context.
const CONTEXT_FREE: u32 = {
    let mut m = 0u32;
    let mut r = 0;
    while r < RULES.len() {
        if !RULES[r].contextual {
            m |= 1 << r;
        }
        r += 1;
    }
    m
};

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

/// One of `prefixes` at `i`, at a word boundary, then `min..=max` bytes of
/// `body`, not followed by another `body` byte.
fn prefixed(
    text: &[u8],
    i: usize,
    prefixes: &[&str],
    body: fn(u8) -> bool,
    min: usize,
    max: usize,
) -> Option<(usize, usize)> {
    let prefix = prefixes
        .iter()
        .find(|p| text[i..].starts_with(p.as_bytes()))?;
    if word(text[i]) && !boundary_before(text, i) {
        return None;
    }
    let body_at = i + prefix.len();
    let n = run(text, body_at, body);
    (min..=max).contains(&n).then_some((i, body_at + n))
}

fn aws_access_key_id(text: &[u8], i: usize) -> Option<(usize, usize)> {
    let upper_digit = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    let base32 = |b: u8| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b);
    let key = text.get(i..i + 20)?;
    let head_ok = matches!(&key[..4], b"AKIA" | b"ASIA" | b"ABIA" | b"ACCA")
        || (key.starts_with(b"A3T") && upper_digit(key[3]));
    (head_ok
        && boundary_before(text, i)
        && key[4..].iter().all(|b| base32(*b))
        && text.get(i + 20).is_none_or(|b| !word(*b)))
    .then_some((i, i + 20))
}

/// 40 base64 characters, standing alone. Only used with context.
fn aws_secret_access_key(text: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && base64ish(text[i - 1]) {
        return None;
    }
    let n = run(text, i, base64ish);
    (n == 40 && text.get(i + n) != Some(&b'=')).then_some((i, i + 40))
}

fn jwt(text: &[u8], i: usize) -> Option<(usize, usize)> {
    let seg = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'\\' | b'_' | b'-');
    if !text[i..].starts_with(b"ey") || !boundary_before(text, i) {
        return None;
    }
    let a = run(text, i + 2, alnum);
    if a < 17 || text.get(i + 2 + a) != Some(&b'.') {
        return None;
    }
    let second = i + 2 + a + 1;
    if text.get(second..second + 2) != Some(b"ey") {
        return None;
    }
    let b = run(text, second + 2, seg);
    if b < 17 || text.get(second + 2 + b) != Some(&b'.') {
        return None;
    }
    let third = second + 2 + b + 1;
    let c = run(text, third, seg);
    let mut end = third;
    if c >= 10 {
        end = third + c;
        end += run(text, end, |b| b == b'=').min(2);
    }
    Some((i, end))
}

fn private_key(text: &[u8], i: usize) -> Option<(usize, usize)> {
    const BEGIN: &[u8] = b"-----BEGIN";
    if !text[i..].starts_with(BEGIN) {
        return None;
    }
    let rest = &text[i + BEGIN.len()..];
    let label_len = rest
        .iter()
        .take(100 + b"PRIVATE KEY BLOCK-----".len())
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b" _-".contains(b))
        .count();
    let label = &rest[..label_len];
    let at = label.windows(11).position(|w| w == b"PRIVATE KEY")?;
    let tail = &label[at + 11..];
    if !(tail.starts_with(b"-----") || tail.starts_with(b" BLOCK-----")) {
        return None;
    }
    // To the end of the `-----END …-----` line, or of the text.
    let end = text[i..]
        .windows(8)
        .position(|w| w == b"-----END")
        .map_or(text.len(), |e| {
            text[i + e..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(text.len(), |n| i + e + n)
        });
    Some((i, end))
}

/// The password of `scheme://user:password@host`, triggered at `://`.
fn url_password(text: &[u8], i: usize) -> Option<(usize, usize)> {
    let free = |b: u8| !b.is_ascii_whitespace() && !b":/?#[]@!$&'()*+,;=\"".contains(&b);
    if !text[i..].starts_with(b"://") {
        return None;
    }
    let scheme = text[..i]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b))
        .count();
    if scheme == 0 {
        return None;
    }
    let user_at = i + 3;
    let user = run(text, user_at, free);
    // The user may be empty: `redis://:password@cache:6379`.
    if text.get(user_at + user) != Some(&b':') {
        return None;
    }
    let pass_at = user_at + user + 1;
    let pass = run(text, pass_at, free);
    if pass == 0 || text.get(pass_at + pass) != Some(&b'@') {
        return None;
    }
    Some((pass_at, pass_at + pass))
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
        assert_eq!(ids("redis://:s3cr3t@cache:6379/0"), ["url-password"]);
        assert_eq!(ids("postgresql+psycopg2://u:pw9x@db/app"), ["url-password"]);
        assert!(ids("redis://:6379").is_empty());
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
