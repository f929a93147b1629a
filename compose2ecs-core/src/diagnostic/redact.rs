//! What must not be shown when a line of the user's files is quoted: the
//! local values of variables the overlay maps to secrets and of credentials
//! from the process environment, values of variables whose names look
//! secret, and anything shaped like a well-known token
//! ([`tokens`](super::tokens)).
//!
//! Messages themselves never quote values; this is for renderers that print
//! the source line a diagnostic points at (as the CLI does).

/// The mask that replaces a hidden value.
pub(crate) const MASK: &str = "********";

/// Values shorter than this are not searched for (they would mask half the
/// file); they are still never written, since mapped variables are removed.
pub(crate) const MIN_LEN: usize = 4;

/// Whether a variable's name says it holds a secret.
pub(crate) fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "CREDENTIAL",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "API_KEY",
    ]
    .iter()
    .any(|w| n.contains(w))
        || ["_KEY", "_PASS", "_PWD"].iter().any(|s| n.ends_with(s))
        || n == "KEY"
}

/// Whether a value holds a password in a `Password=…;` / `pwd=…`
/// connection string (ADO.NET, ODBC, JDBC properties).
pub(crate) fn has_connection_password(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    ["password=", "pwd="].iter().any(|k| {
        lower.match_indices(k).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let starts_key =
                before.is_none_or(|c| c == ';' || c == '?' || c == '&' || c.is_whitespace());
            let rest = &value[i + k.len()..];
            let v = rest.split([';', '&']).next().unwrap_or("").trim();
            starts_key && !v.is_empty() && !v.starts_with("${")
        })
    })
}

/// A source line fit to show: every sensitive value masked, and the value
/// of a `KEY: value` / `KEY=value` whose key looks secret masked too.
pub(crate) fn redact_line(line: &str, sensitive: &[String]) -> String {
    let out = redact_text(line, sensitive);
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
    if key_len > 0 && looks_secret(key) {
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

/// Any text fit to show: every sensitive value and every token-shaped
/// value masked.
pub(crate) fn redact_text(text: &str, sensitive: &[String]) -> String {
    let mut out = text.to_owned();
    for v in sensitive {
        if out.contains(v.as_str()) {
            out = out.replace(v.as_str(), MASK);
        }
    }
    super::tokens::mask(&out, MASK)
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
        assert_eq!(
            redact_line("  UPSTREAM: AKIAIOSFODNN7EXAMPLE", &[]),
            "  UPSTREAM: ********"
        );
        assert!(looks_secret("AWS_ACCESS_KEY_ID"));
        assert!(looks_secret("SMTP_PASS") && looks_secret("DB_PWD"));
        assert!(!looks_secret("PASSTHROUGH_MODE"));
        assert!(has_connection_password(
            "Server=db;Database=app;User Id=sa;Password=s3cret;"
        ));
        assert!(has_connection_password(
            "jdbc:sqlserver://db;user=sa;pwd=x1"
        ));
        assert!(!has_connection_password(
            "Server=db;Integrated Security=true;"
        ));
        assert!(!has_connection_password("Password=;"));
    }
}
