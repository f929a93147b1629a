//! The overlay's `cloudformation`: a patch of the template, as Docker's
//! `x-aws-cloudformation` was of the template Docker generated. Mappings
//! merge key by key, `null` removes a key, and any other value (a list, a
//! scalar) replaces what was there.
//!
//! Resources are named by the template's logical IDs. A file written for
//! Docker names Docker's: `<Service>Service`, `<Service>TaskDefinition` and
//! `<Service>ScalingTarget` are read as the ones of that compose service's
//! task. A patch of a resource the template does not have, with no `Type`
//! to create it, cannot apply (CloudFormation refuses a resource without a
//! type): it is left out, with a warning.

use serde_json::{Map, Value};

use super::yaml::Tree;
use super::{Body, capitalized, pascal};
use crate::conversion::Conversion;
use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::overlay::LoadedOverlay;

/// The top-level keys of a template.
const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

/// What became of one patched resource.
enum Target {
    /// The template has it.
    Same,
    /// Docker's name for one the template has under this ID.
    Docker(String),
    /// A new resource (it has a `Type`).
    Added,
    /// Neither: left out.
    Missing,
}

/// Docker's logical ID: its `normalizeResourceName` (letters and digits,
/// the first one upper case) of the compose service.
fn docker_name(service: &str) -> String {
    let kept: String = service
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    capitalized(&kept)
}

fn target(body: &Body, conversion: &Conversion, id: &str, patch: &Value) -> Target {
    if body.resources.contains_key(id) {
        return Target::Same;
    }
    for (service, placement) in &conversion.placements {
        let docker = docker_name(service);
        let family = pascal(&placement.family);
        for (theirs, ours) in [
            ("Service", "Service"),
            ("TaskDefinition", "TaskDefinition"),
            ("ScalingTarget", "ScalableTarget"),
        ] {
            let mine = format!("{family}{ours}");
            if id == format!("{docker}{theirs}") && body.resources.contains_key(&mine) {
                return Target::Docker(mine);
            }
        }
    }
    if patch.get("Type").is_some_and(Value::is_string) {
        Target::Added
    } else {
        Target::Missing
    }
}

/// The patch with Docker's resource names read as the template's, and
/// what cannot apply left out.
pub(super) fn resolved(body: &Body, conversion: &Conversion, patch: &Value) -> Value {
    let mut out = patch.clone();
    let Some(resources) = out.get_mut("Resources").and_then(Value::as_object_mut) else {
        return out;
    };
    // Docker's names first, so that a patch under the template's own ID
    // (the overlay's, which wins over x-aws-cloudformation) is laid over.
    let mut docker = Map::new();
    let mut own = Map::new();
    for (id, p) in std::mem::take(resources) {
        match target(body, conversion, &id, &p) {
            Target::Same | Target::Added => {
                own.insert(id, p);
            }
            Target::Docker(mine) => match docker.get_mut(&mine) {
                Some(before) => layer(before, &p),
                None => {
                    docker.insert(mine, p);
                }
            },
            Target::Missing => {}
        }
    }
    for (id, p) in own {
        match docker.get_mut(&id) {
            Some(before) => layer(before, &p),
            None => {
                docker.insert(id, p);
            }
        }
    }
    *resources = docker;
    out
}

/// One patch laid over another: mappings key by key, anything else (a
/// `null` that removes included) replaces.
fn layer(into: &mut Value, over: &Value) {
    match (into, over) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(x) => layer(x, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (a, b) => *a = b.clone(),
    }
}

/// Merges `patch` into `tree`.
pub(super) fn merge(tree: &mut Tree, patch: &Value) {
    match (tree, patch) {
        (Tree::Map(entries), Value::Object(members)) => {
            for (key, value) in members {
                let at = entries.iter().position(|(k, _)| k == key);
                match (at, value) {
                    (Some(i), Value::Null) => {
                        entries.remove(i);
                    }
                    (None, Value::Null) => {}
                    (Some(i), _) => merge(&mut entries[i].1, value),
                    (None, _) => entries.push((key.clone(), Tree::from(value))),
                }
            }
        }
        (tree, value) => *tree = Tree::from(value),
    }
}

/// The diagnostics of the overlay's `cloudformation`, located: a key that
/// is no template section is an error; a resource read under Docker's name
/// is a note, one that cannot apply a warning.
pub(crate) fn check(conversion: &Conversion, overlay: &LoadedOverlay, sink: &mut Sink) {
    let Some(patch) = &conversion.overlay.cloudformation else {
        return;
    };
    let Some(members) = patch.as_object() else {
        sink.push(
            Diagnostic::error(
                Code::InvalidType,
                "`cloudformation` is a patch of the template: a mapping of its sections",
            )
            .with_path("cloudformation")
            .at(overlay.value_loc(&["cloudformation"]))
            .with_help("`cloudformation: {Resources: {<logical ID>: {Properties: {…}}}}`"),
        );
        return;
    };
    for key in members.keys().filter(|k| !SECTIONS.contains(&k.as_str())) {
        sink.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!("`{key}` is not a section of a CloudFormation template"),
            )
            .with_path(format!("cloudformation.{key}"))
            .at(overlay.key_loc(&["cloudformation", key]))
            .with_help(format!("the sections: {}", SECTIONS.join(", "))),
        );
    }
    let Ok(template) = super::unpatched(conversion) else {
        return;
    };
    let resources = members.get("Resources").and_then(Value::as_object);
    for (id, p) in resources.into_iter().flatten() {
        let path = format!("cloudformation.Resources.{id}");
        let at = overlay.key_loc(&["cloudformation", "Resources", id]);
        match target(&template.body, conversion, id, p) {
            Target::Same | Target::Added => {}
            Target::Docker(mine) => sink.push(
                Diagnostic::note(
                    Code::TemplatePatch,
                    format!("`{id}` is Docker's name for the template's `{mine}`: the patch applies to it"),
                )
                .with_path(path)
                .at(at),
            ),
            Target::Missing => {
                let ids: Vec<&str> = template.body.resources.keys().map(String::as_str).collect();
                sink.push(
                    Diagnostic::warning(
                        Code::TemplatePatch,
                        format!("the template has no resource `{id}` and the patch gives it no `Type`, so it is not applied"),
                    )
                    .with_path(path)
                    .at(at)
                    .with_help(format!(
                        "patch one of the template's resources ({}), or give a new one its `Type`",
                        ids.join(", ")
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mappings_merge_null_removes_and_the_rest_replaces() {
        let mut tree = Tree::from(&json!({
            "A": {"Keep": 1, "Change": 2, "Drop": 3},
            "L": [1, 2],
        }));
        merge(
            &mut tree,
            &json!({"A": {"Change": {"Now": "a map"}, "Drop": null, "New": true}, "L": [3], "Gone": null}),
        );
        assert_eq!(
            serde_json::to_value(&tree).unwrap(),
            json!({"A": {"Keep": 1, "Change": {"Now": "a map"}, "New": true}, "L": [3]})
        );
    }

    #[test]
    fn docker_names_are_letters_and_digits_with_the_first_upper_case() {
        assert_eq!(docker_name("web"), "Web");
        assert_eq!(docker_name("my-web_2"), "Myweb2");
    }
}
