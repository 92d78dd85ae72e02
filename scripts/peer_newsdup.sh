#!/usr/bin/env bash
# newsdup as a contender of the ../shared/bench harness (see its README, §6).
#
#   peer_newsdup.sh NEWSDUP_BINARY IN.jsonl OUT.tsv [MODE]
#
# Runs `newsdup scan --mode MODE --threshold 0.5` (MODE: copies, the default,
# or stories) and writes the harness's pair format, `id_a<TAB>id_b<TAB>score`,
# with the pair's exact word 5-shingle Jaccard as the score: every pair newsdup
# reports is verified exactly, so score.py's "score_filtered" line (score >= 0.5)
# gives the pairs whose exact Jaccard is at least 0.5, and its "raw" line every
# labelled pair (partial copies and rewrites included).
set -euo pipefail
bin=$1 in=$2 out=$3 mode=${4:-copies}
tmp="$out.newsdup.tsv"
"$bin" scan --mode "$mode" --threshold 0.5 -q "$in" --pairs "$tmp"
# newsdup's --pairs columns: id_a id_b score label jaccard containment ...
awk -F'\t' 'NR > 1 { print $1 "\t" $2 "\t" $5 }' "$tmp" > "$out"
rm -f "$tmp"
