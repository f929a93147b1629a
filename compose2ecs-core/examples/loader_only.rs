//! Run only the loader: several compose files merged, interpolated and
//! checked against the Compose Specification — what `docker compose config`
//! shows — and the typed, ECS-agnostic project.
//!
//! Run: `cargo run -p compose2ecs-core --example loader_only`

use compose2ecs_core::{Input, Options, Source, config, load};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let input = Input::from_yaml(
        "name: demo\nservices:\n  web:\n    image: nginx\n    ports: ['80']\n  debug:\n    image: busybox\n    profiles: [debug]\n",
    )
    .with_compose(Source::new(
        "compose.override.yaml",
        "services:\n  web:\n    ports: ['443']\n    environment: {MODE: dev}\n",
    ))
    .without_disk();

    // The merged project as YAML, inactive profiles left out.
    let (tree, _) = config(&input, &Options::default())?;
    let yaml = tree.to_yaml();
    assert!(yaml.contains("443") && !yaml.contains("debug"));
    print!("{yaml}");

    // The typed project, with every profile active.
    let (project, _) = load(&input, &Options::default().with_profiles(["*"]))?;
    let names: Vec<&String> = project.services.keys().collect();
    assert_eq!(names, ["web", "debug"]);
    assert_eq!(project.services["web"].ports.len(), 2);
    eprintln!("services: {names:?}");
    Ok(())
}

#[cfg(test)]
#[test]
fn runs() {
    assert!(main().is_ok());
}
