//! The whole pipeline from raw bytes: compose text, overlay text and an
//! environment, separated by NUL bytes. Whatever the input, compose2ecs must
//! return — an `Ok` or an `Err` with diagnostics — never panic, hang or
//! touch the disk.

#![no_main]

use compose2ecs_core::{Environment, Input, Options, config, convert};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let compose = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let overlay = parts.next().map(|o| String::from_utf8_lossy(o).into_owned());
    let env: Environment = parts
        .next()
        .map(|e| {
            String::from_utf8_lossy(e)
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut input = Input::from_yaml(compose).with_environment(env).without_disk();
    if let Some(o) = overlay {
        input = input.with_overlay(o);
    }
    let options = Options::default();
    let _ = convert(&input, &options);
    let _ = config(&input, &options);
});
