//! The root functions: each runs the stages in order over one [`Sink`], and
//! hands back what the front end needs to show the result — diagnostics and
//! the [`Sources`] to quote them from, secrets masked.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::canonical::{self, Canonical};
use crate::check::{self, guard, guard::mapped_names, guard::sensitive_values};
use crate::convert as converter;
use crate::diagnostic::redact::MIN_LEN;
use crate::diagnostic::{Code, Diagnostic, Error, Severity, Sink, Sources};
use crate::ecs::{Outputs, pending};
use crate::load::discover::{self, Options};
use crate::load::input::Input;
use crate::load::yaml::{self, Node, Value};
use crate::model::{self, Project};
use crate::overlay::{self, LoadedOverlay};
use crate::validate;

pub use crate::conversion::Conversion;

/// The merged compose tree, as `docker compose config` prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposeTree(Node, Sources, Option<(Canonical, PathBuf)>);

impl ComposeTree {
    /// The files read, to quote the lines the diagnostics point at.
    pub fn sources(&self) -> &Sources {
        &self.1
    }

    /// As YAML text.
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(&self.0.to_yaml()).unwrap_or_default()
    }

    /// As a JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        self.0.to_json()
    }

    /// The project in docker compose's canonical form, as JSON text: what
    /// `docker compose config --format json` prints for the same files, byte
    /// for byte, but for the differences `docs/DESIGN.md` lists. Relative
    /// paths are made absolute against the project directory, itself joined
    /// to `working_dir` when relative (a CLI passes its current directory).
    /// Only [`config`] gives this form; otherwise `None`.
    ///
    /// ```
    /// use compose2ecs_core::{Input, Options, config};
    /// use std::path::Path;
    ///
    /// let input = Input::from_yaml("services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n")
    ///     .with_project_name("demo")
    ///     .without_disk();
    /// let (tree, _) = config(&input, &Options::default())?;
    /// let json = tree.to_canonical_json(Path::new("/src/demo")).unwrap();
    /// assert!(json.contains(r#""published": "8080""#));
    /// assert!(json.contains(r#""name": "demo_default""#));
    /// # Ok::<(), compose2ecs_core::Error>(())
    /// ```
    pub fn to_canonical_json(&self, working_dir: &Path) -> Option<String> {
        let (c, dir) = self.2.as_ref()?;
        Some(c.to_json(&canonical::absolute_dir(working_dir, dir)))
    }

    /// The canonical form as YAML (the same content as
    /// [`to_canonical_json`](Self::to_canonical_json); the YAML style is
    /// compose2ecs's own).
    pub fn to_canonical_yaml(&self, working_dir: &Path) -> Option<String> {
        let (c, dir) = self.2.as_ref()?;
        Some(c.to_yaml(&canonical::absolute_dir(working_dir, dir)))
    }
}

/// Parses, interpolates and merges the compose files, checks them against
/// the Compose Specification, and reads the typed project. Warnings found so
/// far are returned with it.
pub fn load(input: &Input, options: &Options) -> Result<(Project, Vec<Diagnostic>), Error> {
    let mut sink = Sink::default();
    let project = load_into(input, options, &mut sink);
    check(&mut sink, input, project.as_ref(), None)?;
    let project = project.ok_or_else(|| {
        Error::single(Diagnostic::error(
            Code::NoServices,
            "no compose file to convert",
        ))
    })?;
    Ok((project, sink.into_vec()))
}

/// The compose files parsed, interpolated, their `include`s and `extends`
/// resolved, merged into one tree and checked against the Compose
/// Specification's schema: every service, whatever its profiles.
pub fn resolve(input: &Input) -> Result<(ComposeTree, Vec<Diagnostic>), Error> {
    let mut sink = Sink::default();
    let tree = resolve_into(input, &mut sink);
    check(&mut sink, input, None, None)?;
    let tree = tree
        .ok_or_else(|| Error::single(Diagnostic::error(Code::Io, "no compose file was given")))?;
    let sources = sources(&mut sink, input, std::iter::empty());
    Ok((ComposeTree(tree, sources, None), sink.into_vec()))
}

