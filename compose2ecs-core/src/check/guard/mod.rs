//! Stage 6, **guard**: no secret leaves. Every string of every output (task
//! definitions and service definitions, keys and values), and of the
//! overlay's `cloudformation` patch, which the template carries as written,
//! is searched, once, for three things:
//!
//! 1. the local value of a variable the overlay maps to a secret
//!    (`secret-value-in-output`): it got around the mapping, as in
//!    `POSTGRES_PASSWORD: ${DB_PASSWORD}`;
//! 2. the value of a credential-like variable that comes from the process
//!    environment, not from the project's files
//!    (`credential-from-environment`): a deployer's `AWS_SECRET_ACCESS_KEY`
//!    or `GITHUB_TOKEN` passed through by `environment: [NAME]` or
//!    `${NAME}`;
//! 3. anything shaped like a well-known token
//!    ([`tokens`](crate::diagnostic::tokens), `credential-in-output`),
//!    wherever it came from.
//!
//! Each is an error naming the variable or the rule and the key path, never
//! the value. The overlay's `public` list opts a key path out of 2 and 3.
//! The same values are masked in every quoted source line
//! ([`sensitive_values`]), so no message carries them either.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::redact::MIN_LEN;
use crate::diagnostic::tokens::{self, Rule};
use crate::diagnostic::{Code, Diagnostic, Location, Sink, Sources};
use crate::ecs::OutputJson;
use crate::ecs::lite::Lite;
use crate::validate::schema::{Seg, render_path};

mod values;
use crate::load::input::Input;
use crate::model::{Project, Service};
use crate::overlay::LoadedOverlay;
use values::process_credentials;
pub(crate) use values::{mapped_names, sensitive_values};

/// Values of process variables shorter than this are only caught as the
/// whole value of the environment entry of the same name: searched inside
/// other strings, they would match ordinary words.
const MIN_SEARCHED: usize = 8;

/// What the guard reads besides the outputs.
#[derive(Debug)]
pub(crate) struct Guard<'a> {
    pub input: &'a Input,
    pub project: &'a Project,
    pub overlay: &'a LoadedOverlay,
    /// The names the overlay maps to secrets.
    pub names: &'a BTreeSet<String>,
    /// The files read, to point at where a value is written.
    pub sources: &'a Sources,
}

/// One string of an output with a finding, and where it is.
#[derive(Debug)]
struct Leaf<'t> {
    text: &'t str,
    /// The JSON path inside the output document.
    output: String,
    /// The compose key path it comes from, when known.
    compose: Option<String>,
    /// The service it belongs to.
    service: Option<String>,
    /// The environment variable it is the value of.
    env_name: Option<String>,
}

/// One document the guard searches.
#[derive(Debug, Clone, Copy)]
struct Doc<'j> {
    /// The file it is written to.
    file: &'j str,
    json: &'j Lite<'j>,
    /// Whether it is a task definition, whose strings have compose key paths
    /// and environment names.
    task: bool,
}

impl<'j> From<&'j OutputJson<'j>> for Doc<'j> {
    fn from(o: &'j OutputJson<'j>) -> Self {
        Doc {
            file: &o.file,
            json: &o.json,
            task: o.is_task(),
        }
    }
}

/// Searches `outputs` and reports what must not be written. The pipeline
/// calls it once per share of the outputs (one per core), and then
/// [`scan_patch`]; [`check_public`] goes first.
pub(crate) fn scan(g: &Guard<'_>, outputs: &[OutputJson<'_>], sink: &mut Sink) {
    let mut walk = Walk::new(g);
    for doc in outputs {
        walk.document(doc.into(), sink);
    }
}

