//! `compose2ecs logs [SERVICE…]`: the CloudWatch lines of the project's
//! containers, as `docker compose logs` prints them — interleaved by time,
//! each prefixed with its compose service in a stable colour. It reads the
//! log groups and stream prefixes the conversion configured (awslogs:
//! `<prefix>/<container>/<task id>`) with `aws logs filter-log-events`,
//! following `nextToken` page by page, and with `--follow` polls from the
//! last line seen, so it works the same with AWS CLI v1 and v2.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anstyle::{AnsiColor, Style};

use crate::args::LogsArgs;
use crate::aws::{Aws, AwsError};
use crate::context::Context;
use crate::outcome::{Ended, Outcome};
use crate::report::Reporter;

/// docker compose's service colours, in its order.
const COLOURS: [AnsiColor; 6] = [
    AnsiColor::Cyan,
    AnsiColor::Yellow,
    AnsiColor::Green,
    AnsiColor::Magenta,
    AnsiColor::Blue,
    AnsiColor::BrightCyan,
];

/// Where one compose service's lines are.
struct Source {
    service: String,
    group: String,
    /// `<stream prefix>/<container>/`.
    prefix: String,
    style: Style,
}

/// One line read.
struct Line {
    timestamp: i64,
    id: String,
    source: usize,
    stream: String,
    message: String,
}

pub(crate) fn run(args: &LogsArgs) -> Ended {
    let since = args
        .since
        .as_deref()
        .map(since_millis)
        .transpose()
        .map_err(|m| Reporter::default().fail(&m))?;
    let ctx = Context::resolve(&args.conversion, &[], None)?;
    let reporter = ctx.reporter;
    let sources = sources(&ctx, &args.services)?;
    let aws = ctx.aws(&args.aws_cli, false);
    let mut start = since;
    let mut seen: BTreeSet<(i64, String)> = BTreeSet::new();
    let mut missing: BTreeSet<String> = BTreeSet::new();
    loop {
        let mut lines = Vec::new();
        for (i, s) in sources.iter().enumerate() {
            match read(&aws, s, i, start) {
                Ok(mut l) => lines.append(&mut l),
                Err(AwsError::Failed(m)) if m.contains("ResourceNotFoundException") => {
                    if missing.insert(s.group.clone()) {
                        reporter.progress(&format!(
                            "no log group {} yet: nothing of `{}` has run (deploy it first)",
                            s.group, s.service
                        ));
                    }
                }
                Err(e) => {
                    let message = format!("reading the logs of `{}` failed: {e}", s.service);
                    return Err(reporter.fail(&message));
                }
            }
        }
        lines.retain(|l| !seen.contains(&(l.timestamp, l.id.clone())));
        lines.sort_by(|a, b| {
            (a.timestamp, a.source, &a.stream).cmp(&(b.timestamp, b.source, &b.stream))
        });
        print(&sources, &lines, reporter.json, args.timestamps)?;
        if !args.follow {
            return Ok(Outcome::Success);
        }
        // From the newest line on (its millisecond included: others may
        // share it), forgetting what is older than that.
        if let Some(last) = lines.iter().map(|l| l.timestamp).max() {
            start = Some(start.map_or(last, |s| s.max(last)));
        }
        seen.extend(lines.into_iter().map(|l| (l.timestamp, l.id)));
        if let Some(s) = start {
            seen.retain(|(t, _)| *t >= s);
        }
        std::thread::sleep(Duration::from_secs_f64(args.interval));
    }
}

/// Where the lines of each of `services` (every service when none) are,
/// each with its colour: its place in the project, whatever is asked.
fn sources(ctx: &Context, services: &[String]) -> Result<Vec<Source>, Outcome> {
    let (reporter, conversion) = (ctx.reporter, &ctx.conversion);
    let mut names: Vec<&String> = Vec::new();
    for s in services {
        let Some((name, _)) = conversion.placements.get_key_value(s) else {
            let all: Vec<&str> = conversion.placements.keys().map(String::as_str).collect();
            return Err(reporter.fail(&format!(
                "no service `{s}` in this project (or its profiles are not active); it has: {}",
                all.join(", ")
            )));
        };
        names.push(name);
    }
    if services.is_empty() {
        names = conversion.placements.keys().collect();
    }
    let styled = crate::report::stdout_styled();
    let mut sources = Vec::new();
    for name in names {
        let index = conversion
            .placements
            .get_index_of(name.as_str())
            .unwrap_or(0);
        let placement = &conversion.placements[name.as_str()];
        let log = conversion.task_definitions[&placement.family]
            .container_definitions
            .iter()
            .find(|c| c.name == placement.container)
            .and_then(|c| c.log_configuration.as_ref())
            .filter(|l| l.log_driver == "awslogs");
        let found = log.and_then(|l| {
            Some((
                l.options.get("awslogs-group")?.clone(),
                l.options.get("awslogs-stream-prefix")?.clone(),
            ))
        });
        let Some((group, prefix)) = found else {
            return Err(reporter.fail(&format!(
                    "`{name}` sends no logs to CloudWatch (no awslogs configuration: set `region:` in compose2ecs.yaml); there is nothing to read"
                ),
            ));
        };
        sources.push(Source {
            service: name.clone(),
            group,
            prefix: format!("{prefix}/{}/", placement.container),
            style: if styled {
                COLOURS[index % COLOURS.len()].on_default()
            } else {
                Style::new()
            },
        });
    }
    Ok(sources)
}

