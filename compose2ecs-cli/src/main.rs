//! `compose2ecs`: Docker Compose files in, Amazon ECS task definitions out.
//!
//! The layers, each importing only those below it (`architecture.rs` holds
//! them): `main` dispatches; `verbs/` is one file per command; `steps/` is
//! the AWS and file work several verbs share; `context` is what the command
//! line resolves to, once (the project, its conversion, its region, the AWS
//! CLI); under them all, `args` (what the user typed), `report` (the only
//! way out to stdout and stderr), `aws` (the one thing that runs the AWS
//! CLI), `docker`, `write` (the output folder), `digests` and `outcome`
//! (every exit code).

mod args;
mod aws;
mod context;
mod digests;
mod docker;
mod outcome;
mod report;
mod steps;
mod verbs;
mod write;

#[cfg(test)]
mod architecture;

use std::process::ExitCode;

use clap::Parser as _;

use args::{Cli, Command};

fn main() -> ExitCode {
    // clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = Cli::parse();
    // With --format json, stdout carries one result document on every exit
    // path: the command's own, else a status and the errors reported; a
    // stream (`logs`) is JSON lines and nothing else.
    let json = cli
        .command
        .conversion()
        .is_some_and(|c| c.format == args::MessageFormat::Json);
    if matches!(cli.command, Command::Logs(_)) {
        report::stream();
    }
    let ended = match cli.command {
        Command::Convert(args) => verbs::convert::run(&args),
        Command::Register(args) => verbs::register::run(&args),
        Command::Deploy(args) => verbs::deploy::run(&args),
        Command::Run(args) => verbs::run::run(&args),
        Command::Logs(args) => verbs::logs::run(&args),
        Command::Plan(args) => verbs::plan::run(&args),
        Command::Build(args) => verbs::build::run(&args),
        Command::Push(args) => verbs::push::run(&args),
        Command::Policy(args) => verbs::policy::run(&args),
        Command::Ps(args) => verbs::ps::run(&args),
        Command::Exec(args) => verbs::exec::run(&args),
        Command::Scale(args) => verbs::scale::run(&args),
        Command::Down(args) => verbs::down::run(&args),
        Command::Config(args) => verbs::config::run(&args),
        Command::Init(args) => verbs::init::run(&args),
        Command::Schema { which } => verbs::schema::run(which),
        Command::Completions { shell } => verbs::shell::completions(shell),
        Command::Man { dir } => verbs::shell::man(&dir),
    };
    let outcome = ended.unwrap_or_else(|stopped| stopped);
    if json && !report::printed() {
        let status = match outcome {
            outcome::Outcome::Success | outcome::Outcome::Exit(0) => "ok",
            outcome::Outcome::Rejected | outcome::Outcome::Exit(_) => "failed",
        };
        let doc = serde_json::json!({"status": status, "errors": report::errors()});
        let _ = report::document(&doc);
    }
    outcome.into()
}

/// mimalloc, not the C library's allocator: a large conversion makes and
/// frees hundreds of thousands of small values on two threads, which
/// glibc's allocator serves a quarter slower, and musl's (the Linux release
/// binaries) slower still. Built without transparent huge pages, which cost
/// half a millisecond at start and double the peak memory of a large run.
/// `docs/DESIGN.md`, "Milliseconds".
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
