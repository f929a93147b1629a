//! The one way out: every command reports its diagnostics, progress and
//! results through a [`Reporter`] on stderr — rustc-style for people
//! (colour only when stderr is a terminal, honouring `NO_COLOR`), or one
//! JSON object per line with `--format json` — and writes what it produces
//! (files' text, result documents, log lines) to stdout through
//! [`stdout`], [`document`] and [`stdout_line`]. Nothing else in the CLI
//! writes to stdout or stderr but `exec`'s session, which is the user's
//! terminal passed through (`aws.rs`).

use std::io::{IsTerminal as _, Write as _};

use anstyle::{AnsiColor, Style};
use compose2ecs_core::{Diagnostic, Severity, Sources};

use crate::outcome::Outcome;

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

/// Every error reported, for the `--format json` result document of a
/// command that ends without printing its own.
static ERRORS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// The errors reported so far.
pub(crate) fn errors() -> Vec<String> {
    ERRORS.lock().map(|e| e.clone()).unwrap_or_default()
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

    /// Diagnostics, quoting the lines they point at from `sources` (which
    /// masks what must never be shown).
    pub(crate) fn diagnostics<'d>(
        &self,
        sources: Option<&Sources>,
        list: impl IntoIterator<Item = &'d Diagnostic>,
    ) {
        let shown = list
            .into_iter()
            .filter(|d| !(self.quiet && d.severity == Severity::Note));
        if self.json {
            for d in shown {
                self.line(&diagnostic_json(d));
            }
            return;
        }
        let shown: Vec<&Diagnostic> = shown.collect();
        let text = render_all(sources, &shown, styled());
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    pub(crate) fn error(&self, message: &str) {
        if let Ok(mut e) = ERRORS.lock() {
            e.push(message.to_owned());
        }
        if self.json {
            self.line(&serde_json::json!({"type": "error", "message": message}));
        } else {
            let _ = writeln!(anstream::stderr(), "{}", error_line(message));
        }
    }

    /// Reports `message` as an error; the command stops, rejected.
    pub(crate) fn fail(&self, message: &str) -> Outcome {
        self.error(message);
        Outcome::Rejected
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

    /// The closing line of a conversion's report: what was shown, what
    /// `--family` left out, and the step to take next.
    pub(crate) fn summary(
        &self,
        warnings: usize,
        notes: usize,
        elsewhere: usize,
        next: Option<&str>,
    ) {
        if self.json {
            self.line(&serde_json::json!({
                "type": "summary", "errors": 0, "warnings": warnings, "notes": notes,
                "other_families": elsewhere,
            }));
            return;
        }
        let n = |count: usize, what: &str| {
            format!("{count} {what}{}", if count == 1 { "" } else { "s" })
        };
        let mut line = format!(
            "converted: 0 errors, {}, {}",
            n(warnings, "warning"),
            n(notes, "note")
        );
        if self.quiet && notes > 0 {
            line.push_str(" (notes hidden by -q)");
        }
        if elsewhere > 0 {
            line.push_str(&format!("; {} about other families not shown", elsewhere));
        }
        if let Some(next) = next {
            line.push_str(&format!("; next: {next}"));
        }
        let _ = writeln!(anstream::stderr(), "{line}");
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

    /// A passing "working on …" line, shown only to a person at a terminal.
    pub(crate) fn transient(&self, line: &str) {
        if !self.json && std::io::stderr().is_terminal() {
            let _ = write!(std::io::stderr(), "{line}\r");
        }
    }

    /// Whether progress can be redrawn in place (a person at a terminal).
    pub(crate) fn live(&self) -> bool {
        !self.json && std::io::stderr().is_terminal()
    }

    /// The state of several things at once: redrawn in place over the
    /// `drawn` lines shown before when live, else only the lines that
    /// changed since `shown`.
    pub(crate) fn status(&self, lines: &[String], shown: &mut Vec<String>) {
        if self.live() {
            let mut err = std::io::stderr().lock();
            if !shown.is_empty() {
                let _ = write!(err, "\x1b[{}A", shown.len());
            }
            for l in lines {
                let _ = writeln!(err, "\x1b[2K{l}");
            }
            shown.clone_from(&lines.to_vec());
            return;
        }
        shown.resize(lines.len(), String::new());
        for (l, s) in lines.iter().zip(shown.iter_mut()) {
            if l != s {
                if self.json {
                    self.line(&serde_json::json!({"type": "progress", "message": l}));
                } else {
                    let _ = writeln!(std::io::stderr(), "{l}");
                }
                s.clone_from(l);
            }
        }
    }

    /// Shows `listed`, then asks `question` on the terminal; `None` when
    /// there is no terminal to ask on (standard input or error is not one),
    /// else whether the answer is yes.
    pub(crate) fn confirm(&self, listed: &[String], question: &str) -> Option<bool> {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return None;
        }
        for l in listed {
            self.progress(l);
        }
        let _ = write!(std::io::stderr(), "{question} [y/N] ");
        let mut answer = String::new();
        Some(
            std::io::stdin().read_line(&mut answer).is_ok()
                && matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
        )
    }

    /// The `--format json` result of a refused conversion.
    pub(crate) fn rejected_document(&self, diagnostics: &[Diagnostic], strict: bool) {
        if self.json {
            let mut doc = serde_json::json!({
                "status": "rejected",
                "families": [],
                "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
            });
            if strict {
                doc["strict"] = true.into();
            }
            let _ = document(&doc);
        }
    }

    /// The end of a run that went well.
    pub(crate) fn done(&self, message: &str) {
        if self.json {
            self.line(&serde_json::json!({"type": "done", "message": message}));
        } else {
            let _ = writeln!(std::io::stderr(), "{message}");
        }
    }

    /// What writing the output folder did, a line per file: `wrote`,
    /// `unchanged` (already exactly this, not rewritten) or `removed` (ours,
    /// no longer produced).
    pub(crate) fn written(
        &self,
        wrote: &[std::path::PathBuf],
        unchanged: &[std::path::PathBuf],
        removed: &[std::path::PathBuf],
    ) {
        let groups = [
            ("written", "wrote", wrote),
            ("unchanged", "unchanged", unchanged),
            ("removed", "removed", removed),
        ];
        if self.json {
            for (kind, _, paths) in groups {
                for p in paths {
                    self.line(&serde_json::json!({"type": kind, "path": p.display().to_string()}));
                }
            }
            return;
        }
        use std::fmt::Write as _;
        let green = if styled() { GREEN } else { Style::new() };
        let mut text = String::new();
        for (_, verb, paths) in groups {
            for p in paths {
                let _ = writeln!(text, "{green}{verb}{green:#} {}", p.display());
            }
        }
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Whether the command printed its result on stdout: with `--format json`,
/// `main` prints a result document itself when it did not.
static PRINTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn printed() -> bool {
    PRINTED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether stdout is a stream of lines (`logs`): with `--format json`, JSON
/// lines and nothing else, so no result document goes there (the status
/// is on stderr, as every message is).
static STREAM: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes stdout a stream of lines for the rest of the run.
pub(crate) fn stream() {
    STREAM.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// A `--format json` result document, pretty, on stdout (not on a stream).
pub(crate) fn document(doc: &serde_json::Value) -> Outcome {
    if STREAM.load(std::sync::atomic::Ordering::Relaxed) {
        return Outcome::Success;
    }
    stdout(format!("{doc:#}\n").as_bytes())
}

/// Writes to stdout; a reader that went away (`| head`) ends the program quietly.
pub(crate) fn stdout(bytes: &[u8]) -> Outcome {
    match write_out(bytes) {
        Ok(()) => Outcome::Success,
        Err(o) => o,
    }
}

/// One line of a stream on stdout (`logs`, the ARNs `register` prints): a
/// text line, or with `--format json` one JSON document. `Err` ends the
/// stream: `Success` when the reader went away (`| head`), else the error,
/// reported.
pub(crate) fn stdout_line(line: &str) -> Result<(), Outcome> {
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    write_out(&bytes)
}

/// Whether what is written to stdout is styled: anstream's choice (a
/// terminal, `NO_COLOR`, `CLICOLOR_FORCE`).
pub(crate) fn stdout_styled() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

fn write_out(bytes: &[u8]) -> Result<(), Outcome> {
    PRINTED.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Outcome::Success),
        Err(e) => {
            Reporter::default().error(&format!("cannot write to stdout: {e}"));
            Err(Outcome::Rejected)
        }
    }
}

/// `1 family`, `2 families`: a count and its noun.
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
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
        "also": d.also.iter().map(|p| serde_json::json!({
            "path": p.path,
            "file": p.location.as_ref().map(|l| l.file.display().to_string()),
            "line": p.location.as_ref().map(|l| l.line),
            "column": p.location.as_ref().map(|l| l.column),
        })).collect::<Vec<_>>(),
    })
}

