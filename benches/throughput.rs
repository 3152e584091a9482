//! Throughput of cocreate, in citizen-steps per second (criterion reports
//! "elem/s", one element being one citizen-step: citizens x steps x
//! replications).
//!
//! - `replication/citizens_N`: one replication of the default scenario on
//!   one thread, setup (population, network) included.
//! - `replication/rich_10000`: the same with PVC-2's structure (MODEL.md
//!   section 11): three citizen groups, three agency kinds with demands,
//!   and inhibitors targeted at groups and kinds, tuned so that about as
//!   many citizens take part as in the default scenario (so that the
//!   comparison measures what groups and kinds cost, not a different
//!   amount of interaction). Its speed should be at least 0.85 of
//!   `citizens_10000`'s.
//! - `threads/p`: 32 replications of 10,000 citizens on a pool of p threads
//!   (parallel efficiency = throughput with p threads / p x with one).
//! - `sweep/lhs_like`: a short sweep, 8 points over the eight inhibitor
//!   intensities x 4 replications, as modellers run them.
//!
//! Run all: `cargo bench --bench throughput`. Save a baseline before a
//! change with `cargo bench --bench throughput -- --save-baseline before`,
//! then compare with `cargo bench --bench throughput -- --baseline before`.

use cocreate::{Inhibitor, Scenario, experiment};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn scenario(citizens: u32) -> Scenario {
    let mut scenario = Scenario::baseline();
    scenario
        .set(&format!("population.citizens={citizens}"))
        .expect("a valid population size");
    scenario
}

/// The rich scenario of `replication/rich_10000`.
pub const RICH: &str = r#"
[population]
citizens = 10000
[[citizens.groups]]
name = "urban"
share = 0.6
capability_mean = 0.65
[[citizens.groups]]
name = "rural"
share = 0.25
capability_mean = 0.55
excluded_share = 0.1
[[citizens.groups]]
name = "elderly"
share = 0.15
trust_mean = 0.7
capability_mean = 0.5
excluded_share = 0.2
[[agencies.kinds]]
name = "municipal"
count = 14
demand = 0.6
legal_level = 0.8
[[agencies.kinds]]
name = "regional"
count = 4
demand = 0.25
[[agencies.kinds]]
name = "national"
count = 2
demand = 0.15
[inhibitors]
low_trust = { intensity = 0.1, groups = ["rural"] }
risk_averse_culture = { intensity = 0.5, kinds = ["national"] }
"#;

fn replication(c: &mut Criterion) {
    let mut group = c.benchmark_group("replication");
    for citizens in [10_000u32, 1_000_000] {
        let model = scenario(citizens).model().expect("the baseline is valid");
        group.throughput(Throughput::Elements(model.citizen_steps()));
        if citizens >= 1_000_000 {
            group.sample_size(10);
        }
        let mut r = 0;
        group.bench_function(format!("citizens_{citizens}"), |b| {
            b.iter(|| {
                r += 1;
                black_box(experiment::run_one(&model, 42, r))
            })
        });
    }
    let rich = Scenario::from_toml(RICH, "rich", "rich")
        .and_then(|s| s.model())
        .expect("the rich scenario is valid");
    group.throughput(Throughput::Elements(rich.citizen_steps()));
    group.sample_size(100);
    let mut r = 0;
    group.bench_function("rich_10000", |b| {
        b.iter(|| {
            r += 1;
            black_box(experiment::run_one(&rich, 42, r))
        })
    });
    group.finish();
}

fn run_batch(model: &cocreate::Model, replications: u32) {
    experiment::replicate(model, 7, replications, &(), |rep| {
        black_box(rep);
        Ok::<(), ()>(())
    })
    .expect("no sink error");
}

fn threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("threads");
    group.sample_size(10);
    let model = scenario(10_000).model().expect("valid");
    let replications = 32;
    group.throughput(Throughput::Elements(model.citizen_steps() * replications));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1, 2, cores];
    counts.dedup();
    for p in counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(p)
            .build()
            .expect("a thread pool");
        group.bench_function(format!("{p}"), |b| {
            b.iter(|| pool.install(|| run_batch(&model, replications as u32)))
        });
    }
    group.finish();
}

fn sweep(c: &mut Criterion) {
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    // 8 points spreading the inhibitor intensities, 4 replications each
    let points: Vec<cocreate::Model> = (0..8)
        .map(|p| {
            let mut s = scenario(10_000);
            for (i, inhibitor) in Inhibitor::ALL.iter().enumerate() {
                let x = ((p * 3 + i * 5) % 8) as f64 / 8.0;
                s.set(&format!("inhibitors.{}={x}", inhibitor.name()))
                    .expect("a valid intensity");
            }
            s.model().expect("valid")
        })
        .collect();
    let total: u64 = points.iter().map(|m| m.citizen_steps() * 4).sum();
    group.throughput(Throughput::Elements(total));
    group.bench_function("lhs_like", |b| {
        b.iter(|| {
            for model in &points {
                run_batch(model, 4);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, replication, threads, sweep);
criterion_main!(benches);