/// Searches the overlay's `cloudformation` patch: a literal a user writes
/// there goes into the template as it is.
pub(crate) fn scan_patch(g: &Guard<'_>, sink: &mut Sink) {
    let Some(patch) = &g.overlay.overlay.cloudformation else {
        return;
    };
    // Wrapped, so that a finding's path is the overlay's key path.
    let bump = bumpalo::Bump::new();
    let json = Lite::of(&serde_json::json!({ "cloudformation": patch }), &bump);
    let file = format!("{}.cloudformation.yaml", g.project.name);
    Walk::new(g).document(
        Doc {
            file: &file,
            json: &json,
            task: false,
        },
        sink,
    );
}

/// The state of one scan over every document.
#[derive(Debug)]
struct Walk<'g, 'a> {
    g: &'g Guard<'a>,
    mapped: Vec<(&'a str, &'a str)>,
    process: Vec<(&'a str, &'a str)>,
    by_container: HashMap<&'a str, &'a str>,
    seen: BTreeSet<(String, String, String)>,
}

impl<'g, 'a> Walk<'g, 'a> {
    fn new(g: &'g Guard<'a>) -> Self {
        // Container name → service, for the key paths of findings.
        let mut by_container: HashMap<&str, &str> = HashMap::new();
        for s in g.project.services.values() {
            by_container.insert(&s.name, &s.name);
            if let Some(c) = &s.container_name {
                by_container.entry(&c.value).or_insert(&s.name);
            }
        }
        Walk {
            g,
            mapped: mapped_values(g),
            process: process_credentials(g.input).collect(),
            by_container,
            seen: BTreeSet::new(),
        }
    }

    fn document(&mut self, doc: Doc<'_>, sink: &mut Sink) {
        let mut has_access_key = false;
        let mut segs = Vec::new();
        visit(doc.json, &mut segs, &mut |segs, text| {
            let mut findings = Vec::new();
            for (name, value) in &self.mapped {
                if text.contains(value) {
                    findings.push(Finding::Mapped(name));
                }
            }
            for (name, value) in &self.process {
                let long = value.len() >= MIN_SEARCHED && text.contains(value);
                if long || (text == *value && env_name(doc, segs) == Some(*name)) {
                    findings.push(Finding::Process(name));
                }
            }
            // A mapped value or a process credential says all there is to
            // say about this string (store the whole of it as a secret): the
            // shape rules would only repeat it.
            let from_process = findings
                .iter()
                .any(|f| matches!(f, Finding::Process(_) | Finding::Mapped(_)));
            let named_secret = env_name(doc, segs).is_some_and(names_aws_secret);
            for (_, _, rule) in tokens::scan(text, named_secret) {
                has_access_key |= rule.id == "aws-access-key-id";
                if !from_process && !findings.iter().any(|f| f.is_rule(rule)) {
                    findings.push(Finding::Shape(rule));
                }
            }
            if !findings.is_empty() {
                self.report(doc, segs, text, findings, sink);
            }
        });
        // 40 base64 characters are only a secret access key next to an
        // access key ID: looked for once one was seen, which is rare.
        if has_access_key {
            let mut found = Vec::new();
            visit(doc.json, &mut segs, &mut |segs, text| {
                for (_, _, rule) in tokens::scan(text, true) {
                    if rule.contextual {
                        found.push((segs.to_vec(), text, rule));
                    }
                }
            });
            for (segs, text, rule) in found {
                self.report(doc, &segs, text, vec![Finding::Shape(rule)], sink);
            }
        }
    }

