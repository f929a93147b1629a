//! Diagnostics on stderr, rustc-style, with the source line they point at.
//! Colour only when stderr is a terminal (anstream strips it otherwise, and
//! honours `NO_COLOR`).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};
use compose2ecs_core::{Diagnostic, Input, Severity};

const BOLD: Style = Style::new().bold();
const BLUE: Style = AnsiColor::Blue.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => AnsiColor::Red.on_default().bold(),
        Severity::Warning => AnsiColor::Yellow.on_default().bold(),
        _ => AnsiColor::Cyan.on_default().bold(),
    }
}

pub(crate) fn error_line(message: &str) -> String {
    let red = severity_style(Severity::Error);
    format!("{red}error{red:#}{BOLD}: {message}{BOLD:#}")
}

/// How messages are shown: rustc-style for people, or JSON lines for tools;
/// `quiet` leaves out notes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Reporter {
    pub json: bool,
    pub quiet: bool,
}

impl Reporter {
    fn line(&self, value: &serde_json::Value) {
        let _ = writeln!(std::io::stderr(), "{value}");
    }

    pub(crate) fn diagnostics(&self, input: Option<&Input>, list: &[Diagnostic]) {
        let shown: Vec<&Diagnostic> = list
            .iter()
            .filter(|d| !(self.quiet && d.severity == Severity::Note))
            .collect();
        if !self.json {
            // Source lines are quoted: mask what must never be shown.
            let sensitive = match input {
                Some(i) if shown.iter().any(|d| d.location.is_some()) => {
                    compose2ecs_core::redact::sensitive_values(i)
                }
                _ => Vec::new(),
            };
            let mut lines = Lines::new(input);
            let mut err = anstream::stderr().lock();
            for d in shown {
                let _ = err.write_all(render(&mut lines, d, &sensitive).as_bytes());
            }
            return;
        }
        for d in shown {
            self.line(&diagnostic_json(d));
        }
    }

    pub(crate) fn error(&self, message: &str) {
        if self.json {
            self.line(&serde_json::json!({"type": "error", "message": message}));
        } else {
            let _ = writeln!(anstream::stderr(), "{}", error_line(message));
        }
    }

    pub(crate) fn rejected(&self, errors: usize) {
        if self.json {
            self.line(&serde_json::json!({"type": "rejected", "errors": errors}));
        } else {
            summary_rejected(errors);
        }
    }

    pub(crate) fn strict(&self, warnings: usize) {
        if self.json {
            self.line(
                &serde_json::json!({"type": "rejected", "strict": true, "warnings": warnings}),
            );
        } else {
            summary_strict(warnings);
        }
    }

    pub(crate) fn registered(&self, revision: &str, arn: &str) {
        if self.json {
            self.line(&serde_json::json!({"type": "registered", "revision": revision, "arn": arn}));
        } else {
            let _ = writeln!(anstream::stderr(), "{GREEN}registered{GREEN:#} {revision}");
        }
    }

    pub(crate) fn progress(&self, line: &str) {
        if self.json {
            self.line(&serde_json::json!({"type": "progress", "message": line}));
        } else {
            let _ = writeln!(anstream::stderr(), "{GREEN}{line}{GREEN:#}");
        }
    }

    pub(crate) fn written(&self, paths: &[PathBuf]) {
        if self.json {
            for p in paths {
                self.line(&serde_json::json!({"type": "written", "path": p.display().to_string()}));
            }
        } else {
            written(paths);
        }
    }
}

/// A diagnostic as JSON: `{"type": "diagnostic", "severity", "code",
/// "message", "path", "file", "line", "column", "help"}`.
pub(crate) fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    let loc = d.location.as_ref();
    serde_json::json!({
        "type": "diagnostic",
        "severity": d.severity.to_string(),
        "code": d.code.as_str(),
        "message": d.message,
        "path": d.path,
        "file": loc.map(|l| l.file.display().to_string()),
        "line": loc.map(|l| l.line),
        "column": loc.map(|l| l.column),
        "help": d.help,
    })
}

