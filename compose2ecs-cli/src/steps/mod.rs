//! The work several verbs share: AWS calls planned and made (registering,
//! creating or updating services, watching rollouts, jobs, scaling,
//! schedules, log retention, the VPC's subnets, the installed CLI's
//! capabilities, the live state compared), the images built and pushed,
//! and the output folder compared. A step never imports a verb
//! (`architecture.rs`).

pub(crate) mod calls;
pub(crate) mod capability;
pub(crate) mod diff;
pub(crate) mod drift;
pub(crate) mod family;
pub(crate) mod images;
pub(crate) mod jobs;
pub(crate) mod members;
pub(crate) mod plan;
pub(crate) mod retention;
pub(crate) mod rollout;
pub(crate) mod scaling;
pub(crate) mod service;
pub(crate) mod vpc;
