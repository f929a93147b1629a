//! The regular expressions of the schemas (`pattern`, `patternProperties`),
//! each decided by a hand-written matcher, so none is compiled at run time.
//! `scripts/schema-tables.py` names the variant of each expression, and the
//! differential test holds every matcher equal to the regex engine of the
//! jsonschema crate.

/// The regular expressions of the schemas, each decided by a hand-written
/// matcher with the semantics the jsonschema crate gives them (ECMA-262:
/// `.` is any character but a line terminator, `\n`, `\r`, U+2028 or
/// U+2029; `\d` is `[0-9]` and `\w` is `[A-Za-z0-9_]`; `$` is the end of the
/// text; an unanchored pattern matches anywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// `.+`
    NotOnlyNewlines,
    /// `^.+$`
    OneLine,
    /// `^[a-zA-Z0-9._-]+$`
    ComposeName,
    /// `^[a-z]+$`
    Lowercase,
    /// `^x-`
    Extension,
    /// `[a-zA-Z0-9][a-zA-Z0-9_.-]+`
    ContainsContainerName,
    /// `always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+`
    ContainsPullPolicy,
    /// `(…)*` patterns that match the empty string, so every string.
    Anything,
    /// `^[0-9]+$`
    Digits,
    /// `^[a-zA-Z0-9_-]{1,255}$`
    EcsName,
    /// `(?!((^[ ]+.*)|(.*([\u0000-\u001f]|[\u007f-\u009f]|[:/|])+.*)|(.*[ ]+$))).+`
    ScalingName,
    /// `[\x20-\x7E]+`
    ContainsPrintableAscii,
    /// `(?=[/\.\-_A-Za-z0-9]+)((?!aws\.).*)|(\$(\.[\w_-]+(\[(\d+|\*)\])*)*)`
    ScheduleSource,
    /// `[0-9a-zA-Z-_.]+`
    ContainsNameChar,
    /// `[a-zA-Z0-9-_]+`
    ContainsWordChar,
    /// `arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+`
    ContainsRoleArn,
    /// `arn:aws[a-z-]*:kms:[a-z0-9\-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*`
    ContainsKmsArn,
    /// `arn:aws[a-z-]*:sqs:[a-z0-9\-]+:\d{12}:[a-zA-Z0-9\-_]+`
    ContainsSqsArn,
}

