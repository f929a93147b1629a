//! Reading resolved YAML nodes the way compose-go decodes them into its
//! types: scalars as Go strings, lists or mappings as sorted maps, sizes and
//! durations as Go prints them.

use crate::load::yaml::{Node, Resolved, Value};

use super::json::Out;

/// A scalar as the Go string compose-go holds for it: plain numbers and
/// booleans as Go's `fmt.Sprint` prints the value go-yaml decodes (`1.50`
/// → `1.5`, `0x1F` → `31`); `None` for null and collections.
pub(crate) fn text(node: &Node) -> Option<String> {
    match node.resolve()? {
        Resolved::Bool(b) => Some(b.to_string()),
        Resolved::Int(i) => Some(i.to_string()),
        Resolved::Float(f) => Some(go_float_text(f)),
        Resolved::Str(s) => Some(s.to_owned()),
    }
}

/// Go's `fmt.Sprint(f)` for a float64: the shortest digits, in `e` form when
/// the exponent is below -4 or from 6 on (`1e+06`).
pub(crate) fn go_float_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let sci = format!("{f:e}");
    let exp: i32 = sci
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    if f != 0.0 && !(-4..6).contains(&exp) {
        super::json::go_exponent(&sci)
    } else {
        f.to_string()
    }
}

/// The items of a list node; none for anything else.
pub(crate) fn seq(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_seq).unwrap_or_default()
}

/// A string field.
pub(crate) fn string(node: Option<&Node>) -> Out {
    Out::Str(node.and_then(text).unwrap_or_default())
}

/// A `*bool` field: printed when set, even to false.
pub(crate) fn opt_bool(node: Option<&Node>) -> Option<Out> {
    match node?.resolve()? {
        Resolved::Bool(b) => Some(Out::Bool(b)),
        Resolved::Str(s) => s.parse().ok().map(Out::Bool),
        _ => None,
    }
}

/// A `bool` field (omitted when false).
pub(crate) fn boolean(node: Option<&Node>) -> Out {
    opt_bool(node).unwrap_or(Out::Bool(false))
}

/// An integer field.
pub(crate) fn int(node: Option<&Node>) -> Out {
    opt_int(node).unwrap_or(Out::Int(0))
}

/// An integer pointer field.
pub(crate) fn opt_int(node: Option<&Node>) -> Option<Out> {
    match node?.resolve()? {
        Resolved::Int(i) => Some(Out::Int(i)),
        Resolved::Str(s) => s.trim().parse().ok().map(Out::Int),
        #[allow(clippy::cast_possible_truncation)]
        Resolved::Float(f) if f.fract() == 0.0 => Some(Out::Int(f as i64)),
        _ => None,
    }
}

/// A `float32` field.
pub(crate) fn float32(node: Option<&Node>) -> Out {
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let f = match node.and_then(Node::resolve) {
        Some(Resolved::Int(i)) => i as f32,
        Some(Resolved::Float(f)) => f as f32,
        Some(Resolved::Str(s)) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    };
    Out::Float32(f)
}

/// The scalars of a list (a lone scalar is a list of one, as compose-go's
/// `StringList` reads it).
pub(crate) fn strings(node: Option<&Node>) -> Vec<String> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().filter_map(text).collect(),
        Some(Value::Scalar(_)) => node.and_then(text).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A `[]string` field.
pub(crate) fn string_list(node: Option<&Node>) -> Out {
    Out::Arr(strings(node).into_iter().map(Out::Str).collect())
}

/// A `key=value` list or a mapping, as `(key, value)` in written order; a
/// bare `key` (or a null value) is `None`.
pub(crate) fn entries(node: Option<&Node>) -> Vec<(String, Option<String>)> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(text)
            .map(|t| match t.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (t, None),
            })
            .collect(),
        Some(Value::Map(m)) => m.iter().map(|(k, e)| (k.clone(), text(&e.value))).collect(),
        _ => Vec::new(),
    }
}

/// A `Mapping`/`Labels` field: sorted, a bare key as `""`.
pub(crate) fn mapping(node: Option<&Node>) -> Out {
    let mut m: Vec<(String, String)> = entries(node)
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    m.sort_by(|a, b| a.0.cmp(&b.0));
    m.dedup_by(|later, earlier| {
        // The last of a repeated key wins, as in a Go map.
        if later.0 == earlier.0 {
            earlier.1 = std::mem::take(&mut later.1);
            true
        } else {
            false
        }
    });
    Out::Obj(m.into_iter().map(|(k, v)| (k, Out::Str(v))).collect())
}

/// A size in bytes, printed as compose-go's `UnitBytes`: a quoted decimal.
pub(crate) fn bytes(node: Option<&Node>) -> Out {
    let Some(n) = node else {
        return Out::Str(String::new());
    };
    let value = match n.resolve() {
        Some(Resolved::Int(i)) => Some(i),
        Some(Resolved::Str(s)) => crate::units::parse_bytes(s)
            .ok()
            .and_then(|b| i64::try_from(b).ok())
            .or_else(|| s.trim().parse().ok()),
        #[allow(clippy::cast_possible_truncation)]
        Some(Resolved::Float(f)) => Some(f as i64),
        _ => None,
    };
    match value {
        Some(0) | None => Out::Str(String::new()),
        Some(v) => Out::Str(v.to_string()),
    }
}

/// A duration, printed as Go's `time.Duration.String()` (`1m30s`,
/// `500ms`); `None` when absent or unreadable.
pub(crate) fn duration(node: Option<&Node>) -> Option<Out> {
    let t = text(node?)?;
    let nanos = crate::units::parse_duration_nanos(&t).ok()?;
    Some(Out::Str(go_duration(nanos)))
}

/// An omitempty `Duration` (zero left out).
pub(crate) fn duration_or_empty(node: Option<&Node>) -> Out {
    match duration(node) {
        Some(Out::Str(s)) if s == "0s" => Out::Str(String::new()),
        Some(d) => d,
        None => Out::Str(String::new()),
    }
}

/// Go's `time.Duration(nanos).String()`.
pub(crate) fn go_duration(nanos: u128) -> String {
    if nanos == 0 {
        return "0s".to_owned();
    }
    if nanos < 1_000_000_000 {
        let (unit, div) = if nanos < 1_000 {
            ("ns", 1)
        } else if nanos < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{}{unit}", fraction(nanos, div));
    }
    let mut out = String::new();
    let hours = nanos / 3_600_000_000_000;
    let rest = nanos % 3_600_000_000_000;
    let minutes = rest / 60_000_000_000;
    let secs = rest % 60_000_000_000;
    if hours > 0 {
        out.push_str(&format!("{hours}h{minutes}m"));
    } else if minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&fraction(secs, 1_000_000_000));
    out.push('s');
    out
}

/// `n / div` with the fraction's trailing zeros cut, as Go prints it.
fn fraction(n: u128, div: u128) -> String {
    let whole = n / div;
    let frac = n % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(500_000_000), "500ms");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(10_000_000_000), "10s");
        assert_eq!(go_duration(1_500), "1.5µs");
    }

    #[test]
    fn floats_print_as_go_sprint_prints_them() {
        assert_eq!(go_float_text(1.5), "1.5");
        assert_eq!(go_float_text(1.0), "1");
        assert_eq!(go_float_text(1e6), "1e+06");
        assert_eq!(go_float_text(123_456.0), "123456");
        assert_eq!(go_float_text(0.000_01), "1e-05");
        assert_eq!(go_float_text(f64::INFINITY), "+Inf");
    }
}
