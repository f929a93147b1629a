//! No credential leaves: values of the deployer's environment under
//! credential-like names, and values shaped like well-known tokens, are
//! refused wherever they would be written, and no message shows them
//! (`docs/secrets.md`).

#![allow(clippy::unwrap_used)]

#[path = "markers/mod.rs"]
mod markers;

use std::path::Path;

use compose2ecs_core::{Code, Conversion, Environment, Error, Input, Options, Severity, convert};
use markers::{Marker, PLACES, compose_file, markers, overlay_file, plant, quoted};

/// Converts files written to a temporary project folder, with this process
/// environment, as the CLI would.
fn convert_files(
    compose: &str,
    overlay: &str,
    extra: &[(&str, &str)],
    process: &[(&str, &str)],
) -> Result<Conversion, Error> {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("compose.yaml", compose);
    write("compose2ecs.yaml", overlay);
    for (name, text) in extra {
        write(name, text);
    }
    let env: Environment = process
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let input = Input::from_files(
        &[dir.path().join("compose.yaml")],
        &[dir.path().join("compose2ecs.yaml")],
        env,
        &[],
    )?;
    convert(&input, &Options::default())
}

/// Every message, help, path and quoted line of a refusal, as a CLI shows it.
fn everything_shown(e: &Error) -> String {
    let mut all = String::new();
    for d in e.diagnostics() {
        all.push_str(&format!("{d}\n"));
        all.push_str(d.help.as_deref().unwrap_or(""));
        all.push('\n');
        if let Some(loc) = &d.location {
            all.push_str(&e.sources().line(&loc.file, loc.line).unwrap_or_default());
            all.push('\n');
        }
    }
    all
}

fn refusal(m: &Marker, place: &str) -> Error {
    let planted = plant(place, &m.value);
    let mut extra = Vec::new();
    if let Some(t) = &planted.env_file {
        extra.push(("app.env", t.as_str()));
    }
    if let Some(t) = &planted.dotenv {
        extra.push((".env", t.as_str()));
    }
    let process: Vec<(&str, &str)> = planted
        .process
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    match convert_files(
        &compose_file(m, &planted),
        &overlay_file(&planted),
        &extra,
        &process,
    ) {
        Ok(_) => panic!("{} in {place} was not refused", m.rule),
        Err(e) => e,
    }
}

/// `e` refuses `m`'s rule in an error whose message has `file` and whose
/// key path starts with `path`, and nothing it shows holds the value.
fn refused_and_hidden(e: &Error, m: &Marker, place: &str, file: &str, path: &str) {
    let named = e.diagnostics().iter().any(|d| {
        d.code == Code::CredentialInOutput
            && d.severity == Severity::Error
            && d.message.contains(&format!("(rule `{}`)", m.rule))
            && d.message.contains(file)
            && d.path.as_deref().is_some_and(|p| p.starts_with(path))
    });
    let shown = everything_shown(e);
    assert!(named, "{} in {place}: not named\n{shown}", m.rule);
    assert!(
        !shown.contains(&m.needle),
        "{} in {place}: the value is shown\n{shown}",
        m.rule
    );
}

#[test]
fn every_rule_is_refused_in_every_place_and_never_shown() {
    for m in markers() {
        for place in PLACES {
            let e = refusal(&m, place);
            refused_and_hidden(&e, &m, place, "", "services.app");
        }
    }
}

/// A literal written into the template's patch, the overlay's
/// `cloudformation` or Docker's `x-aws-cloudformation`, goes into the
/// template as it is: each rule is refused there at the patch's key path,
/// and never shown.
#[test]
fn every_rule_is_refused_in_the_template_patch_and_never_shown() {
    let access_key_id = &markers()[0].value;
    for m in markers() {
        // A secret access key is one only next to an access key ID.
        let mut properties = format!("{{Type: String, Value: {}", quoted(&m.value));
        if m.rule == "aws-secret-access-key" {
            properties.push_str(&format!(", Description: {}", quoted(access_key_id)));
        }
        properties.push('}');
        let resource = format!(
            "{{Resources: {{Token: {{Type: AWS::SSM::Parameter, Properties: {properties}}}}}}}"
        );
        let compose = "name: shop\nservices:\n  app:\n    image: example/app:1\n";
        let overlay = overlay_file(&markers::Planted::default());
        for (place, compose, overlay) in [
            (
                "cloudformation",
                compose.to_owned(),
                format!("{overlay}cloudformation: {resource}\n"),
            ),
            (
                "x-aws-cloudformation",
                format!("x-aws-cloudformation: {resource}\n{compose}"),
                overlay.clone(),
            ),
        ] {
            let e = match convert_files(&compose, &overlay, &[], &[]) {
                Ok(_) => panic!("{} in {place} was not refused", m.rule),
                Err(e) => e,
            };
            refused_and_hidden(
                &e,
                &m,
                place,
                "shop.cloudformation.yaml",
                "cloudformation.Resources.Token.Properties.",
            );
        }
    }
}

