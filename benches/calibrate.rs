//! Calibration: the shipped `scenarios/calibration/trust-participation.toml`
//! (2 parameters of the 10,000-citizen baseline, 400 particles, at most 8
//! generations, 1 replication per particle) must take under 2 minutes on 2
//! cores (issue 11). Each sample is one whole calibration, on a pool of 2
//! threads: the bench takes about 10 samples x the time of one.
//!
//! Run: `cargo bench --bench calibrate`.

use cocreate::Scenario;
use cocreate::experiment::calibration;
use cocreate::scenario::{Calibration, LoadError};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn calibrate(c: &mut Criterion) {
    let path = Path::new("scenarios/calibration/trust-participation.toml");
    let text = std::fs::read_to_string(path).expect("the shipped calibration");
    let cal = Calibration::from_toml(&text, "trust-participation.toml", "x", |base| {
        Scenario::load(&path.parent().unwrap().join(base)).map_err(|e| match e {
            LoadError::Invalid(e) => e,
            e => panic!("{e}"),
        })
    })
    .expect("a valid calibration");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("calibrate");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("trust_participation_2_threads", |b| {
        b.iter(|| black_box(pool.install(|| calibration::run(&cal, &()).unwrap())))
    });
    group.finish();
}

criterion_group!(benches, calibrate);
criterion_main!(benches);
