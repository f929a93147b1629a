//! What a conversion reads: compose text, the overlays, and the
//! interpolation environment, gathered by the caller.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, Error, Location};
use crate::load::dotenv;
use crate::load::interpolate::Environment;
use crate::load::yaml::MAX_FILE_SIZE;

/// One file's name and text. The name is used in locations only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The name shown in diagnostics, such as `compose.yaml`.
    pub path: PathBuf,
    /// The text.
    pub text: String,
}

impl Source {
    /// A source from a name and text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }

    /// Reads a file (at most 16 MiB of UTF-8).
    pub fn read(path: &Path) -> Result<Self, Error> {
        let io_error = |message: String| {
            Error::single(Diagnostic::error(Code::Io, message).at(Some(&Location {
                file: path.into(),
                line: 1,
                column: 1,
            })))
        };
        let bytes = match read_bounded(path) {
            Ok(b) => b,
            Err(Unread::TooLarge) => {
                return Err(Error::single(
                    Diagnostic::error(
                        Code::YamlLimit,
                        format!(
                            "`{}` is more than the limit of {} MiB",
                            path.display(),
                            MAX_FILE_SIZE / (1024 * 1024)
                        ),
                    )
                    .at(Some(&Location {
                        file: path.into(),
                        line: 1,
                        column: 1,
                    })),
                ));
            }
            Err(Unread::Io(e)) => {
                return Err(io_error(format!("cannot read `{}`: {e}", path.display())));
            }
        };
        let text = String::from_utf8(bytes).map_err(|e| {
            io_error(format!(
                "`{}` is not UTF-8 text (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?;
        Ok(Source::new(path, text))
    }
}

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum Unread {
    /// More than [`MAX_FILE_SIZE`] bytes.
    TooLarge,
    /// It could not be read, or is not a regular file.
    Io(std::io::Error),
}

/// A file's bytes, at most [`MAX_FILE_SIZE`] of them, counted as they are
/// read (a device reports a length of 0 and never ends): only a regular
/// file (a link to one is followed), never a FIFO (which would block until
/// something writes to it), a device or a directory.
pub(crate) fn read_bounded(path: &Path) -> Result<Vec<u8>, Unread> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(Unread::Io)?;
    if !meta.is_file() {
        return Err(Unread::Io(std::io::Error::other(
            "it is not a regular file (a FIFO, a device or a directory); compose2ecs reads only regular files",
        )));
    }
    let file = std::fs::File::open(path).map_err(Unread::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Unread::Io)?;
    if bytes.len() > MAX_FILE_SIZE {
        return Err(Unread::TooLarge);
    }
    Ok(bytes)
}

/// Everything a conversion reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Input {
    /// The compose files, merged in order (later files override earlier ones).
    pub compose: Vec<Source>,
    /// The overlays, merged in order as compose files are (mappings by key,
    /// later files winning); none is an empty overlay.
    pub overlays: Vec<Source>,
    /// The interpolation environment: the process environment over `.env`.
    pub environment: Environment,
    /// The names in [`environment`](Self::environment) whose value comes
    /// from an env file (`.env`, `--env-file`), part of the project. Every
    /// other name is the caller's process environment: a credential-like
    /// variable from there is never written into an output.
    pub env_file_variables: BTreeSet<String>,
    /// The project directory: relative paths (`env_file`) start here, and its
    /// name is the project name of last resort.
    pub project_dir: PathBuf,
    /// The project name given by the caller (`-p`), which wins over `name:`.
    pub project_name: Option<String>,
    /// Files that `extends`, `include` and `env_file` may name, by path,
    /// looked up before the disk (paths as the compose files would resolve
    /// them, such as `./base.yaml` joined to the project directory).
    pub files: BTreeMap<PathBuf, String>,
    /// Whether files not in [`files`](Self::files) are read from disk
    /// (default: yes). Without it a conversion touches nothing outside its
    /// input, as a fuzzer or a sandboxed embedder wants.
    pub read_disk: bool,
}

impl Input {
    /// An input from compose text alone, named `compose.yaml`, with an empty
    /// environment and the current directory as project directory.
    pub fn from_yaml(compose: impl Into<String>) -> Self {
        Input {
            compose: vec![Source::new("compose.yaml", compose)],
            overlays: Vec::new(),
            environment: Environment::new(),
            env_file_variables: BTreeSet::new(),
            project_dir: PathBuf::from("."),
            project_name: None,
            files: BTreeMap::new(),
            read_disk: true,
        }
    }

    /// Adds a file that `extends`, `include` or `env_file` may name, so that
    /// it is read from memory rather than from disk.
    #[must_use]
    pub fn with_file(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.files
            .insert(crate::load::paths::normalize(&path.into()), text.into());
        self
    }

    /// Reads nothing from disk: files that are not given with
    /// [`with_file`](Self::with_file) are missing.
    #[must_use]
    pub fn without_disk(mut self) -> Self {
        self.read_disk = false;
        self
    }

    /// Reads a file named by the compose files: from [`files`](Self::files),
    /// else from disk when allowed. `Ok(None)` when it does not exist.
    pub(crate) fn read_file(&self, path: &Path) -> Result<Option<Source>, Box<Diagnostic>> {
        let key = crate::load::paths::normalize(path);
        if let Some(text) = self.files.get(&key) {
            return Ok(Some(Source::new(path, text.clone())));
        }
        if !self.read_disk || !path.exists() {
            return Ok(None);
        }
        match Source::read(path) {
            Ok(s) => Ok(Some(s)),
            Err(e) => Err(Box::new(e.diagnostics().first().cloned().unwrap_or_else(
                || Diagnostic::error(Code::Io, format!("cannot read `{}`", path.display())),
            ))),
        }
    }

    /// Adds another compose file, merged over the ones before it.
    #[must_use]
    pub fn with_compose(mut self, source: Source) -> Self {
        self.compose.push(source);
        self
    }

    /// Sets the overlay text (named `compose2ecs.yaml` in diagnostics), in
    /// place of any overlay given before.
    #[must_use]
    pub fn with_overlay(mut self, overlay: impl Into<String>) -> Self {
        self.overlays = vec![Source::new("compose2ecs.yaml", overlay)];
        self
    }

    /// Adds another overlay, merged over the ones before it (an
    /// environment's, such as `compose2ecs.prod.yaml`).
    #[must_use]
    pub fn with_overlay_source(mut self, overlay: Source) -> Self {
        self.overlays.push(overlay);
        self
    }

    /// Sets the interpolation environment: the caller's process environment.
    #[must_use]
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self.env_file_variables.clear();
        self
    }

    /// Adds the variables of an env file (as `.env` gives them): under the
    /// process environment, which wins, and known to be the project's own.
    #[must_use]
    pub fn with_env_file_variables(mut self, variables: Environment) -> Self {
        for (name, value) in variables {
            if !self.environment.contains_key(&name) {
                self.env_file_variables.insert(name.clone());
                self.environment.insert(name, value);
            }
        }
        self
    }

    /// Whether `name`'s value comes from the caller's process environment
    /// rather than from the project's files.
    pub fn from_process(&self, name: &str) -> bool {
        self.environment.contains_key(name) && !self.env_file_variables.contains(name)
    }

    /// Sets the project name, as `-p` does.
    #[must_use]
    pub fn with_project_name(mut self, name: impl Into<String>) -> Self {
        self.project_name = Some(name.into());
        self
    }

    /// Sets the project directory.
    #[must_use]
    pub fn with_project_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.project_dir = dir.into();
        self
    }

