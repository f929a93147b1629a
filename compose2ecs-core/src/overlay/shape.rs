//! The overlay's values checked by their shape, after it reads and before
//! anything uses them: what AWS names has a form, and a value that cannot
//! be one is said at its line, not by a call that fails later.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::overlay::LoadedOverlay;

/// Whether `region` has the shape of an AWS Region name: lowercase
/// words joined by hyphens, ending in a number (`us-east-1`,
/// `us-gov-west-1`, `eusc-de-east-1`). Only the shape: a list of names
/// would refuse the next region AWS opens.
pub(crate) fn is_region_shaped(region: &str) -> bool {
    let mut parts = region.split('-');
    let first = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let word = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let Some((number, words)) = rest.split_last() else {
        return false;
    };
    word(&first)
        && !words.is_empty()
        && words.iter().all(word)
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// `region` and `logs.region`, refused (located) when they do not have the
/// shape of a Region name, with the likely one when a hyphen is missing
/// (`us-east1`) or the case is off (`US-EAST-1`).
pub(super) fn regions_by_shape(loaded: &LoadedOverlay, sink: &mut Sink) {
    let o = &loaded.overlay;
    for (path, value) in [
        (&["region"][..], o.region.as_deref()),
        (&["logs", "region"][..], o.logs.region.as_deref()),
    ] {
        let Some(region) = value else { continue };
        if is_region_shaped(region) {
            continue;
        }
        let lower = region.trim().to_ascii_lowercase();
        let hyphened = match lower.find(|c: char| c.is_ascii_digit()) {
            Some(i) if i > 0 && !lower[..i].ends_with('-') => {
                format!("{}-{}", &lower[..i], &lower[i..])
            }
            _ => lower.clone(),
        };
        let mut d = Diagnostic::error(
            Code::InvalidValue,
            format!("`{region}` is not an AWS Region name (such as `us-east-1`)"),
        )
        .with_path(path.join("."))
        .at(loaded.value_loc(path));
        if is_region_shaped(&hyphened) {
            d = d.with_help(format!("did you mean `{hyphened}`?"));
        }
        sink.push(d);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_region_is_checked_by_its_shape_only() {
        for ok in [
            "us-east-1",
            "us-gov-west-1",
            "cn-northwest-1",
            "eusc-de-east-1",
            "ap-southeast-7",
        ] {
            assert!(super::is_region_shaped(ok), "{ok}");
        }
        for bad in [
            "us-east1",
            "US-EAST-1",
            "us-east-1; rm",
            "useast",
            "us--1",
            "us-east-123",
            "",
        ] {
            assert!(!super::is_region_shaped(bad), "{bad}");
        }
    }
}
