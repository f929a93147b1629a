//! The pipeline on generated projects of 1, 10, 100 and 1,000 services, each
//! a base file plus an override file (so merging is measured too), with the
//! keys real projects use: images with interpolated tags, environment,
//! ports, health checks, depends_on, labels, resources, anchors.
//!
//! Stages:
//! - `bare_yaml`: `serde_norway` parsing the same two texts — the floor;
//! - `load`: [`yaml::parse`] of both files (the located tree);
//! - `interpolate_merge`: load + interpolation + extends/include + merge;
//! - `validate_input`: the Compose Specification schema check of the merged
//!   tree, alone;
//! - `model`: everything up to the typed project ([`load`]), cumulative;
//! - `convert`: the whole [`convert`], cumulative (it includes the output
//!   checks but not `emit`);
//! - `validate_output`: the ECS schema checks of every output, alone;
//! - `emit`: every output to JSON text, alone.
//!
//! Run: `cargo bench -p compose2ecs-core --bench pipeline`; results and the
//! machine are recorded in BENCHMARKS.md.

#![allow(clippy::unwrap_used, missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

use compose2ecs_core::internals;
use compose2ecs_core::{Environment, Input, Options, Source, convert, load, schema, to_json};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The base and override texts of a project with `n` services.
fn project(n: usize) -> (String, String) {
    let mut base = String::from(
        "name: bench\nx-defaults: &defaults\n  restart: unless-stopped\n  logging:\n    driver: awslogs\n\nservices:\n",
    );
    let mut over = String::from("services:\n");
    for i in 0..n {
        let dep = if i > 0 {
            format!(
                "    depends_on:\n      svc{}:\n        condition: service_started\n",
                i - 1
            )
        } else {
            String::new()
        };
        let _ = write!(
            base,
            "  svc{i}:
    <<: *defaults
    image: \"123456789012.dkr.ecr.us-east-1.amazonaws.com/svc{i}:${{TAG:-1.0.{i}}}\"
    command: [\"serve\", \"--port\", \"8080\", \"--name\", \"svc{i}\"]
    environment:
      SERVICE_NAME: svc{i}
      LOG_LEVEL: ${{LOG_LEVEL:-info}}
      DATABASE_URL: postgres://db:5432/app{i}
      FEATURE_FLAGS: \"a,b,c\"
    ports:
      - \"{port}:8080\"
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/health\"]
      interval: 30s
      timeout: 5s
      retries: 3
    labels:
      com.example.team: team{team}
      com.example.service: svc{i}
    deploy:
      resources:
        limits:
          cpus: \"0.25\"
          memory: 256M
{dep}",
            port = 10000 + i,
            team = i % 7,
        );
        let _ = write!(
            over,
            "  svc{i}:
    environment:
      LOG_LEVEL: debug
      EXTRA_{i}: \"yes\"
    ports:
      - \"{port}:9090\"
",
            port = 20000 + i,
        );
    }
    (base, over)
}

fn input(base: &str, over: &str) -> Input {
    let env: Environment = [("TAG".to_owned(), "2.0".to_owned())].into_iter().collect();
    Input::from_yaml(base)
        .with_compose(Source::new("compose.override.yaml", over))
        .with_overlay(
            "region: us-east-1\nroles: {execution: arn:aws:iam::123456789012:role/exec}\n",
        )
        .with_environment(env)
        .without_disk()
}

fn stages(c: &mut Criterion) {
    for n in [1_usize, 10, 100, 1000] {
        let (base, over) = project(n);
        let mut group = c.benchmark_group(format!("services/{n}"));
        group.throughput(Throughput::Bytes((base.len() + over.len()) as u64));
        if n >= 100 {
            group.sample_size(20);
        }
        let inp = input(&base, &over);
        // Sanity: the generated project converts without errors.
        assert_eq!(
            convert(&inp, &Options::default())
                .unwrap()
                .task_definitions
                .len(),
            n
        );

        group.bench_function(BenchmarkId::new("bare_yaml", n), |b| {
            b.iter(|| {
                let a: serde_norway::Value = serde_norway::from_str(black_box(&base)).unwrap();
                let o: serde_norway::Value = serde_norway::from_str(black_box(&over)).unwrap();
                (a, o)
            });
        });
        group.bench_function(BenchmarkId::new("load", n), |b| {
            b.iter(|| {
                let a = internals::parse(Path::new("compose.yaml"), black_box(&base)).unwrap();
                let o =
                    internals::parse(Path::new("compose.override.yaml"), black_box(&over)).unwrap();
                (a, o)
            });
        });
        group.bench_function(BenchmarkId::new("interpolate_merge", n), |b| {
            b.iter(|| internals::resolve_unchecked(black_box(&inp)).unwrap());
        });
        let tree = internals::resolve_unchecked(&inp).unwrap();
        group.bench_function(BenchmarkId::new("validate_input", n), |b| {
            b.iter(|| assert!(internals::check_compose(black_box(&tree)).is_empty()));
        });
        group.bench_function(BenchmarkId::new("model", n), |b| {
            b.iter(|| load(black_box(&inp), &Options::default()).unwrap());
        });
        group.bench_function(BenchmarkId::new("convert", n), |b| {
            b.iter(|| convert(black_box(&inp), &Options::default()).unwrap());
        });
        let out = convert(&inp, &Options::default()).unwrap();
        let values: Vec<serde_json::Value> = out
            .task_definitions
            .values()
            .map(|t| serde_json::to_value(t).unwrap())
            .collect();
        group.bench_function(BenchmarkId::new("validate_output", n), |b| {
            b.iter(|| {
                for v in black_box(&values) {
                    assert!(schema::task_definition_json(v).is_empty());
                }
            });
        });
        group.bench_function(BenchmarkId::new("emit", n), |b| {
            b.iter(|| {
                let mut bytes = 0;
                for (family, td) in &black_box(&out).task_definitions {
                    bytes += to_json(td).len() + to_json(&out.services[family]).len();
                }
                bytes
            });
        });
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
