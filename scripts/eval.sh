#!/usr/bin/env bash
# Measures newsdup on ../shared/eval with ../shared/eval/score.py (and, for
# semeval2022, scripts/semeval_by_lang.py, which splits the pairs by language).
# Usage: scripts/eval.sh [extra scan flags…]   (release build; writes to results/eval/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
eval_dir=${EVAL_DIR:-$here/../shared/eval}
out=$here/results/eval
mkdir -p "$out"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/newsdup
score() { python3 "$eval_dir/score.py" "$@"; }
for set in ecbplus syndication clough_stevenson; do
  "$bin" scan -q "$eval_dir/$set/docs.jsonl" --clusters "$out/$set.clusters.jsonl" \
    --pairs "$out/$set.pairs.tsv" --passages "$out/$set.passages.jsonl" "$@"
done
echo "== ecbplus (story clusters)"
score clusters --truth "$eval_dir/ecbplus/docs.jsonl" --pred "$out/ecbplus.clusters.jsonl"
echo "== syndication (pairs)"
score pairs --truth "$eval_dir/syndication/pairs.tsv" --pred "$out/syndication.pairs.tsv"
echo "== syndication (story clusters)"
score clusters --truth "$eval_dir/syndication/docs.jsonl" --pred "$out/syndication.clusters.jsonl"
echo "== clough_stevenson (pairs)"
score pairs --truth "$eval_dir/clough_stevenson/pairs.tsv" --pred "$out/clough_stevenson.pairs.tsv" \
  --positive cut,light --negative non
echo "== pan13 (passages)"
"$bin" scan -q "$eval_dir/pan13/docs.jsonl" --passages "$out/pan13.passages.jsonl" "$@"
# score.py cannot read the 5 truth rows that have no aligned offsets: leave them out.
awk -F'\t' 'NR == 1 || $9 != ""' "$eval_dir/pan13/passages.tsv" > "$out/pan13.truth.tsv"
score passages --truth "$out/pan13.truth.tsv" --docs "$eval_dir/pan13/docs.jsonl" --pred "$out/pan13.passages.jsonl"
echo "== semeval2022 (same vs different story, per language)"
"$bin" scan -q "$eval_dir/semeval2022/docs.jsonl" --pairs "$out/semeval2022.pairs.tsv" "$@"
python3 "$here/scripts/semeval_by_lang.py" "$eval_dir/semeval2022/pairs.tsv" "$out/semeval2022.pairs.tsv"
