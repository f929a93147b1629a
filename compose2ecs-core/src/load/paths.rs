//! Lexical path arithmetic for `extends`, `include` and the relative paths
//! they carry. Lexical on purpose: the core names files the way the user
//! wrote them (diagnostics, `config` output) and never asks the disk what a
//! path resolves to.

use std::path::{Component, Path, PathBuf};

/// `a/./b/../c` → `a/c`; a leading `..` that cannot be resolved is kept.
/// The empty path becomes `.`.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// `path` expressed relative to `base`, lexically: `relative("a/b", "a")` is
/// `b`, `relative("a", "a/b")` is `..`. When no relative form exists (one is
/// absolute and the other not, or `base` climbs above its start), `path`
/// itself.
pub(crate) fn relative(path: &Path, base: &Path) -> PathBuf {
    let path = normalize(path);
    let base = normalize(base);
    if path.is_absolute() != base.is_absolute() {
        return path;
    }
    let p: Vec<Component<'_>> = path
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let b: Vec<Component<'_>> = base
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if b[common..].contains(&Component::ParentDir) {
        return path;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// Whether a build context or file reference is a URL rather than a path.
pub(crate) fn is_remote(s: &str) -> bool {
    s.contains("://") || s.starts_with("git@") || s.starts_with("github.com/")
}

/// `p` (relative to a file in `from`) as seen from `to`; absolute paths,
/// `~` paths and URLs are left alone.
pub(crate) fn rebase(p: &str, from_to: &Path) -> String {
    if p.is_empty() || is_remote(p) || p.starts_with('~') || Path::new(p).is_absolute() {
        return p.to_owned();
    }
    normalize(&from_to.join(p)).to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("a/./b/../c")), Path::new("a/c"));
        assert_eq!(normalize(Path::new("./")), Path::new("."));
        assert_eq!(normalize(Path::new("../x/../y")), Path::new("../y"));
        assert_eq!(normalize(Path::new("/../x")), Path::new("/x"));
    }

    #[test]
    fn relative_paths_between_folders() {
        assert_eq!(relative(Path::new("a/b"), Path::new("a")), Path::new("b"));
        assert_eq!(relative(Path::new("a"), Path::new("a/b")), Path::new(".."));
        assert_eq!(
            relative(Path::new("x/y"), Path::new("x/z")),
            Path::new("../y")
        );
        assert_eq!(relative(Path::new("."), Path::new(".")), Path::new("."));
        assert_eq!(
            relative(Path::new("/abs"), Path::new("rel")),
            Path::new("/abs")
        );
        assert_eq!(relative(Path::new("a"), Path::new("../b")), Path::new("a"));
    }

    #[test]
    fn rebase_leaves_absolute_paths_and_urls() {
        assert_eq!(rebase("./data", Path::new("dir")), "dir/data");
        assert_eq!(rebase("../x", Path::new("dir")), "x");
        assert_eq!(rebase(".", Path::new("..")), "..");
        assert_eq!(rebase("/srv", Path::new("dir")), "/srv");
        assert_eq!(rebase("~/x", Path::new("dir")), "~/x");
        assert_eq!(
            rebase("https://github.com/a/b.git", Path::new("dir")),
            "https://github.com/a/b.git"
        );
    }
}
