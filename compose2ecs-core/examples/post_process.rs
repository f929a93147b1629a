//! Post-process what compose2ecs produces before writing it: here, pin every
//! image to a digest and add tags the ECS API takes on the task definition.
//! The output types are plain serde structs with public fields.
//!
//! Run: `cargo run -p compose2ecs-core --example post_process`

use compose2ecs_core::{Input, Options, convert};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let input = Input::from_yaml("name: api\nservices:\n  api:\n    image: example/api:2\n")
        .with_overlay(
            "region: us-east-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\n",
        );
    let mut conversion = convert(&input, &Options::default())?;

    for td in conversion.task_definitions.values_mut() {
        for c in &mut td.container_definitions {
            if c.image == "example/api:2" {
                c.image = "example/api@sha256:0123456789abcdef".to_owned();
            }
        }
    }
    // Anything the types do not model can be added on the JSON value.
    let mut json = serde_json::to_value(&conversion.task_definitions["api-api"])?;
    json["tags"] = serde_json::json!([{"key": "team", "value": "payments"}]);
    // Still valid ECS input?
    assert!(compose2ecs_core::schema::task_definition_json(&json).is_empty());
    assert_eq!(
        json["containerDefinitions"][0]["image"],
        "example/api@sha256:0123456789abcdef"
    );
    println!("{json:#}");
    Ok(())
}

#[cfg(test)]
#[test]
fn runs() {
    assert!(main().is_ok());
}