/// The lines on stdout: prefixed with their service, or with `--format
/// json` one JSON document each (JSON lines). `Err` ends the stream.
fn print(sources: &[Source], lines: &[Line], json: bool, timestamps: bool) -> Result<(), Outcome> {
    let width = sources.iter().map(|s| s.service.len()).max().unwrap_or(0);
    for l in lines {
        let s = &sources[l.source];
        let text = if json {
            serde_json::json!({
                "service": s.service, "timestamp": l.timestamp,
                "time": rfc3339(l.timestamp), "stream": l.stream, "message": l.message,
            })
            .to_string()
        } else {
            let time = if timestamps {
                format!(" {}", rfc3339(l.timestamp))
            } else {
                String::new()
            };
            format!(
                "{}{:width$} |{}{time} {}",
                s.style.render(),
                s.service,
                s.style.render_reset(),
                l.message
            )
        };
        crate::report::stdout_line(&text)?;
    }
    Ok(())
}

/// Every line of `s` from `start` (ms since the epoch), page by page.
fn read(aws: &Aws, s: &Source, index: usize, start: Option<i64>) -> Result<Vec<Line>, AwsError> {
    let start = start.map(|s| s.to_string());
    let mut token: Option<String> = None;
    let mut lines = Vec::new();
    loop {
        let mut call = vec![
            "logs",
            "filter-log-events",
            "--log-group-name",
            s.group.as_str(),
            "--log-stream-name-prefix",
            s.prefix.as_str(),
            "--no-paginate",
        ];
        if let Some(t) = &start {
            call.extend(["--start-time", t.as_str()]);
        }
        if let Some(t) = &token {
            call.extend(["--next-token", t.as_str()]);
        }
        let page = aws.json(&call)?;
        for e in page["events"].as_array().into_iter().flatten() {
            let stream = e["logStreamName"].as_str().unwrap_or_default();
            // Not every server honours the prefix (moto does not).
            if !stream.starts_with(&s.prefix) {
                continue;
            }
            lines.push(Line {
                timestamp: e["timestamp"].as_i64().unwrap_or(0),
                id: e["eventId"].as_str().unwrap_or_default().to_owned(),
                source: index,
                stream: stream.to_owned(),
                message: e["message"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_end()
                    .to_owned(),
            });
        }
        match page["nextToken"].as_str() {
            Some(t) if !t.is_empty() && token.as_deref() != Some(t) => token = Some(t.to_owned()),
            _ => return Ok(lines),
        }
    }
}

/// `--since`: `30s`, `10m`, `2h`, `7d` ago, or `2026-12-03T10:00:00Z`; in
/// ms since the epoch.
fn since_millis(text: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "--since `{text}` is neither a duration (`30s`, `10m`, `2h`, `7d`) nor a UTC time (`2026-12-03T10:00:00Z`)"
        )
    };
    if let Some(t) = parse_rfc3339(text) {
        return Ok(t);
    }
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = text.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(bad()),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Ok(now - n.saturating_mul(seconds * 1000))
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` (optionally with `.mmm`), in ms since the epoch.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let t = text.strip_suffix('Z')?;
    let (date, time) = t.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let (time, ms) = time.split_once('.').unwrap_or((time, "0"));
    let mut h = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hh, mm, ss) = (h.next()??, h.next()??, h.next()??);
    let ms: i64 = format!("{ms:0<3}").get(..3)?.parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    Some(((days_from_civil(y, mo, da) * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms)
}

/// A timestamp (ms since the epoch) as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn rfc3339(ms: i64) -> String {
    let (days, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_and_print_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_764_750_000_123), "2025-12-03T08:20:00.123Z");
        assert_eq!(
            parse_rfc3339("2025-12-03T08:20:00.123Z"),
            Some(1_764_750_000_123)
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T23:59:59Z")
                .map(rfc3339)
                .as_deref(),
            Some("2024-02-29T23:59:59.000Z")
        );
        assert_eq!(parse_rfc3339("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn since_takes_durations_and_utc_times() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let ten_minutes = since_millis("10m").unwrap();
        assert!((now - 600_000 - ten_minutes).abs() < 5_000, "{ten_minutes}");
        assert_eq!(since_millis("1970-01-02T00:00:00Z"), Ok(86_400_000));
        assert!(
            since_millis("10 minutes")
                .unwrap_err()
                .contains("neither a duration")
        );
        assert!(since_millis("m").is_err());
    }
}
