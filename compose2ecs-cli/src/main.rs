//! `compose2ecs`: Docker Compose files in, Amazon ECS task definitions out.
//!
//! `args` says what the command line is, `cmd` does each command, `report`
//! is the only way out to stderr, `write` to stdout and to files, `aws` runs
//! the AWS CLI. This file only dispatches and sets the exit code.

mod args;
mod aws;
mod cmd;
mod outcome;
mod report;
mod write;

use std::process::ExitCode;

use clap::Parser as _;

use args::{Cli, Command};

fn main() -> ExitCode {
    // clap exits with 2 on usage errors and 0 for --help/--version.
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Convert(args) => cmd::convert::run(&args),
        Command::Register(args) => cmd::register::run(&args),
        Command::Deploy(args) => cmd::deploy::run(&args),
        Command::Policy(args) => cmd::policy::run(&args),
        Command::Config(args) => cmd::config::run(&args),
        Command::Schema { which } => cmd::schema::run(which),
    };
    outcome.into()
}
