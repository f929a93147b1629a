//! Output: all files or none, and a closed stdout pipe is not a crash.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::Outcome;

/// Writes every file to a temporary file in `dir` first, then renames them
/// all into place, so an error leaves no half-written output behind.
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
        let mut tmp = tempfile::Builder::new()
            .prefix(".compose2ecs-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write in `{}`: {e}", dir.display()))?;
        tmp.write_all(text.as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| format!("cannot write `{}`: {e}", dir.join(name).display()))?;
        staged.push((tmp, dir.join(name)));
    }
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, dest) in staged {
        tmp.persist(&dest)
            .map_err(|e| format!("cannot write `{}`: {}", dest.display(), e.error))?;
        written.push(dest);
    }
    Ok(written)
}

/// Writes to stdout; a reader that went away (`| head`) ends the program quietly.
pub(crate) fn stdout(bytes: &[u8]) -> Outcome {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Outcome::Success,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Success,
        Err(e) => crate::fail(
            crate::Reporter::default(),
            &format!("cannot write to stdout: {e}"),
        ),
    }
}