/// How many other places are listed under a diagnostic before "… and N
/// more".
const ALSO_SHOWN: usize = 8;

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
fn render(out: &mut String, sources: Option<&Sources>, d: &Diagnostic, styled: bool) {
    use std::fmt::Write as _;
    // Plain styles print nothing: text for a pipe or a file is written
    // without escape codes rather than stripped of them afterwards.
    let style = |s: Style| if styled { s } else { Style::new() };
    let (sev, blue, bold) = (style(severity_style(d.severity)), style(BLUE), style(BOLD));
    let _ = writeln!(
        out,
        "{sev}{}[{}]{sev:#}{bold}: {}{bold:#}",
        d.severity, d.code, d.message
    );
    let line_text = d
        .location
        .as_ref()
        .zip(sources)
        .and_then(|(loc, s)| s.line(&loc.file, loc.line));
    let gutter_width = d.location.as_ref().map_or(1, |l| l.line.to_string().len());
    let pad = " ".repeat(gutter_width);
    if let Some(loc) = &d.location {
        let _ = writeln!(out, "{pad}{blue}-->{blue:#} {loc}");
        if let Some(line) = line_text {
            let (line, col) = window(&line, loc.column.saturating_sub(1) as usize);
            let prefix: String = line
                .chars()
                .take(col)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let label = d.path.as_deref().unwrap_or("");
            let _ = writeln!(out, "{pad} {blue}|{blue:#}");
            let _ = writeln!(out, "{blue}{}{blue:#} {blue}|{blue:#} {line}", loc.line);
            let _ = writeln!(out, "{pad} {blue}|{blue:#} {prefix}{sev}^ {label}{sev:#}");
        } else if let Some(path) = &d.path {
            let _ = writeln!(out, "{pad} {blue}={blue:#} at: {path}");
        }
    } else if let Some(path) = &d.path {
        let _ = writeln!(out, "{pad} {blue}={blue:#} at: {path}");
    }
    if !d.also.is_empty() {
        let _ = writeln!(
            out,
            "{pad} {blue}={blue:#} the same in {} more place{}:",
            d.also.len(),
            if d.also.len() == 1 { "" } else { "s" }
        );
        for p in d.also.iter().take(ALSO_SHOWN) {
            let _ = match (&p.location, &p.path) {
                (Some(at), Some(path)) => writeln!(out, "{pad}     {at} ({path})"),
                (Some(at), None) => writeln!(out, "{pad}     {at}"),
                (None, Some(path)) => writeln!(out, "{pad}     {path}"),
                (None, None) => continue,
            };
        }
        if d.also.len() > ALSO_SHOWN {
            let _ = writeln!(out, "{pad}     … and {} more", d.also.len() - ALSO_SHOWN);
        }
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} {blue}={blue:#} {bold}help{bold:#}: {help}");
    }
    out.push('\n');
}

