//! The whole pipeline on a seeded synthetic syndicated corpus (20 % copies).

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use newsdup::{pipeline, Mode, Params};

fn end_to_end(c: &mut Criterion) {
    let mut g = c.benchmark_group("end_to_end");
    g.sample_size(10);
    for n in [1_000usize, 5_000] {
        let articles = common::corpus(n, 7);
        g.throughput(Throughput::Bytes(
            articles.iter().map(|a| a.body.len() as u64).sum(),
        ));
        for (name, mode) in [("copies", Mode::Copies), ("stories", Mode::Stories)] {
            let params = Params {
                mode,
                ..Params::default()
            };
            g.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    pipeline::run(&articles, &params)
                        .map(|r| r.pairs.len())
                        .unwrap_or(0)
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
