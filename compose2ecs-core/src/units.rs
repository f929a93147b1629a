//! Compose units → ECS units (see `MAPPING.md`, "Units").

/// Bytes in one MiB.
const MIB: u64 = 1024 * 1024;

/// Parses a compose byte value (`512m`, `1g`, `1.5gb`, `1073741824`) into bytes.
/// Suffixes are `b k kb m mb g gb t tb`, case-insensitive, powers of 1024.
pub(crate) fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => 1024 * MIB,
        "t" | "tb" | "tib" => 1024 * 1024 * MIB,
        other => {
            return Err(format!(
                "`{text}` has an unknown unit `{other}`; use b, k, m, g or t (powers of 1024)"
            ));
        }
    };
    if number.is_empty() {
        return Err(format!(
            "`{text}` is not a size; write for example 512m or 1g"
        ));
    }
    if let Ok(n) = number.parse::<u64>() {
        return n
            .checked_mul(factor)
            .ok_or_else(|| format!("`{text}` is too large"));
    }
    match number.parse::<f64>() {
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        Ok(f) if f.is_finite() && f >= 0.0 && f * (factor as f64) < u64::MAX as f64 => {
            Ok((f * factor as f64).ceil() as u64)
        }
        _ => Err(format!(
            "`{text}` is not a size; write for example 512m or 1g"
        )),
    }
}

/// Bytes → MiB, rounded up.
pub(crate) fn bytes_to_mib(bytes: u64) -> u64 {
    bytes.div_ceil(MIB)
}

/// Parses `cpus` (`0.5`, `"1.25"`) into ECS CPU units: round(cpus × 1024).
pub(crate) fn parse_cpus(text: &str) -> Result<u32, String> {
    let f: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of CPUs; write for example 0.5 or 2"))?;
    if !f.is_finite() || f < 0.0 {
        return Err(format!("`{text}` is not a number of CPUs"));
    }
    let units = (f * 1024.0).round();
    if units > f64::from(u32::MAX) {
        return Err(format!(
            "`{text}` CPUs is more than ECS can give a container"
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(units as u32)
}

/// Parses a compose duration (`1m30s`, `10s`, `500ms`, `1h`, `1.5s`) into
/// whole seconds, rounded up.
pub(crate) fn parse_duration_secs(text: &str) -> Result<u64, String> {
    let nanos = parse_duration_nanos(text)?;
    u64::try_from(nanos.div_ceil(1_000_000_000)).map_err(|_| duration_error(text))
}

fn duration_error(text: &str) -> String {
    format!(
        "`{text}` is not a duration; write for example 10s, 1m30s or 500ms (units h, m, s, ms, us, ns)"
    )
}

/// Parses a compose duration into nanoseconds, as Go's
/// `time.ParseDuration` does (a bare `0` is zero).
pub(crate) fn parse_duration_nanos(text: &str) -> Result<u128, String> {
    let t = text.trim();
    let bad = || duration_error(text);
    if t == "0" {
        return Ok(0);
    }
    if t.is_empty() {
        return Err(bad());
    }
    let mut nanos: f64 = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (num, tail) = rest.split_at(num_end);
        let value: f64 = num.parse().map_err(|_| bad())?;
        let unit_end = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_end);
        let factor = match unit {
            "h" => 3_600e9,
            "m" => 60e9,
            "s" => 1e9,
            "ms" => 1e6,
            "us" | "µs" => 1e3,
            "ns" => 1.0,
            _ => return Err(bad()),
        };
        nanos += value * factor;
        rest = tail;
    }
    if !nanos.is_finite() || nanos > 1e21 {
        return Err(bad());
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(nanos.round() as u128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes() {
        assert_eq!(parse_bytes("512m").unwrap(), 512 * MIB);
        assert_eq!(parse_bytes("1g").unwrap(), 1024 * MIB);
        assert_eq!(parse_bytes("1GB").unwrap(), 1024 * MIB);
        assert_eq!(parse_bytes("1073741824").unwrap(), 1024 * MIB);
        assert_eq!(parse_bytes("64kb").unwrap(), 64 * 1024);
        assert_eq!(parse_bytes("1.5g").unwrap(), 1536 * MIB);
        assert!(parse_bytes("12zb").is_err());
        assert!(parse_bytes("m").is_err());
        assert!(parse_bytes("lots").is_err());
    }

    #[test]
    fn mib_rounds_up() {
        assert_eq!(bytes_to_mib(MIB), 1);
        assert_eq!(bytes_to_mib(MIB + 1), 2);
        assert_eq!(bytes_to_mib(300_000_000), 287);
    }

    #[test]
    fn cpus_are_1024_units() {
        assert_eq!(parse_cpus("0.5").unwrap(), 512);
        assert_eq!(parse_cpus("1").unwrap(), 1024);
        assert_eq!(parse_cpus("0.25").unwrap(), 256);
        assert_eq!(parse_cpus("0.1").unwrap(), 102);
        assert!(parse_cpus("lots").is_err());
        assert!(parse_cpus("-1").is_err());
    }

    #[test]
    fn durations_round_up_to_seconds() {
        assert_eq!(parse_duration_secs("1m30s").unwrap(), 90);
        assert_eq!(parse_duration_secs("10s").unwrap(), 10);
        assert_eq!(parse_duration_secs("500ms").unwrap(), 1);
        assert_eq!(parse_duration_secs("1h").unwrap(), 3600);
        assert_eq!(parse_duration_secs("1.5s").unwrap(), 2);
        assert_eq!(parse_duration_secs("0").unwrap(), 0);
        assert!(parse_duration_secs("10").is_err());
        assert!(parse_duration_secs("10x").is_err());
        assert!(parse_duration_secs("").is_err());
    }
}