/// How much of a source line a diagnostic quotes: a line longer than this
/// (a 300 KB one-line value) is cut around the column it points at.
const QUOTE_WIDTH: usize = 160;

/// The line as quoted: whole when it fits in [`QUOTE_WIDTH`] characters,
/// else that many around `col` (a third before it), with `…` where it was
/// cut; and `col` within what is quoted.
fn window(line: &str, col: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= QUOTE_WIDTH {
        return (line.to_owned(), col);
    }
    let start = col.saturating_sub(QUOTE_WIDTH / 3).min(count - QUOTE_WIDTH);
    let mut shown: String = line.chars().skip(start).take(QUOTE_WIDTH).collect();
    let mut col = col - start;
    if start > 0 {
        shown.insert(0, '…');
        col += 1;
    }
    if start + QUOTE_WIDTH < count {
        shown.push('…');
    }
    (shown, col)
}

/// `list` rendered, in order: a long list in two halves on two cores (a
/// 1,000-service project has thousands of diagnostics, each quoting its line).
fn render_all(sources: Option<&Sources>, list: &[&Diagnostic], styled: bool) -> String {
    let one = |part: &[&Diagnostic]| {
        let mut out = String::new();
        for d in part {
            render(&mut out, sources, d, styled);
        }
        out
    };
    compose2ecs_core::halves::in_halves(list, |part| vec![one(part)])
        .into_iter()
        .collect()
}

/// Whether what is written to stderr is styled: anstream's choice (a
/// terminal, `NO_COLOR`, `CLICOLOR_FORCE`).
fn styled() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
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

#[cfg(test)]
mod tests {
    use super::*;
    use compose2ecs_core::Code;

    #[test]
    fn a_long_line_is_quoted_around_its_column() {
        assert_eq!(window("image: nginx", 7), ("image: nginx".to_owned(), 7));
        let line = format!("X: \"{}$(oops){}\"", "a".repeat(5_000), "b".repeat(5_000));
        let col = line.find("$(").unwrap();
        let (shown, at) = window(&line, col);
        assert_eq!(
            shown.chars().count(),
            QUOTE_WIDTH + 2,
            "cut on both sides, marked"
        );
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(
            shown.chars().skip(at).take(7).collect::<String>(),
            "$(oops)"
        );
        let (start, at) = window(&line, 3);
        assert!(!start.starts_with('…') && start.ends_with('…'));
        assert_eq!(at, 3);
    }

    /// A list long enough to be rendered on two cores reads as one core
    /// renders it, in order.
    #[test]
    fn a_long_list_renders_as_one_core_renders_it() {
        let list: Vec<Diagnostic> = (0..150)
            .map(|i| {
                Diagnostic::warning(Code::UnsetVariable, format!("variable `V{i}` is not set"))
                    .with_path(format!("services.s{i}.image"))
            })
            .collect();
        let refs: Vec<&Diagnostic> = list.iter().collect();
        let mut one = String::new();
        for d in &refs {
            render(&mut one, None, d, false);
        }
        assert_eq!(render_all(None, &refs, false), one);
        let at = |s: &str| one.find(s).unwrap_or(usize::MAX);
        assert!(at("`V0`") < at("`V75`") && at("`V75`") < at("`V149`"));
        assert!(!one.contains('\x1b'), "plain text has no escape codes");
        let mut styled = String::new();
        render(&mut styled, None, refs[0], true);
        assert!(styled.contains('\x1b'));
    }
}
