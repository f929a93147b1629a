//! Stage 8, **validate output**: the rules ECS applies to a task definition
//! that the API model leaves to its documentation.

use crate::diagnostic::{Code, Diagnostic, Sink};
use crate::ecs::TaskDefinition;

/// `^[a-zA-Z0-9_-]{1,255}$`: family and container names.
pub fn is_ecs_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks one task definition. Anything reported here that the input could
/// not have caused is a bug of compose2ecs, and says so.
pub(crate) fn task_definition(td: &TaskDefinition, sink: &mut Sink) {
    if !td.container_definitions.iter().any(|c| c.essential) {
        sink.push(
            Diagnostic::error(
                Code::IncompatibleSetting,
                format!(
                    "task `{}` has no essential container; ECS needs at least one",
                    td.family
                ),
            )
            .with_path(format!("services.{}.essential", td.family))
            .with_help("list at least one container in `essential`"),
        );
    }
    let mut names: Vec<&str> = Vec::new();
    for c in &td.container_definitions {
        if names.contains(&c.name.as_str()) {
            sink.push(Diagnostic::error(
                Code::InvalidName,
                format!("task `{}` has two containers named `{}`", td.family, c.name),
            ));
        }
        names.push(&c.name);
    }
    if td.requires_compatibilities.iter().any(|c| c == "FARGATE") {
        let pair = td
            .cpu
            .as_deref()
            .and_then(|c| c.parse::<u64>().ok())
            .zip(td.memory.as_deref().and_then(|m| m.parse::<u64>().ok()));
        let valid = pair.is_some_and(|(c, m)| {
            crate::convert::fargate_size(c, m) == u32::try_from(c).ok().zip(u32::try_from(m).ok())
        });
        if !valid {
            sink.push(Diagnostic::error(
                Code::InvalidTaskSize,
                format!(
                    "bug: task `{}` has cpu {:?} / memory {:?}, not a Fargate size",
                    td.family, td.cpu, td.memory
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_ecs_name("student-rest_1"));
        assert!(!is_ecs_name(""));
        assert!(!is_ecs_name("my.app"));
        assert!(!is_ecs_name(&"a".repeat(256)));
    }
}
