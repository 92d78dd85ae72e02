#!/usr/bin/env bash
# Side-by-side run of newsdup and the peers of ../shared/bench (rensa, gaoya,
# datasketch) on the harness's generated corpus, then the summary table.
#
#   scripts/bench-peers.sh [N_DOCS] [RUNS]     (defaults: 100000, 1)
#
# Environment:
#   BENCH    the harness (default ../shared/bench); it is copied to WORK, so the
#            corpora and results never land in the shared directory
#   WORK     where the harness copy, corpora and results live (default ../bench-work)
#   PEERS    contenders to run (default "newsdup-copies newsdup-stories rensa gaoya";
#            add datasketch for the slow pure-Python one)
#
# The machine is shared: compare contenders as ratios within one run, and
# prefer CPU seconds (user+sys) to wall time when the load average is high.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100000}
runs=${2:-1}
bench=${BENCH:-$here/../shared/bench}
work=${WORK:-$here/../bench-work}
peers=${PEERS:-"newsdup-copies newsdup-stories rensa gaoya"}
case $n in
  *000000) tag="$((n / 1000000))m" ;;
  *000) tag="$((n / 1000))k" ;;
  *) tag=$n ;;
esac
mkdir -p "$work"
cp -r "$bench"/*.py "$bench"/requirements.txt "$bench"/setup.sh "$work"/
cp "$here/scripts/peer_newsdup.sh" "$work"/
chmod -R u+w "$work"
bash "$work/setup.sh" >/dev/null
py=${PERFENV:-$HOME/.cache/newsdup-bench-venv}/bin/python
corpus="$work/data/corpus_$tag"
if [ ! -f "$corpus.meta.json" ]; then
  "$py" "$work/gen_corpus.py" --n "$n" --out "$corpus"
fi
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/newsdup"
cd "$work"
for p in $peers; do
  case $p in
    newsdup-copies)  cmd=(./peer_newsdup.sh "$bin" {in} {out} copies) ;;
    newsdup-stories) cmd=(./peer_newsdup.sh "$bin" {in} {out} stories) ;;
    rensa|gaoya|datasketch) cmd=("$py" "peer_$p.py" {in} {out}) ;;
    *) echo "unknown contender $p" >&2; exit 2 ;;
  esac
  "$py" run.py --name "$p" --corpus "$corpus" --runs "$runs" --warmup 0 -- "${cmd[@]}"
done
"$py" summarize.py "$work/results"
