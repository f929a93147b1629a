//! One file per command, each thin: it resolves its [`Context`], asks the
//! steps for the work, and reports. A verb never imports another verb
//! (`architecture.rs`); what two verbs share is a step.
//!
//! [`Context`]: crate::context::Context

pub(crate) mod build;
pub(crate) mod config;
pub(crate) mod convert;
pub(crate) mod deploy;
pub(crate) mod down;
pub(crate) mod exec;
pub(crate) mod init;
pub(crate) mod logs;
pub(crate) mod plan;
pub(crate) mod policy;
pub(crate) mod ps;
pub(crate) mod push;
pub(crate) mod register;
pub(crate) mod run;
pub(crate) mod scale;
pub(crate) mod schema;
pub(crate) mod shell;
