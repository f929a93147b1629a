//! The output folder: all files or none.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What writing the output folder did, path by path.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Files written (new or changed).
    pub(crate) wrote: Vec<PathBuf>,
    /// Files that already said exactly this, left alone.
    pub(crate) unchanged: Vec<PathBuf>,
    /// Files of ours (`is_ours`) that the project no longer produces,
    /// removed.
    pub(crate) removed: Vec<PathBuf>,
}

/// Writes every file to a temporary file in `dir` first, then renames them
/// all into place, so an error leaves no half-written output behind. Files
/// whose content is already right (as `existing` read them) are not
/// touched. Then the files of ours (`is_ours`) that are not among `files`
/// are removed: the folder holds what the project produces, and nothing else
/// of ours. Other files are never touched. Files are created as any file the user writes (0666 less the
/// umask, so 0644 under umask 022).
pub(crate) fn files_atomically(
    dir: &Path,
    files: &[(String, String)],
    is_ours: fn(&str) -> bool,
    existing: Existing,
) -> Result<Written, String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the output directory `{}`: {e}",
            dir.display()
        )
    })?;
    let mut written = Written::default();
    let mut staged = Vec::with_capacity(files.len());
    let unchanged = existing.unchanged(files);
    for ((name, text), unchanged) in files.iter().zip(unchanged) {
        // A file that already says exactly this is left alone: no write, its
        // modification time kept (build tools and `make` see no change).
        let dest = dir.join(name);
        if unchanged {
            written.unchanged.push(dest);
            continue;
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix(".compose2ecs-").suffix(".tmp");
        #[cfg(unix)]
        {
            // Created 0666 less the umask, as any file the user writes (a
            // temporary file would be 0600).
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write in `{}`: {e}", dir.display()))?;
        // No fsync per file: the rename makes each file appear whole, and a
        // project of 1,000 services would spend a second in 2,000 fsyncs.
        tmp.write_all(text.as_bytes())
            .map_err(|e| format!("cannot write `{}`: {e}", dir.join(name).display()))?;
        staged.push((tmp, dest));
    }
    for (tmp, dest) in staged {
        tmp.persist(&dest)
            .map_err(|e| format!("cannot write `{}`: {}", dest.display(), e.error))?;
        written.wrote.push(dest);
    }
    let ours: std::collections::BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for stale in stale_files(dir, &ours, is_ours) {
        std::fs::remove_file(&stale)
            .map_err(|e| format!("cannot remove `{}`: {e}", stale.display()))?;
        written.removed.push(stale);
    }
    Ok(written)
}

/// What the output folder holds now: its regular files of ours (`is_ours`;
/// links are not followed) by name, with their bytes. Read on another core
/// while the project converts, so that finding the unchanged files of a
/// large project costs no time after the conversion.
#[derive(Debug)]
pub(crate) struct Existing(std::thread::JoinHandle<std::collections::HashMap<String, Vec<u8>>>);

impl Existing {
    pub(crate) fn read(dir: &Path, is_ours: fn(&str) -> bool) -> Self {
        let dir = dir.to_path_buf();
        Existing(std::thread::spawn(move || {
            std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let bytes = is_ours(&name).then(|| std::fs::read(e.path()).ok())??;
                    Some((name, bytes))
                })
                .collect()
        }))
    }

    /// Whether each file already holds its text.
    fn unchanged(self, files: &[(String, String)]) -> Vec<bool> {
        // Reading cannot panic; if the thread did, every file counts as changed.
        let old = self.0.join().unwrap_or_default();
        files
            .iter()
            .map(|(name, text)| old.get(name).is_some_and(|o| o == text.as_bytes()))
            .collect()
    }
}

/// The files of ours in `dir` that are not `current`, sorted.
pub(crate) fn stale_files(
    dir: &Path,
    current: &std::collections::BTreeSet<&str>,
    is_ours: fn(&str) -> bool,
) -> Vec<PathBuf> {
    let mut stale: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| is_ours(n) && !current.contains(n.as_str()))
        .map(|n| dir.join(n))
        .collect();
    stale.sort();
    stale
}