impl Pattern {
    /// The regular expression as the schema writes it.
    pub(crate) fn source(self) -> &'static str {
        match self {
            Pattern::NotOnlyNewlines => ".+",
            Pattern::OneLine => "^.+$",
            Pattern::ComposeName => "^[a-zA-Z0-9._-]+$",
            Pattern::Lowercase => "^[a-z]+$",
            Pattern::Extension => "^x-",
            Pattern::ContainsContainerName => "[a-zA-Z0-9][a-zA-Z0-9_.-]+",
            Pattern::ContainsPullPolicy => {
                "always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+"
            }
            Pattern::Anything => "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
            Pattern::Digits => "^[0-9]+$",
            Pattern::EcsName => "^[a-zA-Z0-9_-]{1,255}$",
            Pattern::ScalingName => {
                "(?!((^[ ]+.*)|(.*([\\u0000-\\u001f]|[\\u007f-\\u009f]|[:/|])+.*)|(.*[ ]+$))).+"
            }
            Pattern::ContainsPrintableAscii => "[\\x20-\\x7E]+",
            Pattern::ScheduleSource => {
                "(?=[/\\.\\-_A-Za-z0-9]+)((?!aws\\.).*)|(\\$(\\.[\\w_-]+(\\[(\\d+|\\*)\\])*)*)"
            }
            Pattern::ContainsNameChar => "[0-9a-zA-Z-_.]+",
            Pattern::ContainsWordChar => "[a-zA-Z0-9-_]+",
            Pattern::ContainsRoleArn => "arn:aws[a-z-]*:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+",
            Pattern::ContainsKmsArn => {
                "arn:aws[a-z-]*:kms:[a-z0-9\\-]+:\\d{12}:(key|alias)\\/[0-9a-zA-Z-_]*"
            }
            Pattern::ContainsSqsArn => "arn:aws[a-z-]*:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+",
        }
    }

    /// Whether `s` matches.
    pub(crate) fn matches(self, s: &str) -> bool {
        let b = s.as_bytes();
        match self {
            Pattern::NotOnlyNewlines => s.chars().any(|c| !line_end(c)),
            Pattern::OneLine => !s.is_empty() && !s.chars().any(line_end),
            Pattern::ComposeName => {
                !b.is_empty()
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
            }
            Pattern::Lowercase => !b.is_empty() && b.iter().all(u8::is_ascii_lowercase),
            Pattern::Extension => s.starts_with("x-"),
            Pattern::ContainsContainerName => b.windows(2).any(|w| {
                w[0].is_ascii_alphanumeric()
                    && (w[1].is_ascii_alphanumeric() || matches!(w[1], b'_' | b'.' | b'-'))
            }),
            Pattern::ContainsPullPolicy => {
                [
                    "always",
                    "never",
                    "build",
                    "if_not_present",
                    "missing",
                    "refresh",
                    "daily",
                    "weekly",
                ]
                .iter()
                .any(|w| s.contains(w))
                    || s.match_indices("every_").any(|(i, _)| {
                        let rest = &b[i + "every_".len()..];
                        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                        digits > 0 && rest.get(digits).is_some_and(|c| b"wdhms".contains(c))
                    })
            }
            Pattern::Anything => true,
            Pattern::Digits => !b.is_empty() && b.iter().all(u8::is_ascii_digit),
            Pattern::EcsName => {
                (1..=255).contains(&s.chars().count())
                    && b.iter()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
            }
            Pattern::ScalingName => scaling_name(s),
            Pattern::ContainsPrintableAscii => b.iter().any(|c| (0x20..=0x7e).contains(c)),
            Pattern::ScheduleSource => (0..b.len()).any(|i| {
                b[i] == b'$'
                    || ((b[i].is_ascii_alphanumeric() || matches!(b[i], b'/' | b'.' | b'-' | b'_'))
                        && !b[i..].starts_with(b"aws."))
            }),
            Pattern::ContainsNameChar => b
                .iter()
                .any(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')),
            Pattern::ContainsWordChar => b
                .iter()
                .any(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_')),
            Pattern::ContainsRoleArn => arns(s).any(|rest| {
                let Some(rest) = rest.strip_prefix(":iam::") else {
                    return false;
                };
                let Some(rest) = twelve_digits(rest).and_then(|r| r.strip_prefix(":role/")) else {
                    return false;
                };
                rest.bytes()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || b"_+=,.@/-".contains(&c))
            }),
            Pattern::ContainsKmsArn => arns(s).any(|rest| {
                region_then(rest, ":kms:")
                    .and_then(twelve_digits)
                    .and_then(|r| r.strip_prefix(':'))
                    .is_some_and(|r| r.starts_with("key/") || r.starts_with("alias/"))
            }),
            Pattern::ContainsSqsArn => arns(s).any(|rest| {
                region_then(rest, ":sqs:")
                    .and_then(twelve_digits)
                    .and_then(|r| r.strip_prefix(':'))
                    .and_then(|r| r.bytes().next())
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_'))
            }),
        }
    }
}

/// After each `arn:aws[a-z-]*` in `s`, the rest of the text.
fn arns(s: &str) -> impl Iterator<Item = &str> {
    s.match_indices("arn:aws").map(move |(i, m)| {
        let rest = &s[i + m.len()..];
        let partition = rest
            .bytes()
            .take_while(|c| c.is_ascii_lowercase() || *c == b'-')
            .count();
        &rest[partition..]
    })
}

/// `<service>[a-z0-9-]+:` after the partition: the rest after the colon.
fn region_then<'s>(rest: &'s str, service: &str) -> Option<&'s str> {
    let rest = rest.strip_prefix(service)?;
    let region = rest
        .bytes()
        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        .count();
    (region > 0)
        .then(|| &rest[region..])
        .and_then(|r| r.strip_prefix(':'))
}

/// `\d{12}` at the start of `s`: the rest.
fn twelve_digits(s: &str) -> Option<&str> {
    let mut chars = s.char_indices();
    for _ in 0..12 {
        let (_, c) = chars.next()?;
        if !is_digit(c) {
            return None;
        }
    }
    Some(chars.next().map_or("", |(i, _)| &s[i..]))
}

/// `\d`, as ECMA-262 has it: `[0-9]`.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

/// `.` does not match these (ECMA-262's line terminators).
fn line_end(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `(?!((^[ ]+.*)|(.*([\u0000-\u001f]|[\u007f-\u009f]|[:/|])+.*)|(.*[ ]+$))).+`,
/// unanchored: some position where `.+` matches and none of the three
/// alternatives of the lookahead does.
fn scaling_name(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let excluded =
        |c: char| matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | ':' | '/' | '|');
    (0..chars.len()).any(|i| {
        let rest = &chars[i..];
        if line_end(rest[0]) {
            return false;
        }
        // `^[ ]+.*`
        if i == 0 && rest[0] == ' ' {
            return false;
        }
        // `.*` then an excluded character (which may end the line).
        for &c in rest {
            if excluded(c) {
                return false;
            }
            if line_end(c) {
                break;
            }
        }
        // `.*[ ]+$`: the rest is one line that ends with a space.
        let one_line = !rest.iter().any(|c| line_end(*c));
        !(one_line && rest.last() == Some(&' '))
    })
}
