//! One diagnostic per cause: the same finding in many places (an unset
//! variable used 41 times) is reported once, listing the other places.

use std::collections::HashMap;

use serde::Serialize;

use super::{Code, Diagnostic, Location, Severity};

/// Another place with the same cause as a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Place {
    /// The key path there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Where in which file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Merges the diagnostics that say the same thing (severity, code, message
/// and help) into the first of them, the other places in `also`, in the
/// order found. The order of the causes is the order of their first place.
pub(crate) fn by_cause(items: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // Which earlier diagnostic each one repeats, found by borrowing its
    // words; then the diagnostics are moved, none copied.
    let mut first: HashMap<(Severity, Code, &str, Option<&str>), usize> =
        HashMap::with_capacity(items.len());
    let repeats: Vec<Option<usize>> = items
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let key = (d.severity, d.code, d.message.as_str(), d.help.as_deref());
            match first.entry(key) {
                std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                    None
                }
            }
        })
        .collect();
    drop(first);
    // Where each kept diagnostic lands in the output.
    let mut slot = vec![0; items.len()];
    let mut out: Vec<Diagnostic> = Vec::with_capacity(items.len());
    for (i, (d, repeat)) in items.into_iter().zip(repeats).enumerate() {
        match repeat {
            Some(kept) => {
                let kept = &mut out[slot[kept]];
                let place = Place {
                    path: d.path,
                    location: d.location,
                };
                let same_as_kept = kept.path == place.path && kept.location == place.location;
                if !same_as_kept && !kept.also.contains(&place) {
                    kept.also.push(place);
                }
            }
            None => {
                slot[i] = out.len();
                out.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    fn at(line: u32) -> Location {
        Location {
            file: Arc::from(Path::new("compose.yaml")),
            line,
            column: 5,
        }
    }

    #[test]
    fn the_same_cause_in_many_places_is_one_diagnostic_listing_them() {
        let unset = |line: u32| {
            Diagnostic::warning(Code::UnsetVariable, "`TAG` is not set")
                .with_path(format!("services.s{line}.image"))
                .at(Some(&at(line)))
        };
        let other = Diagnostic::warning(Code::UnsetVariable, "`HOST` is not set").at(Some(&at(9)));
        let grouped = by_cause(vec![unset(3), other.clone(), unset(5), unset(7), unset(3)]);
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[0].location, Some(at(3)));
        let lines: Vec<u32> = grouped[0]
            .also
            .iter()
            .filter_map(|p| p.location.as_ref().map(|l| l.line))
            .collect();
        assert_eq!(lines, [5, 7], "the repeat of line 3 is not a new place");
        assert_eq!(grouped[1], other);
    }
}
