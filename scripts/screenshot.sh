#!/usr/bin/env bash
# Regenerates docs/pair-view.png: the HTML report of data/sample, pair view.
# Usage: scripts/screenshot.sh [RANK]   (1-based pair rank, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
rank=${1:-2}
scripts/install-browser.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run --quiet --release -- scan data/sample/articles.jsonl --html "$tmp/report.html" -q
mkdir -p docs
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --hide-scrollbars --window-size=1400,900 \
    --screenshot="$PWD/docs/pair-view.png" "file://$tmp/report.html#pair=$rank" 2>/dev/null
echo "wrote docs/pair-view.png (pair $rank)"