#[test]
fn every_rule_of_the_table_has_a_marker() {
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/secrets.md"))
            .unwrap();
    let documented: Vec<&str> = page
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    let planted: Vec<&str> = markers().iter().map(|m| m.rule).collect();
    assert_eq!(documented, planted);
}

const DEPLOYER: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIATESTMARKER234567"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "deployerSecretMarker/0123456789abcdefghij",
    ),
    ("AWS_SESSION_TOKEN", "deployerSessionMarker0123456789"),
    ("GITHUB_TOKEN", "ghp_deployerGithubMarker0123456789abcd"),
];

const OVERLAY: &str = "region: us-east-1\nroles: {execution: \"arn:aws:iam::123456789012:role/exec\"}\nnetwork: {subnets: [subnet-0123456789abcdef0]}\n";

#[test]
fn the_deployers_credentials_passed_through_are_refused_by_name() {
    let compose = "services:\n  app:\n    image: nginx\n    environment:\n      - AWS_ACCESS_KEY_ID\n      - AWS_SECRET_ACCESS_KEY\n      - AWS_SESSION_TOKEN\n      - GITHUB_TOKEN\n";
    let e = convert_files(compose, OVERLAY, &[], DEPLOYER).unwrap_err();
    let shown = everything_shown(&e);
    for (name, value) in DEPLOYER {
        assert!(!shown.contains(value), "{name}'s value is shown:\n{shown}");
        let d = e
            .diagnostics()
            .iter()
            .find(|d| {
                d.code == Code::CredentialFromEnvironment
                    && d.message.contains(&format!("`{name}`"))
            })
            .unwrap_or_else(|| panic!("{name} not refused:\n{shown}"));
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(
            d.path.as_deref(),
            Some(format!("services.app.environment.{name}").as_str())
        );
        let loc = d.location.as_ref().unwrap();
        assert_eq!(
            e.sources().line(&loc.file, loc.line).unwrap().trim(),
            format!("- {name}")
        );
        let help = d.help.as_deref().unwrap();
        if name.starts_with("AWS_") {
            assert!(help.contains("roles.task"), "{help}");
        } else {
            assert!(help.contains("secrets: {GITHUB_TOKEN:"), "{help}");
        }
    }
}

#[test]
fn a_credential_interpolated_from_the_process_is_refused_where_it_is_used() {
    let compose = "services:\n  app:\n    image: nginx\n    command: [\"clone\", \"https://x-access:${GITHUB_TOKEN}@github.com/o/r\"]\n";
    let e = convert_files(compose, OVERLAY, &[], DEPLOYER).unwrap_err();
    let d = e
        .diagnostics()
        .iter()
        .find(|d| d.code == Code::CredentialFromEnvironment)
        .unwrap();
    assert_eq!(d.path.as_deref(), Some("services.app.command"));
    let loc = d.location.as_ref().unwrap();
    assert!(
        e.sources()
            .line(&loc.file, loc.line)
            .unwrap()
            .contains("${GITHUB_TOKEN}")
    );
    // One finding for the value, not a second one for its shape.
    assert_eq!(e.errors().count(), 1, "{}", everything_shown(&e));
    assert!(!everything_shown(&e).contains("deployerGithubMarker"));
}

#[test]
fn a_short_credential_from_the_process_is_refused_as_the_whole_value() {
    let compose = "services:\n  app:\n    image: nginx\n    environment: [API_KEY]\n";
    let e = convert_files(compose, OVERLAY, &[], &[("API_KEY", "k9")]).unwrap_err();
    assert!(
        e.diagnostics()
            .iter()
            .any(|d| d.code == Code::CredentialFromEnvironment)
    );
}

