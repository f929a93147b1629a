//! ECS's rule for family, container and service names.

/// A valid ECS family, container or service name: "Up to 255 letters
/// (uppercase and lowercase), numbers, underscores, and hyphens are
/// allowed."
pub(crate) fn is_ecs_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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
        assert!(is_ecs_name(&"a".repeat(255)));
    }
}