/// Renders one diagnostic:
///
/// ```text
/// warning[host-port-dropped]: published port 8000 is ignored: …
///   --> compose.yaml:6:9
///    |
///  6 |       - "8000:8080"
///    |         ^ services.rest.ports[0]
///    = help: …
/// ```
/// The lines of the files diagnostics point at, split once per file.
struct Lines<'a> {
    input: Option<&'a Input>,
    files: HashMap<PathBuf, Option<Vec<String>>>,
}

impl<'a> Lines<'a> {
    fn new(input: Option<&'a Input>) -> Self {
        Lines {
            input,
            files: HashMap::new(),
        }
    }

    /// Line `n` (1-based) of `file`. Compose and overlay files are quoted
    /// (included and extended ones read again from disk); env files never:
    /// a line of an env file is a value, and may be a secret.
    fn line(&mut self, file: &Path, n: u32) -> Option<&str> {
        let input = self.input;
        let lines = self.files.entry(file.to_path_buf()).or_insert_with(|| {
            let is_yaml = file.extension().is_some_and(|e| e == "yaml" || e == "yml");
            let text = input
                .and_then(|i| i.source_text(file))
                .map(str::to_owned)
                .or_else(|| {
                    is_yaml
                        .then(|| std::fs::read_to_string(file).ok())
                        .flatten()
                })?;
            Some(text.lines().map(str::to_owned).collect())
        });
        lines
            .as_ref()?
            .get(n.saturating_sub(1) as usize)
            .map(String::as_str)
    }
}

fn render(lines: &mut Lines<'_>, d: &Diagnostic, sensitive: &[String]) -> String {
    let sev = severity_style(d.severity);
    let mut out = format!(
        "{sev}{}[{}]{sev:#}{BOLD}: {}{BOLD:#}\n",
        d.severity, d.code, d.message
    );
    let line_text = d
        .location
        .as_ref()
        .and_then(|loc| lines.line(&loc.file, loc.line))
        .map(|l| compose2ecs_core::redact::redact_line(l, sensitive));
    let gutter_width = d.location.as_ref().map_or(1, |l| l.line.to_string().len());
    let pad = " ".repeat(gutter_width);
    if let Some(loc) = &d.location {
        out.push_str(&format!("{pad}{BLUE}-->{BLUE:#} {loc}\n"));
        if let Some(line) = line_text {
            let col = loc.column.saturating_sub(1) as usize;
            let prefix: String = line
                .chars()
                .take(col)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let label = d.path.as_deref().unwrap_or("");
            out.push_str(&format!("{pad} {BLUE}|{BLUE:#}\n"));
            out.push_str(&format!(
                "{BLUE}{}{BLUE:#} {BLUE}|{BLUE:#} {line}\n",
                loc.line
            ));
            out.push_str(&format!(
                "{pad} {BLUE}|{BLUE:#} {prefix}{sev}^ {label}{sev:#}\n"
            ));
        } else if let Some(path) = &d.path {
            out.push_str(&format!("{pad} {BLUE}={BLUE:#} at: {path}\n"));
        }
    } else if let Some(path) = &d.path {
        out.push_str(&format!("{pad} {BLUE}={BLUE:#} at: {path}\n"));
    }
    if let Some(help) = &d.help {
        out.push_str(&format!(
            "{pad} {BLUE}={BLUE:#} {BOLD}help{BOLD:#}: {help}\n"
        ));
    }
    out.push('\n');
    out
}

fn summary_rejected(errors: usize) {
    let plural = if errors == 1 { "" } else { "s" };
    let _ = writeln!(
        anstream::stderr(),
        "{}",
        error_line(&format!(
            "conversion failed with {errors} error{plural}; nothing was written"
        ))
    );
}

fn summary_strict(warnings: usize) {
    let plural = if warnings == 1 { "" } else { "s" };
    let _ = writeln!(
        anstream::stderr(),
        "{}",
        error_line(&format!(
            "--strict: {warnings} warning{plural} treated as errors; nothing was written"
        ))
    );
}

fn written(paths: &[PathBuf]) {
    let mut err = anstream::stderr().lock();
    for p in paths {
        let _ = writeln!(err, "{GREEN}wrote{GREEN:#} {}", p.display());
    }
}