    fn report(
        &mut self,
        doc: Doc<'_>,
        segs: &[Seg<'_>],
        text: &str,
        findings: Vec<Finding<'_>>,
        sink: &mut Sink,
    ) {
        let leaf = self.leaf(doc, segs, text);
        for finding in findings {
            if finding.is_public(self.g, &leaf) {
                continue;
            }
            if let Finding::Shape(rule) = finding {
                // Masked in every quoted line from now on, even where only
                // context made it a match.
                let found = rule.matches(leaf.text);
                sink.sources
                    .add_sensitive(found.iter().map(|(s, e)| leaf.text[*s..*e].to_owned()));
            }
            let key = (
                finding.id(),
                leaf.compose.clone().unwrap_or_else(|| leaf.output.clone()),
                doc.file.to_owned(),
            );
            if self.seen.insert(key) {
                sink.push(finding.diagnostic(self.g, doc, &leaf));
            }
        }
    }

    /// Where a string with a finding is.
    fn leaf<'t>(&self, doc: Doc<'_>, segs: &[Seg<'_>], text: &'t str) -> Leaf<'t> {
        let (compose, service) = if doc.task {
            compose_path(&self.by_container, doc.json, segs)
        } else {
            (None, None)
        };
        Leaf {
            text,
            output: render_path(segs),
            compose,
            service,
            env_name: env_name(doc, segs).map(str::to_owned),
        }
    }
}

/// The local values of the mapped variables, long enough to search for.
fn mapped_values<'a>(g: &Guard<'a>) -> Vec<(&'a str, &'a str)> {
    let mut values: Vec<(&str, &str)> = Vec::new();
    for name in g.names {
        if let Some(v) = g.input.environment.get(name) {
            values.push((name, v));
        }
        for service in g.project.services.values() {
            if let Some(v) = service.environment.get(name) {
                values.push((name, &v.value));
            }
        }
    }
    values.retain(|(_, v)| v.chars().count() >= MIN_LEN);
    values
}

/// `public` entries must name a service of the project.
pub(crate) fn check_public(g: &Guard<'_>, sink: &mut Sink) {
    for (i, entry) in g.overlay.overlay.public.iter().enumerate() {
        let service = entry
            .strip_prefix("services.")
            .map(|rest| rest.split('.').next().unwrap_or(rest));
        if service.is_some_and(|s| g.project.services.contains_key(s)) {
            continue;
        }
        let index = i.to_string();
        sink.push(
            Diagnostic::error(
                Code::OverlayUnknownService,
                format!("`public` entry `{entry}` does not name a key of a compose service"),
            )
            .with_path(format!("public[{i}]"))
            .at(g
                .overlay
                .value_loc(&["public", &index])
                .or(g.overlay.root_loc.as_ref()))
            .with_help(
                "write the key path the error names, such as `services.web.environment.ANON_KEY`",
            ),
        );
    }
}

