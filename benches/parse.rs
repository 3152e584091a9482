//! Reading scenario files: a file of 100,000 interventions must validate
//! in well under a second (positions are found through a line index, not
//! by rescanning the text for each: that took over a minute).
//!
//! Run: `cargo bench --bench parse`.

use cocreate::Scenario;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;

/// A scenario with `n` trust campaigns spread over 60 steps.
fn many_interventions(n: usize) -> String {
    let mut text = String::from("[run]\nsteps = 60\n");
    for i in 0..n {
        let _ = write!(
            text,
            "\n[[interventions]]\nat = {}\nkind = \"trust_campaign\"\ndelta = 0.01\n",
            i % 60
        );
    }
    text
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    let text = many_interventions(100_000);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("interventions_100000", |b| {
        b.iter(|| {
            let s = Scenario::from_toml(black_box(&text), "many.toml", "many")
                .expect("a valid scenario");
            black_box(s.model().expect("a valid model"))
        })
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
