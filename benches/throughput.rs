//! Citizen-steps per second of the default scenario on one thread, setup
//! (population, network) included: one replication per iteration.
//!
//! Run: `cargo bench --bench throughput`. Criterion reports the throughput
//! as "elem/s", one element being one citizen-step.

use cocreate::{Scenario, experiment};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn replication(c: &mut Criterion) {
    let mut group = c.benchmark_group("replication");
    for citizens in [10_000u32, 1_000_000] {
        let mut scenario = Scenario::baseline();
        scenario
            .set(&format!("population.citizens={citizens}"))
            .expect("a valid population size");
        let model = scenario.model().expect("the baseline is valid");
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
    group.finish();
}

criterion_group!(benches, replication);
criterion_main!(benches);
