//! `convert --check`: compare what would be written with what is in the
//! output directory, writing nothing — like `cargo fmt --check`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::json;

use crate::outcome::Outcome;
use crate::report::Reporter;

/// Whether a file in the output directory is one compose2ecs writes.
/// `convert` owns these in its output folder: it writes them, and removes
/// the ones the project no longer produces (`.run-task.json` included: the
/// `run-task` inputs of one-shot jobs are ours too).
pub(crate) fn is_ours(name: &str) -> bool {
    ECS_FILES.iter().any(|(_, suffix)| name.ends_with(suffix))
}

/// The files of the ECS target beside each family, in the order they are
/// written: the family's key in the `--format json` result, and the end of
/// the file's name after the family.
pub(crate) const ECS_FILES: [(&str, &str); 5] = [
    ("taskDefinition", ".task-definition.json"),
    ("service", ".service.json"),
    ("runTask", ".run-task.json"),
    ("scaling", ".scaling.json"),
    ("schedule", ".schedule.json"),
];

/// What the check found, for `--format json`.
pub(crate) struct Drift {
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub extra: Vec<String>,
    pub diffs: Vec<(String, String)>,
}

/// The templates `convert --target cloudformation` owns in its output
/// folder; the JSON files beside them are left alone, and the other way
/// round.
pub(crate) fn is_template(name: &str) -> bool {
    name.ends_with(".cloudformation.yaml") || name.ends_with(".cloudformation.json")
}

/// `files` against what `dir` holds, refused (before anything is read)
/// when an output path holds anything but a regular file: a symbolic link's
/// target would be read and shown in the diff, a FIFO would block.
pub(crate) fn compare(
    dir: &Path,
    files: &[(String, String)],
    is_ours: fn(&str) -> bool,
) -> Result<Drift, String> {
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    crate::write::only_regular_files(dir, &names)?;
    let mut drift = Drift {
        changed: Vec::new(),
        missing: Vec::new(),
        extra: Vec::new(),
        diffs: Vec::new(),
    };
    for (name, text) in files {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(old) if old == *text => {}
            Ok(old) => {
                let shown = path.display().to_string();
                let diff = similar::TextDiff::from_lines(&old, text)
                    .unified_diff()
                    .context_radius(3)
                    .header(
                        &format!("{shown} (committed)"),
                        &format!("{shown} (generated)"),
                    )
                    .to_string();
                drift.changed.push(shown.clone());
                drift.diffs.push((shown, diff));
            }
            Err(_) => drift.missing.push(path.display().to_string()),
        }
    }
    let ours: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    // What `convert -o DIR` would remove.
    drift.extra = crate::write::stale_files(dir, &ours, is_ours)
        .into_iter()
        .map(|p| p.display().to_string())
        .collect();
    Ok(drift)
}

impl Drift {
    pub(crate) fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        json!({
            "changed": self.changed,
            "missing": self.missing,
            "extra": self.extra,
            "diffs": self.diffs.iter().map(|(f, d)| json!({"file": f, "diff": d})).collect::<Vec<_>>(),
        })
    }
}

/// Prints the diffs (stdout) and the verdict (stderr), for people.
/// `again` is what rewrites the folder: the `convert` options after `-o DIR`.
pub(crate) fn report(drift: &Drift, dir: &Path, again: &str, reporter: Reporter) -> Outcome {
    if reporter.json {
        return if drift.is_clean() {
            Outcome::Success
        } else {
            Outcome::Rejected
        };
    }
    let diffs: String = drift.diffs.iter().map(|(_, d)| d.as_str()).collect();
    if !diffs.is_empty() {
        let _ = crate::report::stdout(diffs.as_bytes());
    }
    if drift.is_clean() {
        reporter.done(&format!("{} is up to date", dir.display()));
        return Outcome::Success;
    }
    let mut lines = Vec::new();
    for (what, list) in [
        ("changed", &drift.changed),
        ("missing", &drift.missing),
        ("extra", &drift.extra),
    ] {
        for f in list {
            lines.push(format!("  {what}: {f}"));
        }
    }
    reporter.error(&format!(
        "{} is out of date with the compose files:\n{}\nregenerate it with `compose2ecs convert -o {}{again}` (which also removes the extra files)",
        dir.display(),
        lines.join("\n"),
        dir.display()
    ));
    Outcome::Rejected
}