/// The project as `compose2ecs config` prints it, like `docker compose
/// config`: [`resolve`]d, with `name:` set to the project name and only the
/// services of active profiles.
pub fn config(input: &Input, options: &Options) -> Result<(ComposeTree, Vec<Diagnostic>), Error> {
    let mut sink = Sink::default();
    let tree = resolve_into(input, &mut sink);
    let project = tree
        .as_ref()
        .and_then(|t| build_project(t, input, options, &mut sink));
    check(&mut sink, input, project.as_ref(), None).map_err(|e| e.retain(about_reading))?;
    let (Some(mut tree), Some(project)) = (tree, project) else {
        return Err(Error::single(Diagnostic::error(
            Code::Io,
            "no compose file was given",
        )));
    };
    let profiles = discover::profiles(input, options);
    let canonical = canonical::build(&tree, &project, model_context(input, options, &profiles));
    if let Value::Map(top) = &mut tree.value {
        let loc = tree.loc.clone();
        let name = yaml::Entry {
            key_loc: loc.clone(),
            value: Node::new(
                Value::Scalar(yaml::Scalar {
                    text: project.name.clone(),
                    plain: false,
                }),
                loc,
            ),
        };
        top.shift_remove("name");
        top.shift_insert(0, "name".to_owned(), name);
        if let Some(Value::Map(services)) = top.get_mut("services").map(|e| &mut e.value.value) {
            services.retain(|n, _| !project.inactive_services.contains(n));
        }
    }
    let sources = sources(&mut sink, input, std::iter::empty());
    let diagnostics = sink.into_vec().into_iter().filter(about_reading).collect();
    Ok((
        ComposeTree(tree, sources, Some((canonical, input.project_dir.clone()))),
        diagnostics,
    ))
}

/// What `config` shows besides errors: notes about profiles and what ECS
/// does with a key are for `convert`.
fn about_reading(d: &Diagnostic) -> bool {
    d.severity != Severity::Note && !matches!(d.code, Code::UnsupportedKey | Code::IgnoredKey)
}

/// Converts compose files and an overlay into ECS task definitions and
/// service definitions.
///
/// On success the result holds them and every warning and note. If anything
/// is an error, nothing is returned but the [`Error`], which lists every
/// problem found.
pub fn convert(input: &Input, options: &Options) -> Result<Conversion, Error> {
    let mut sink = Sink::default();
    let project = load_into(input, options, &mut sink);
    let overlay_tree = overlay::merged(&input.overlays, project.as_ref(), &mut sink);
    let names = match &overlay_tree {
        Ok(Some(tree)) => mapped_names(tree),
        _ => BTreeSet::new(),
    };
    let overlay = match overlay_tree {
        Err(()) => None,
        Ok(None) => Some(LoadedOverlay::default()),
        Ok(Some(tree)) => overlay::load(tree, &input.environment, &mut sink),
    };
    check(&mut sink, input, project.as_ref(), Some(&names))?;
    let (Some(project), Some(mut overlay)) = (project, overlay) else {
        return Err(Error::single(Diagnostic::error(
            Code::NoServices,
            "nothing to convert",
        )));
    };
    let converter::Converted {
        task_definitions,
        services,
        jobs,
        scaling,
        schedules,
        dependencies,
        placements,
    } = converter::convert(
        &project,
        &overlay::effective(&overlay, &project, options, &mut sink),
        &mut sink,
    );
    let located = files_read(input, sink.sources.clone());
    let outputs = pending(Outputs {
        task_definitions: &task_definitions,
        services: &services,
        jobs: &jobs,
        scaling: &scaling,
        schedules: &schedules,
    });
    let g = guard::Guard {
        input,
        project: &project,
        overlay: &overlay,
        names: &names,
        sources: &located,
    };
    guard::check_public(&g, &mut sink);
    let found = check::outputs(&outputs, &g, &task_definitions);
    sink.append(found.guard);
    guard::scan_patch(&g, &mut sink);
    check(&mut sink, input, Some(&project), Some(&names))?;
    check::rules_broken(
        &task_definitions,
        &services,
        &jobs,
        &placements,
        &project,
        &overlay,
        &mut sink,
    );
    sink.append(found.schema);
    check(&mut sink, input, Some(&project), Some(&names))?;
    let sensitive = sensitive_values(input, Some(&project), &names);
    let sources = sources(&mut sink, input, sensitive.into_iter());
    let mut conversion = Conversion {
        project: project.name.clone(),
        task_definitions,
        services,
        jobs,
        scaling,
        schedules,
        dependencies,
        placements,
        diagnostics: Vec::new(),
        overlay: std::mem::take(&mut overlay.overlay),
        sources,
    };
    if conversion.overlay.cloudformation.is_some() {
        crate::cloudformation::check_patch(&conversion, &overlay, &mut sink);
        check(&mut sink, input, Some(&project), Some(&names))?;
    }
    conversion.diagnostics = sink.into_vec();
    let services = project.services.len();
    crate::halves::drop_aside(project, services);
    Ok(conversion)
}

