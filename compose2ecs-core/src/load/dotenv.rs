//! `.env` and `env_file` syntax, as compose reads it.
//!
//! - `KEY=value`, optionally preceded by `export `; blank lines and lines
//!   starting with `#` are skipped;
//! - unquoted values are trimmed, and ` #` starts a comment;
//! - `'single quoted'` values are taken literally;
//! - `"double quoted"` values may span lines and know the escapes `\n`, `\r`,
//!   `\t`, `\\`, `\"` and `\$`;
//! - unquoted and double-quoted values are interpolated (`${VAR}`), from the
//!   variables defined above them and then the lookup environment;
//! - a bare `KEY` (no `=`) takes its value from the lookup environment, or is
//!   left unset.

use crate::load::interpolate::{Environment, InterpolationError, interpolate_str};

/// One parsed line: the name, its value (None for a bare `KEY` that the
/// lookup environment does not define), and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) struct DotenvEntry {
    /// The variable name.
    pub name: String,
    /// The value, or `None` for a bare `KEY` without a value anywhere.
    pub value: Option<String>,
    /// The line it is defined on.
    pub line: u32,
}

/// A syntax error in a `.env` file, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) struct DotenvError {
    /// The line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// The variables an env file sets (bare `KEY`s without a value left out),
/// or an `invalid-value` error located in `file`.
pub(crate) fn variables(
    text: &str,
    lookup: &Environment,
    file: &std::path::Path,
) -> Result<Vec<(String, String)>, Box<crate::diagnostic::Diagnostic>> {
    match parse(text, lookup) {
        Ok(entries) => Ok(entries
            .into_iter()
            .filter_map(|e| Some((e.name, e.value?)))
            .collect()),
        Err(e) => Err(Box::new(
            crate::diagnostic::Diagnostic::error(
                crate::diagnostic::Code::InvalidValue,
                format!("invalid env file: {}", e.message),
            )
            .at(Some(&crate::diagnostic::Location {
                file: file.into(),
                line: e.line,
                column: 1,
            })),
        )),
    }
}

/// Parses `.env` text. `lookup` resolves `${VAR}` and bare `KEY`s.
pub(crate) fn parse(text: &str, lookup: &Environment) -> Result<Vec<DotenvEntry>, DotenvError> {
    let mut entries: Vec<DotenvEntry> = Vec::new();
    let mut scope = lookup.clone();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((index, raw)) = lines.next() {
        let line_no = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let err = |message: String| DotenvError {
            line: line_no,
            message,
        };
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let (name, rest) = match line.find('=') {
            Some(eq) => (line[..eq].trim(), Some(&line[eq + 1..])),
            None => (line, None),
        };
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            // The name is not quoted: a malformed line may be a value.
            return Err(err(
                "not a `NAME=value` line: names are letters, digits, `_`, `.` and `-`".to_owned(),
            ));
        }
        let value = match rest {
            None => lookup.get(name).cloned(),
            Some(rest) => {
                let rest = rest.trim_start();
                let value = if let Some(body) = rest.strip_prefix('\'') {
                    match body.find('\'') {
                        Some(end) => body[..end].to_owned(),
                        None => return Err(err("single quote without its closing quote".into())),
                    }
                } else if let Some(body) = rest.strip_prefix('"') {
                    let mut buf = body.to_owned();
                    let raw = loop {
                        if let Some(end) = closing_double_quote(&buf) {
                            break buf[..end].to_owned();
                        }
                        match lines.next() {
                            Some((_, next)) => {
                                buf.push('\n');
                                buf.push_str(next);
                            }
                            None => {
                                return Err(err("double quote without its closing quote".into()));
                            }
                        }
                    };
                    expand(&unescape(&raw), &scope).map_err(|e| err(describe(e)))?
                } else {
                    let v = match rest.find(" #") {
                        Some(hash) => &rest[..hash],
                        None => rest,
                    };
                    expand(v.trim(), &scope).map_err(|e| err(describe(e)))?
                };
                Some(value)
            }
        };
        if let Some(v) = &value {
            scope.insert(name.to_owned(), v.clone());
        }
        entries.retain(|e| e.name != name);
        entries.push(DotenvEntry {
            name: name.to_owned(),
            value,
            line: line_no,
        });
    }
    Ok(entries)
}

fn describe(e: InterpolationError) -> String {
    match e {
        InterpolationError::Required { name, message } => {
            format!("required variable `{name}` is not set: {message}")
        }
        InterpolationError::Syntax(m) => m,
    }
}

fn expand(value: &str, scope: &Environment) -> Result<String, InterpolationError> {
    // Unset variables inside .env values expand to nothing, as in compose.
    interpolate_str(value, scope, &mut Vec::new())
}

fn closing_double_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            // `\$` stays an escaped dollar for interpolation.
            Some('$') => out.push_str("$$"),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(text: &str) -> Vec<(String, Option<String>)> {
        let lookup: Environment = [("FROM_ENV".to_owned(), "env".to_owned())].into();
        parse(text, &lookup)
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.value))
            .collect()
    }

    #[test]
    fn compose_dotenv_syntax() {
        let text = "# comment\n\nA=1\nexport B = two words \nC='single $A'\nD=\"dq\\n$A\"\nE=x # trailing\nFROM_ENV\nMISSING\nF=\"multi\nline\"\nG=${A}-${NOPE:-d}\n";
        let got = vals(text);
        let want: Vec<(String, Option<String>)> = [
            ("A", Some("1")),
            ("B", Some("two words")),
            ("C", Some("single $A")),
            ("D", Some("dq\n1")),
            ("E", Some("x")),
            ("FROM_ENV", Some("env")),
            ("MISSING", None),
            ("F", Some("multi\nline")),
            ("G", Some("1-d")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.map(str::to_owned)))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn later_lines_win() {
        assert_eq!(vals("A=1\nA=2\n"), [("A".to_owned(), Some("2".to_owned()))]);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("A=1\nB='open\n", &Environment::new()).unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("not valid=1\n", &Environment::new()).unwrap_err();
        assert_eq!(e.line, 1);
    }
}