    /// Reads compose files and the overlays (merged in order) from disk.
    ///
    /// `process_env` is the caller's environment (the core never reads it
    /// itself). The project directory is the first file's folder. The
    /// interpolation environment is `process_env` over the variables of
    /// `env_files`, or of `<project dir>/.env` when `env_files` is empty.
    pub fn from_files(
        files: &[PathBuf],
        overlays: &[PathBuf],
        process_env: Environment,
        env_files: &[PathBuf],
    ) -> Result<Self, Error> {
        let mut diagnostics = Vec::new();
        let mut compose = Vec::new();
        for f in files {
            match Source::read(f) {
                Ok(s) => compose.push(s),
                Err(e) => diagnostics.extend(e.diagnostics().iter().cloned()),
            }
        }
        let mut overlay_sources = Vec::new();
        for f in overlays {
            match Source::read(f) {
                Ok(s) => overlay_sources.push(s),
                Err(e) => diagnostics.extend(e.diagnostics().iter().cloned()),
            }
        }
        let project_dir = files
            .first()
            .and_then(|f| f.parent())
            .map(|p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            })
            .unwrap_or_else(|| PathBuf::from("."));

        let mut environment = Environment::new();
        let dotenv_files: Vec<(PathBuf, bool)> = if env_files.is_empty() {
            vec![(project_dir.join(".env"), false)]
        } else {
            env_files.iter().map(|f| (f.clone(), true)).collect()
        };
        for (file, required) in dotenv_files {
            let read = read_bounded(&file).and_then(|b| {
                String::from_utf8(b).map_err(|e| {
                    Unread::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e))
                })
            });
            let text = match read {
                Ok(t) => t,
                Err(Unread::Io(e)) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                    continue;
                }
                Err(Unread::TooLarge) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::YamlLimit,
                            format!(
                                "env file `{}` is more than the limit of {} MiB",
                                file.display(),
                                MAX_FILE_SIZE / (1024 * 1024)
                            ),
                        )
                        .at(Some(&Location {
                            file: file.as_path().into(),
                            line: 1,
                            column: 1,
                        })),
                    );
                    continue;
                }
                Err(Unread::Io(e)) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::Io,
                            format!("cannot read env file `{}`: {e}", file.display()),
                        )
                        .at(Some(&Location {
                            file: file.as_path().into(),
                            line: 1,
                            column: 1,
                        })),
                    );
                    continue;
                }
            };
            match dotenv::variables(&text, &process_env, &file) {
                Ok(vars) => environment.extend(vars),
                Err(d) => diagnostics.push(*d),
            }
        }
        if !diagnostics.is_empty() {
            return Err(Error::from_diagnostics(diagnostics));
        }
        // The process environment wins over .env, as in compose.
        let env_file_variables = environment
            .keys()
            .filter(|k| !process_env.contains_key(*k))
            .cloned()
            .collect();
        environment.extend(process_env);
        Ok(Input {
            compose,
            overlays: overlay_sources,
            environment,
            env_file_variables,
            project_dir,
            project_name: None,
            files: BTreeMap::new(),
            read_disk: true,
        })
    }

    /// The text of a source by path, to show the lines diagnostics point at.
    pub fn source_text(&self, path: &Path) -> Option<&str> {
        self.compose
            .iter()
            .chain(self.overlays.iter())
            .find(|s| s.path == path)
            .map(|s| s.text.as_str())
    }
}
