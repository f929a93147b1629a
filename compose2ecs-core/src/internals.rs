//! The stages one at a time, so the benchmarks can time each: parse, then
//! interpolate and merge, then the check against the Compose Specification.
//! Not an API: compiled only with the `internals` feature.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Sink};
use crate::load::input::Input;
use crate::load::yaml::{self, Node};

/// A parsed YAML file.
#[derive(Debug)]
pub struct Parsed(#[allow(dead_code)] Node);

/// Stage 1 alone: one file parsed into located nodes.
pub fn parse(path: &Path, text: &str) -> Option<Parsed> {
    yaml::parse(path, text).ok().map(Parsed)
}

/// A merged, interpolated tree, not yet checked.
#[derive(Debug)]
pub struct Tree(Node);

/// Parse, interpolate and merge, without the schema check.
pub fn resolve_unchecked(input: &Input) -> Option<Tree> {
    crate::load::resolve(input, &mut Sink::default()).map(Tree)
}

/// The check against the Compose Specification alone.
pub fn check_compose(tree: &Tree) -> Vec<Diagnostic> {
    crate::validate::compose::check(&tree.0)
}
