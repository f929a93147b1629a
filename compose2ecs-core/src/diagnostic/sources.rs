//! The text of every file a pass read, to quote the lines diagnostics point
//! at, with what must never be shown already masked.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::redact;

/// One file's text and, once asked for, where its lines start.
#[derive(Debug, Clone)]
struct File {
    path: PathBuf,
    text: Arc<str>,
    starts: OnceLock<Vec<usize>>,
}

/// The compose and overlay files a conversion read — the ones it was given
/// and the ones `include` and `extends` named — and the values that must not
/// be shown. Env files are never among them: a line of an env file is a
/// value, and may be a secret.
///
/// It travels with a [`Conversion`](crate::Conversion) and an
/// [`Error`](crate::Error), so a front end quotes lines without reading or
/// loading anything again.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<File>,
    sensitive: Vec<String>,
}

impl PartialEq for Sources {
    fn eq(&self, other: &Self) -> bool {
        self.sensitive == other.sensitive
            && self.files.len() == other.files.len()
            && self
                .files
                .iter()
                .zip(&other.files)
                .all(|(a, b)| a.path == b.path && a.text == b.text)
    }
}

impl Sources {
    /// Records a file; the first text recorded for a path is kept.
    pub(crate) fn add(&mut self, path: &Path, text: &str) {
        if self.files.iter().any(|f| f.path == path) {
            return;
        }
        self.files.push(File {
            path: path.to_path_buf(),
            text: text.into(),
            starts: OnceLock::new(),
        });
    }

    /// Everything `other` recorded that this does not have yet.
    pub(crate) fn merge(&mut self, other: Sources) {
        for f in other.files {
            self.add(&f.path, &f.text);
        }
        self.add_sensitive(other.sensitive);
    }

    /// Adds values to mask.
    pub(crate) fn add_sensitive(&mut self, values: impl IntoIterator<Item = String>) {
        for v in values {
            if !self.sensitive.contains(&v) {
                self.sensitive.push(v);
            }
        }
        self.sensitive.sort();
    }

    /// The values masked in every quoted line: the local values of the
    /// variables the overlay maps to secrets, and the process environment's
    /// values of credential-like variables.
    pub fn sensitive_values(&self) -> &[String] {
        &self.sensitive
    }

    /// Any text fit to show, such as a diff of an output file: every
    /// sensitive value and every value shaped like a well-known token
    /// masked.
    pub fn redact(&self, text: &str) -> String {
        redact::redact_text(text, &self.sensitive)
    }

    /// Where `needle` is first written in the files, in the order they were
    /// read.
    pub(crate) fn find(&self, needle: &str) -> Option<super::Location> {
        if needle.is_empty() {
            return None;
        }
        self.files.iter().find_map(|f| {
            let at = f.text.find(needle)?;
            let before = &f.text[..at];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            Some(super::Location {
                file: f.path.as_path().into(),
                line: u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX),
                column: u32::try_from(before[line_start..].chars().count() + 1).unwrap_or(u32::MAX),
            })
        })
    }

    /// Line `n` (1-based) of `file`, fit to show: every sensitive value
    /// masked, and the value of a `KEY: value` or `KEY=value` whose key looks
    /// secret masked too. `None` for a file that was not read (or an env
    /// file) and for a line past its end.
    pub fn line(&self, file: &Path, n: u32) -> Option<String> {
        let f = self.files.iter().find(|f| f.path == file)?;
        let starts = f.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(f.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *starts.get(i)?;
        if start >= f.text.len() {
            return None;
        }
        let end = starts.get(i + 1).map_or(f.text.len(), |e| e - 1);
        let line = f.text[start..end]
            .strip_suffix('\r')
            .unwrap_or(&f.text[start..end]);
        Some(redact::redact_line(line, &self.sensitive))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_quoted_masked() {
        let mut s = Sources::default();
        s.add(
            Path::new("c.yaml"),
            "a: 1\r\nDB_URL: postgres://u:hunter22@db\nlast",
        );
        s.add_sensitive(vec!["hunter22".to_owned()]);
        assert_eq!(s.line(Path::new("c.yaml"), 1).as_deref(), Some("a: 1"));
        assert_eq!(
            s.line(Path::new("c.yaml"), 2).as_deref(),
            Some("DB_URL: postgres://u:********@db")
        );
        assert_eq!(s.line(Path::new("c.yaml"), 3).as_deref(), Some("last"));
        assert_eq!(s.line(Path::new("c.yaml"), 4), None);
        assert_eq!(s.line(Path::new("c.yaml"), 0), None);
        assert_eq!(s.line(Path::new(".env"), 1), None);
        s.add(Path::new("empty.yaml"), "");
        assert_eq!(s.line(Path::new("empty.yaml"), 1), None);
    }
}