#[derive(Debug)]
enum Finding<'a> {
    Mapped(&'a str),
    Process(&'a str),
    Shape(&'static Rule),
}

/// Whether a variable's name says it holds an AWS secret access key.
fn names_aws_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("SECRET") && (n.contains("AWS") || n.contains("ACCESS"))
}

impl Finding<'_> {
    fn is_rule(&self, rule: &Rule) -> bool {
        matches!(self, Finding::Shape(r) if r.id == rule.id)
    }

    fn id(&self) -> String {
        match self {
            Finding::Mapped(n) => format!("mapped:{n}"),
            Finding::Process(n) => format!("process:{n}"),
            Finding::Shape(r) => format!("shape:{}", r.id),
        }
    }

    fn is_public(&self, g: &Guard<'_>, leaf: &Leaf<'_>) -> bool {
        if matches!(self, Finding::Mapped(_)) {
            return false;
        }
        let Some(path) = &leaf.compose else {
            return false;
        };
        g.overlay.overlay.public.iter().any(|p| {
            path == p
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    fn diagnostic(&self, g: &Guard<'_>, doc: Doc<'_>, leaf: &Leaf<'_>) -> Diagnostic {
        let path = leaf.compose.clone().unwrap_or_else(|| leaf.output.clone());
        let whereto = format!("`{}` at `{}`", doc.file, leaf.output);
        let env_name = leaf.env_name.as_deref();
        let service_loc = || {
            leaf.service
                .as_deref()
                .and_then(|s| g.project.services.get(s))
                .map(|s| s.loc.clone())
        };
        let env_loc = || -> Option<Location> {
            let (service, name) = (leaf.service.as_deref()?, env_name?);
            let s: &Service = g.project.services.get(service)?;
            s.environment.get(name).map(|v| v.loc.clone()).or_else(|| {
                g.overlay
                    .key_loc(&["services", service, "environment", name])
                    .cloned()
            })
        };
        match self {
            Finding::Mapped(name) => {
                // Named by the key that carries the value, where it is
                // written: that is what to change.
                let carrier = leaf.compose.clone();
                let help = match env_name {
                    Some(var) => format!(
                        "store the whole value of `{var}` (the URL or connection string, with the password in it) as a secret of its own and map {var} to it (`secrets: {{{var}: arn:aws:secretsmanager:…}}`), or have the application build it from {name} at run time"
                    ),
                    None => format!(
                        "this key uses ${{{name}}}: read {name} from the environment at run time instead (ECS sets it from the secret), for example `sh -c '… $${name} …'`"
                    ),
                };
                let carried = match env_name {
                    Some(var) if var != *name => {
                        format!("`{var}` carries the local value of `{name}`")
                    }
                    _ => format!("the local value of `{name}`"),
                };
                Diagnostic::error(
                    Code::SecretValueInOutput,
                    format!("{carried}, which the overlay maps to a secret, and would be written into {whereto}"),
                )
                .with_path(carrier.unwrap_or_else(|| format!("secrets.{name}")))
                .at(env_loc()
                    .or_else(|| reference_loc(g.sources, name))
                    .or_else(|| g.overlay.key_loc(&["secrets", name]).cloned())
                    .or_else(|| g.overlay.root_loc.clone())
                    .as_ref())
                .with_help(help)
            }
            Finding::Process(name) => {
                let loc = if env_name == Some(*name) {
                    env_loc()
                } else {
                    None
                }
                .or_else(|| reference_loc(g.sources, name))
                .or_else(env_loc)
                .or_else(service_loc);
                let help = if name.starts_with("AWS_") {
                    "on ECS the task role gives the container its AWS credentials: set `roles.task` in compose2ecs.yaml to a role that may do what the application does, and take this variable out of the compose file".to_owned()
                } else if env_name == Some(*name) {
                    format!(
                        "map it to a secret in compose2ecs.yaml (`secrets: {{{name}: arn:aws:secretsmanager:…}}`), so that the container reads it at run time; if its value is public by design, list `{path}` under `public:` in compose2ecs.yaml"
                    )
                } else {
                    format!(
                        "pass it to the container as the environment variable {name}, mapped to a secret in compose2ecs.yaml (`secrets: {{{name}: arn:aws:secretsmanager:…}}`), and read it at run time; if its value is public by design, list `{path}` under `public:` in compose2ecs.yaml"
                    )
                };
                Diagnostic::error(
                    Code::CredentialFromEnvironment,
                    format!("`{name}` is a credential taken from the environment compose2ecs runs in, not from the project's files; its value would be written in plain text into {whereto}"),
                )
                .with_path(path)
                .at(loc.as_ref())
                .with_help(help)
            }
            Finding::Shape(rule) => {
                let found = rule.matches(leaf.text);
                // Where the value is written; a multi-line one (a PEM block
                // written with `\n` escapes) by its first line.
                let loc = found
                    .first()
                    .map(|(s, e)| &leaf.text[*s..*e])
                    .and_then(|t| {
                        g.sources
                            .find(t)
                            .or_else(|| g.sources.find(t.lines().next()?))
                    })
                    .or_else(env_loc)
                    .or_else(service_loc);
                let help = match env_name {
                    Some(name) => format!(
                        "map `{name}` to a secret in compose2ecs.yaml (`secrets: {{{name}: arn:aws:secretsmanager:…}}`), so that its value is never written; if it is not a secret, list `{path}` under `public:` in compose2ecs.yaml"
                    ),
                    None => format!(
                        "keep the value out of the compose files: pass it as an environment variable mapped to a secret in compose2ecs.yaml (`secrets: {{NAME: arn:aws:secretsmanager:…}}`); if it is not a secret, list `{path}` under `public:` in compose2ecs.yaml"
                    ),
                };
                Diagnostic::error(
                    Code::CredentialInOutput,
                    format!("what looks like {} (rule `{}`) would be written in plain text into {whereto}", rule.what, rule.id),
                )
                .with_path(path.clone())
                .at(loc.as_ref())
                .with_help(help)
            }
        }
    }
}

/// Where `${NAME}`, `${NAME…}` or `$NAME` is first written.
fn reference_loc(sources: &Sources, name: &str) -> Option<Location> {
    [
        format!("${{{name}}}"),
        format!("${{{name}:"),
        format!("${{{name}-"),
        format!("${{{name}?"),
        format!("${{{name}+"),
    ]
    .iter()
    .find_map(|n| sources.find(n))
}

/// Calls `f` with every string of `v`, keys included, and its path.
fn visit<'j>(v: &Lite<'j>, path: &mut Vec<Seg<'j>>, f: &mut impl FnMut(&[Seg<'j>], &'j str)) {
    match *v {
        Lite::Str(s) => f(path, s),
        Lite::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                visit(item, path, f);
                path.pop();
            }
        }
        Lite::Object(members) => {
            for (k, item) in members {
                path.push(Seg::Key(k));
                f(path, k);
                visit(item, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The variable whose value (or name) this string is, in a container's
/// `environment`.
fn env_name<'j>(doc: Doc<'j>, segs: &[Seg<'_>]) -> Option<&'j str> {
    if !doc.task {
        return None;
    }
    let [
        Seg::Key("containerDefinitions"),
        Seg::Index(i),
        Seg::Key("environment"),
        Seg::Index(j),
        ..,
    ] = segs
    else {
        return None;
    };
    doc.json
        .get("containerDefinitions")?
        .at(*i)?
        .get("environment")?
        .at(*j)?
        .get("name")?
        .as_str()
}

/// The compose key path of a string inside a container definition, and its
/// service.
fn compose_path(
    by_container: &HashMap<&str, &str>,
    td: &Lite<'_>,
    segs: &[Seg<'_>],
) -> (Option<String>, Option<String>) {
    let [Seg::Key("containerDefinitions"), Seg::Index(i), rest @ ..] = segs else {
        return (None, None);
    };
    let Some(container) = td.get("containerDefinitions").and_then(|c| c.at(*i)) else {
        return (None, None);
    };
    let name = container.get("name").and_then(Lite::as_str);
    let Some(service) = name.and_then(|n| by_container.get(n)) else {
        return (None, None);
    };
    let key = match rest {
        [Seg::Key("environment"), Seg::Index(j), ..] => container
            .get("environment")
            .and_then(|e| e.at(*j)?.get("name")?.as_str())
            .map(|n| format!("environment.{n}")),
        [Seg::Key("command"), ..] => Some("command".to_owned()),
        [Seg::Key("entryPoint"), ..] => Some("entrypoint".to_owned()),
        [Seg::Key("healthCheck"), Seg::Key("command"), ..] => Some("healthcheck.test".to_owned()),
        [Seg::Key("dockerLabels"), Seg::Key(k), ..] => Some(format!("labels.{k}")),
        [
            Seg::Key("logConfiguration"),
            Seg::Key("options"),
            Seg::Key(k),
            ..,
        ] => Some(format!("logging.options.{k}")),
        [Seg::Key("workingDirectory")] => Some("working_dir".to_owned()),
        [Seg::Key("user")] => Some("user".to_owned()),
        [Seg::Key("image")] => Some("image".to_owned()),
        _ => None,
    };
    (
        key.map(|k| format!("services.{service}.{k}")),
        Some((*service).to_owned()),
    )
}
