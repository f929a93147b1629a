//! `compose2ecs`: Docker Compose files in, Amazon ECS task definitions out.
//!
//! `args` says what the command line is, `cmd` does each command, `report`
//! is the only way out to stderr, `write` to stdout and to files, `aws` runs
//! the AWS CLI. This file only dispatches and sets the exit code.

mod args;
mod aws;
mod cmd;
mod docker;
mod halves;
mod outcome;
mod report;
mod write;

use std::process::ExitCode;

use clap::Parser as _;

use args::{Cli, Command};

fn main() -> ExitCode {
    // clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = Cli::parse();
    // With --format json, stdout carries one result document on every exit
    // path: the command's own, else a status and the errors reported.
    let json = match &cli.command {
        Command::Convert(a) => a.conversion.format,
        Command::Register(a) => a.conversion.format,
        Command::Deploy(a) => a.conversion.format,
        Command::Run(a) => a.conversion.format,
        Command::Logs(a) => a.conversion.format,
        Command::Plan(a) => a.conversion.format,
        Command::Build(a) => a.conversion.format,
        Command::Push(a) => a.conversion.format,
        Command::Policy(a) => a.conversion.format,
        Command::Ps(a) => a.conversion.format,
        Command::Exec(a) => a.conversion.format,
        Command::Scale(a) => a.conversion.format,
        Command::Down(a) => a.conversion.format,
        Command::Config(_)
        | Command::Init(_)
        | Command::Schema { .. }
        | Command::Completions { .. }
        | Command::Man { .. } => args::MessageFormat::Human,
    } == args::MessageFormat::Json;
    let outcome = match cli.command {
        Command::Convert(args) => cmd::convert::run(&args),
        Command::Register(args) => cmd::register::run(&args),
        Command::Deploy(args) => cmd::deploy::run(&args),
        Command::Run(args) => cmd::run::run(&args),
        Command::Logs(args) => cmd::logs::run(&args),
        Command::Plan(args) => cmd::plan::run(&args),
        Command::Build(args) => cmd::images::run_build(&args),
        Command::Push(args) => cmd::images::run_push(&args),
        Command::Policy(args) => cmd::policy::run(&args),
        Command::Ps(args) => cmd::ps::run(&args),
        Command::Exec(args) => cmd::exec::run(&args),
        Command::Scale(args) => cmd::scale::run(&args),
        Command::Down(args) => cmd::down::run(&args),
        Command::Config(args) => cmd::config::run(&args),
        Command::Init(args) => cmd::init::run(&args),
        Command::Schema { which } => cmd::schema::run(which),
        Command::Completions { shell } => cmd::shell::completions(shell),
        Command::Man { dir } => cmd::shell::man(&dir),
    };
    if json && !write::printed() {
        let status = match outcome {
            outcome::Outcome::Success | outcome::Outcome::Exit(0) => "ok",
            outcome::Outcome::Rejected | outcome::Outcome::Exit(_) => "failed",
        };
        let doc = serde_json::json!({"status": status, "errors": report::errors()});
        let _ = write::document(&doc);
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