/// Fails with every diagnostic so far when one is an error, carrying the
/// sources to quote them from.
fn check(
    sink: &mut Sink,
    input: &Input,
    project: Option<&Project>,
    names: Option<&BTreeSet<String>>,
) -> Result<(), Error> {
    if !sink.has_errors() {
        return Ok(());
    }
    let names = match names {
        Some(n) => n.clone(),
        None => input
            .overlays
            .iter()
            .filter_map(|s| yaml::parse(&s.path, &s.text).ok())
            .flat_map(|t| mapped_names(&t))
            .collect(),
    };
    let sensitive = sensitive_values(input, project, &names);
    let sources = sources(sink, input, sensitive.into_iter());
    sink.check().map_err(|e| e.with_sources(sources))
}

/// The given files and those read on the way, with the values to mask.
fn sources(sink: &mut Sink, input: &Input, sensitive: impl Iterator<Item = String>) -> Sources {
    let mut sources = files_read(input, std::mem::take(&mut sink.sources));
    let values: BTreeSet<String> = sensitive.filter(|v| v.chars().count() >= MIN_LEN).collect();
    sources.add_sensitive(values);
    sources
}

/// The given files, then those read on the way.
fn files_read(input: &Input, on_the_way: Sources) -> Sources {
    let mut sources = Sources::default();
    for s in input.compose.iter().chain(input.overlays.iter()) {
        sources.add(&s.path, &s.text);
    }
    sources.merge(on_the_way);
    sources
}

fn resolve_into(input: &Input, sink: &mut Sink) -> Option<Node> {
    let tree = crate::load::resolve(input, sink)?;
    validate::compose::validate_compose(&tree, sink);
    if sink.has_errors() {
        return None;
    }
    Some(tree)
}

fn build_project(
    tree: &Node,
    input: &Input,
    options: &Options,
    sink: &mut Sink,
) -> Option<Project> {
    let profiles = discover::profiles(input, options);
    model::build_project(tree, &model_context(input, options, &profiles), sink)
}

fn model_context<'a>(
    input: &'a Input,
    options: &Options,
    profiles: &'a [String],
) -> model::ModelContext<'a> {
    model::ModelContext {
        input,
        env: &input.environment,
        project_dir: &input.project_dir,
        project_name: discover::project_name(input),
        profiles,
        consistency_check: !options.skip_consistency_check,
    }
}

fn load_into(input: &Input, options: &Options, sink: &mut Sink) -> Option<Project> {
    let root = resolve_into(input, sink)?;
    let project = build_project(&root, input, options, sink);
    let services = project.as_ref().map_or(0, |p| p.services.len());
    crate::halves::drop_aside(root, services);
    project
}
