//! Scenario discovery: PRIM over 100,000 points of 8 factors must take
//! well under 5 seconds (issue 11). The cases of interest lie in a corner
//! of two factors, with 10% of the points labelled at random.
//!
//! Run: `cargo bench --bench prim`.

use cocreate::experiment::prim::{PrimData, PrimOptions, find_boxes};
use cocreate::model::rng::{Stream, key, unit_f64, word};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn prim(c: &mut Criterion) {
    let n = 100_000usize;
    let k = key(9, Stream::Design, 0);
    let x: Vec<Vec<f64>> = (0..8u64)
        .map(|j| {
            (0..n)
                .map(|i| unit_f64(word(k, 9 * i as u64 + j)))
                .collect()
        })
        .collect();
    let case: Vec<bool> = (0..n)
        .map(|i| {
            let flip = unit_f64(word(k, 9 * i as u64 + 8)) < 0.1;
            (x[0][i] > 0.6 && x[5][i] > 0.5) != flip
        })
        .collect();
    let mut group = c.benchmark_group("prim");
    group.sample_size(10);
    group.bench_function("points_100000_factors_8", |b| {
        b.iter(|| {
            let data = PrimData { x: &x, case: &case };
            black_box(find_boxes(&data, 1, 0.8, &PrimOptions::default()))
        })
    });
    group.finish();
}

criterion_group!(benches, prim);
criterion_main!(benches);
