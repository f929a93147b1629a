//! Output: all files or none, and a closed stdout pipe is not a crash.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::outcome::Outcome;

/// Writes every file to a temporary file in `dir` first, then renames them
/// all into place, so an error leaves no half-written output behind. Files
/// whose content is already right are not touched. Returns every path.
pub(crate) fn files_atomically(
    dir: &Path,
    files: &[(String, String)],
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the output directory `{}`: {e}",
            dir.display()
        )
    })?;
    let mut staged = Vec::with_capacity(files.len());
    for (name, text) in files {
        // A file that already says exactly this is left alone: no write, its
        // modification time kept (build tools and `make` see no change).
        let dest = dir.join(name);
        if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.file_type().is_file())
            && std::fs::read(&dest).is_ok_and(|old| old == text.as_bytes())
        {
            continue;
        }
        let mut tmp = tempfile::Builder::new()
            .prefix(".compose2ecs-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write in `{}`: {e}", dir.display()))?;
        // No fsync per file: the rename makes each file appear whole, and a
        // project of 1,000 services would spend a second in 2,000 fsyncs.
        tmp.write_all(text.as_bytes())
            .map_err(|e| format!("cannot write `{}`: {e}", dir.join(name).display()))?;
        staged.push((tmp, dir.join(name)));
    }
    for (tmp, dest) in staged {
        tmp.persist(&dest)
            .map_err(|e| format!("cannot write `{}`: {}", dest.display(), e.error))?;
    }
    Ok(files.iter().map(|(name, _)| dir.join(name)).collect())
}

/// Writes to stdout; a reader that went away (`| head`) ends the program quietly.
pub(crate) fn stdout(bytes: &[u8]) -> Outcome {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Outcome::Success,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Success,
        Err(e) => {
            crate::report::Reporter::default().error(&format!("cannot write to stdout: {e}"));
            Outcome::Rejected
        }
    }
}
