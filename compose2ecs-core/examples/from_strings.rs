//! Convert compose text held in memory, with an in-memory environment and an
//! in-memory env file: nothing is read from disk.
//!
//! Run: `cargo run -p compose2ecs-core --example from_strings`

use compose2ecs_core::{Environment, Input, Options, convert, to_json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let compose = r#"
name: shop
services:
  web:
    image: "registry.example.com/shop-web:${TAG:-dev}"
    env_file: web.env
    ports: ["8080"]
"#;
    let overlay = "region: eu-west-1\nroles: {execution: arn:aws:iam::123456789012:role/exec}\n";
    let env: Environment = [("TAG".to_owned(), "1.4.2".to_owned())]
        .into_iter()
        .collect();

    let input = Input::from_yaml(compose)
        .with_overlay(overlay)
        .with_environment(env)
        .with_file("./web.env", "LOG_LEVEL=info\n")
        .without_disk();
    let conversion = convert(&input, &Options::default())?;

    let web = &conversion.task_definitions["shop-web"];
    assert_eq!(
        web.container_definitions[0].image,
        "registry.example.com/shop-web:1.4.2"
    );
    assert_eq!(
        web.container_definitions[0].environment[0].name,
        "LOG_LEVEL"
    );
    print!("{}", to_json(web));
    for d in &conversion.diagnostics {
        eprintln!("{d}");
    }
    Ok(())
}

#[cfg(test)]
#[test]
fn runs() {
    assert!(main().is_ok());
}
