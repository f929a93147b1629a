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

/// A temporary directory, removed when dropped: private to the user (0700:
/// the task definitions, service inputs and bake files in it are the
/// user's, not the machine's), and named for what it is (`compose2ecs-…`),
/// should a killed run leave it behind.
pub(crate) fn private_dir() -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("compose2ecs-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder.tempdir()
}

/// Refuses an output path that holds anything but a regular file: a
/// symbolic link (whose target would be read, shown or replaced), a FIFO
/// (which would block), a device or a directory. Nothing is read or
/// written before this says yes.
pub(crate) fn only_regular_files(dir: &Path, names: &[&str]) -> Result<(), String> {
    let mut wrong = Vec::new();
    for name in names {
        let path = dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let t = meta.file_type();
        let kind = if t.is_file() {
            continue;
        } else if t.is_symlink() {
            "a symbolic link"
        } else if t.is_dir() {
            "a directory"
        } else {
            "not a regular file (a FIFO, a socket or a device)"
        };
        wrong.push(format!("`{}` is {kind}", path.display()));
    }
    if wrong.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}; compose2ecs reads and replaces only regular files at its output paths, and nothing was read or written: remove {}, or choose another output folder",
        wrong.join("; "),
        if wrong.len() == 1 { "it" } else { "them" }
    ))
}

/// Writes every file to a temporary file in `dir` first (each closed once
/// written, so a large project holds no descriptor per file), then renames
/// them all into place, so an error leaves no half-written output behind:
/// when a rename fails, the files already renamed get their old content
/// back (or go, if they were new), and the message says what it could not
/// restore. Files whose content is already right (as `existing` read them)
/// are not touched. Then the files of ours (`is_ours`) that are not among
/// `files` are removed: the folder holds what the project produces, and
/// nothing else of ours. Other files are never touched. A new file is
/// created as any file the user writes (0666 less the umask, so 0644 under
/// umask 022); a replaced file keeps its mode.
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
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    only_regular_files(dir, &names)?;
    let mut written = Written::default();
    let mut staged = Vec::with_capacity(files.len());
    let (old, unchanged) = existing.unchanged(files);
    for ((name, text), unchanged) in files.iter().zip(unchanged) {
        // A file that already says exactly this is left alone: no write, its
        // modification time kept (build tools and `make` see no change).
        let dest = dir.join(name);
        if unchanged {
            written.unchanged.push(dest);
            continue;
        }
        let tmp = stage(dir, &dest, text)?;
        staged.push((tmp, dest, name.as_str()));
    }
    let mut renamed: Vec<(PathBuf, &str)> = Vec::new();
    for (tmp, dest, name) in staged {
        if let Err(e) = tmp.persist(&dest) {
            let undone = restore(dir, &renamed, &old);
            return Err(format!(
                "cannot write `{}`: {}; {undone}",
                dest.display(),
                e.error
            ));
        }
        renamed.push((dest.clone(), name));
        written.wrote.push(dest);
    }
    let ours: std::collections::BTreeSet<&str> = names.iter().copied().collect();
    for stale in stale_files(dir, &ours, is_ours) {
        std::fs::remove_file(&stale)
            .map_err(|e| format!("cannot remove `{}`: {e}", stale.display()))?;
        written.removed.push(stale);
    }
    Ok(written)
}

/// `text` in a closed temporary file beside `dest`, with `dest`'s mode when
/// it exists (0666 less the umask otherwise, as any file the user writes;
/// a temporary file would be 0600).
fn stage(dir: &Path, dest: &Path, text: &str) -> Result<tempfile::TempPath, String> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".compose2ecs-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::symlink_metadata(dest)
            .ok()
            .filter(|m| m.file_type().is_file())
            .map_or(0o666, |m| m.permissions().mode() & 0o7777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in `{}`: {e}", dir.display()))?;
    // No fsync per file: the rename makes each file appear whole, and a
    // project of 1,000 services would spend a second in 2,000 fsyncs.
    tmp.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write `{}`: {e}", dest.display()))?;
    Ok(tmp.into_temp_path())
}

/// Puts back what the files `renamed` held before (`old`, by name), or
/// removes them when they were new; what it says of the folder now.
fn restore(
    dir: &Path,
    renamed: &[(PathBuf, &str)],
    old: &std::collections::HashMap<String, Vec<u8>>,
) -> String {
    let mut failed = Vec::new();
    for (path, name) in renamed {
        let back = match old.get(*name) {
            Some(bytes) => stage(dir, path, &String::from_utf8_lossy(bytes))
                .and_then(|t| t.persist(path).map_err(|e| e.error.to_string())),
            None => std::fs::remove_file(path).map_err(|e| e.to_string()),
        };
        if let Err(e) = back {
            failed.push(format!("`{}` ({e})", path.display()));
        }
    }
    if failed.is_empty() {
        "nothing was changed (the files already written were put back)".to_owned()
    } else {
        format!(
            "these files hold the new output and could not be put back: {}",
            failed.join(", ")
        )
    }
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

    /// What the files of ours held, and whether each of `files` already
    /// holds its text.
    fn unchanged(
        self,
        files: &[(String, String)],
    ) -> (std::collections::HashMap<String, Vec<u8>>, Vec<bool>) {
        // Reading cannot panic; if the thread did, every file counts as changed.
        let old = self.0.join().unwrap_or_default();
        let same = files
            .iter()
            .map(|(name, text)| old.get(name).is_some_and(|o| o == text.as_bytes()))
            .collect();
        (old, same)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_commit_puts_back_what_it_had_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let (changed, new) = (dir.path().join("a.json"), dir.path().join("b.json"));
        std::fs::write(&changed, "new a").unwrap();
        std::fs::write(&new, "new b").unwrap();
        let old = std::collections::HashMap::from([("a.json".to_owned(), b"old a".to_vec())]);
        let said = restore(
            dir.path(),
            &[(changed.clone(), "a.json"), (new.clone(), "b.json")],
            &old,
        );
        assert!(said.starts_with("nothing was changed"), "{said}");
        assert_eq!(std::fs::read_to_string(&changed).unwrap(), "old a");
        assert!(!new.exists(), "a file that was new goes again");
    }
}
