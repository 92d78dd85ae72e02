//! A seeded synthetic corpus of syndicated news for benches: stories from a
//! Zipf-like vocabulary, 20 % of articles are copies (verbatim with other
//! boilerplate, trimmed, or with a few words substituted). No network, no files.

use newsdup::{Article, Origin};

/// A tiny deterministic generator (SplitMix64), so benches need no rand crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        newsdup::hash::mix64(self.0)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn word(rng: &mut Rng) -> String {
    // Zipf-ish: small ids are far more frequent.
    let r = rng.below(1_000_000) as f64 / 1_000_000.0;
    let id = (20_000f64.powf(r)) as u64;
    format!("w{id:x}")
}

fn story(rng: &mut Rng) -> String {
    let paragraphs = 3 + rng.below(6);
    let mut out = String::new();
    for _ in 0..paragraphs {
        let words = 40 + rng.below(60);
        let mut para: Vec<String> = (0..words).map(|_| word(rng)).collect();
        para[0] = format!("{}{}", para[0][..1].to_uppercase(), &para[0][1..]);
        out.push_str(&para.join(" "));
        out.push_str(".\n\n");
    }
    out
}

/// `n` articles, about a fifth of them copies of earlier ones.
pub fn corpus(n: usize, seed: u64) -> Vec<Article> {
    let mut rng = Rng(seed);
    let mut bodies: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let body = if i > 10 && rng.below(5) == 0 {
            let src = bodies[rng.below(i as u64) as usize].clone();
            match rng.below(3) {
                0 => format!("Skip to content | Menu\n{src}Subscribe to our newsletter\n"),
                1 => src[..src.len() * 2 / 3].to_string(),
                _ => src
                    .split(' ')
                    .map(|w| {
                        if rng.below(30) == 0 {
                            word(&mut rng)
                        } else {
                            w.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            }
        } else {
            story(&mut rng)
        };
        bodies.push(body);
    }
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let origin = Origin {
                path: "bench".into(),
                line: Some(i as u64 + 1),
            };
            Article::new(format!("d{i:07}"), origin, body)
        })
        .collect()
}