#[test]
fn values_from_the_projects_files_stay_warnings() {
    let value = "devOnlyTokenValue42";
    let warned = |c: &Conversion| {
        c.diagnostics
            .iter()
            .any(|d| d.code == Code::PlaintextSecret && d.severity == Severity::Warning)
    };
    // From .env, passed through by name.
    let bare = "services:\n  app:\n    image: nginx\n    environment: [API_TOKEN]\n";
    let c = convert_files(
        bare,
        OVERLAY,
        &[(".env", "API_TOKEN=devOnlyTokenValue42\n")],
        &[],
    )
    .unwrap();
    assert!(warned(&c));
    let td = compose2ecs_core::to_json(c.task_definitions.values().next().unwrap());
    assert!(
        td.contains(value),
        "the project's own value is written, with a warning"
    );
    // Written literally in the compose file.
    let literal =
        "services:\n  app:\n    image: nginx\n    environment: {API_TOKEN: devOnlyTokenValue42}\n";
    assert!(warned(&convert_files(literal, OVERLAY, &[], &[]).unwrap()));
    // The same name and value from the process environment: an error.
    let e = convert_files(bare, OVERLAY, &[], &[("API_TOKEN", value)]).unwrap_err();
    assert!(
        e.diagnostics()
            .iter()
            .any(|d| d.code == Code::CredentialFromEnvironment)
    );
    // The process environment wins over .env, and is what is refused.
    let e = convert_files(
        bare,
        OVERLAY,
        &[(".env", "API_TOKEN=fromDotenvValue\n")],
        &[("API_TOKEN", value)],
    )
    .unwrap_err();
    assert!(!everything_shown(&e).contains(value));
}

#[test]
fn public_opts_a_key_out_and_must_name_a_service() {
    let jwt = &markers()
        .into_iter()
        .find(|m| m.rule == "jwt")
        .unwrap()
        .value;
    let compose = format!(
        "services:\n  app:\n    image: nginx\n    environment:\n      - ANON_KEY={jwt}\n      - PUBLIC_TOKEN\n"
    );
    let process = [("PUBLIC_TOKEN", "publicByDesignValue")];
    assert!(convert_files(&compose, OVERLAY, &[], &process).is_err());
    let overlay = format!(
        "{OVERLAY}public:\n  - services.app.environment.ANON_KEY\n  - services.app.environment.PUBLIC_TOKEN\n"
    );
    let c = convert_files(&compose, &overlay, &[], &process).unwrap();
    let td = compose2ecs_core::to_json(c.task_definitions.values().next().unwrap());
    assert!(td.contains(jwt.as_str()) && td.contains("publicByDesignValue"));
    // A parent path covers its children.
    let overlay = format!("{OVERLAY}public: [services.app.environment]\n");
    assert!(convert_files(&compose, &overlay, &[], &process).is_ok());
    // An entry that names no service is refused.
    let overlay = format!("{OVERLAY}public: [services.ap.environment.ANON_KEY]\n");
    let e = convert_files(&compose, &overlay, &[], &[]).unwrap_err();
    let d = e
        .diagnostics()
        .iter()
        .find(|d| d.code == Code::OverlayUnknownService)
        .unwrap();
    assert_eq!(d.path.as_deref(), Some("public[0]"));
}

#[test]
fn mapped_secrets_are_not_lifted_by_public() {
    let compose = "services:\n  app:\n    image: nginx\n    environment: {DB_PASSWORD: hunter2hunter2, COPY: \"${DB_PASSWORD}\"}\n";
    let compose = compose.replace("${DB_PASSWORD}", "hunter2hunter2");
    let overlay = format!(
        "{OVERLAY}secrets: {{DB_PASSWORD: /prod/db}}\npublic: [services.app.environment]\n"
    );
    let e = convert_files(&compose, &overlay, &[], &[]).unwrap_err();
    assert!(
        e.diagnostics()
            .iter()
            .any(|d| d.code == Code::SecretValueInOutput)
    );
}

#[test]
fn forty_base64_characters_are_a_secret_key_only_in_context() {
    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"; // AWS's documented example
    let sha = "3f786850e387550fdab836ed7e6dc881de23001b"; // a commit, 40 hex digits
    let named = format!(
        "services:\n  app:\n    image: nginx\n    environment: {{AWS_SECRET_ACCESS_KEY: {key}, GIT_SHA: {sha}}}\n"
    );
    let e = convert_files(&named, OVERLAY, &[], &[]).unwrap_err();
    let refused: Vec<_> = e
        .diagnostics()
        .iter()
        .filter(|d| d.code == Code::CredentialInOutput)
        .map(|d| d.path.clone().unwrap_or_default())
        .collect();
    assert_eq!(refused, ["services.app.environment.AWS_SECRET_ACCESS_KEY"]);
    assert!(!everything_shown(&e).contains(key));
    // Alone under an ordinary name, 40 base64 characters are not refused.
    let alone = format!(
        "services:\n  app:\n    image: nginx\n    environment: {{UPSTREAM: {key}, GIT_SHA: {sha}}}\n"
    );
    assert!(convert_files(&alone, OVERLAY, &[], &[]).is_ok());
}
