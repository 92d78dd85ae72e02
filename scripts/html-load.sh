#!/usr/bin/env bash
# Measures how fast the HTML report of a large batch opens in headless
# Chromium: a seeded synthetic batch of 10,000 articles in 880 families of
# edited copies (about 52,000 pairs), scanned with --html, then loaded at
# #stories, #pairs and #pair=1. Prints the page's own data-ready-ms (time
# from navigation start to a rendered view). Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-browser.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/big.jsonl" <<'PY'
import json, random, sys
rng = random.Random(7)
syll = ["ka","lo","mi","ne","ru","sa","te","vo","zi","pa","qu","de","fo","gi","hu","ja","be","co","xi","wy"]
vocab = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(30000)})
def para(n): return " ".join(rng.choice(vocab) for _ in range(n)).capitalize() + "."
with open(sys.argv[1], "w") as out:
    for f, size in enumerate([12] * 600 + [10] * 280):
        base = [para(rng.randint(40, 70)) for _ in range(5)]
        for m in range(size):
            paras = list(base)
            if m and rng.random() < 0.5:
                paras.pop(rng.randrange(len(paras)))
            text = "\n\n".join(" ".join(w if rng.random() > 0.04 else rng.choice(vocab) for w in p.split(" ")) for p in paras)
            out.write(json.dumps({"id": f"f{f}-{m}", "title": f"Story {f} take {m} — Zürich",
                                  "source": f"site{m}", "text": text}, ensure_ascii=False) + "\n")
PY
cargo run --quiet --release -- scan "$tmp/big.jsonl" --html "$tmp/big.html" -q
ls -l "$tmp/big.html"
for view in stories pairs pair=1; do
    rm -rf "$tmp/profile"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$tmp/profile" --window-size=1400,900 \
        --dump-dom "file://$tmp/big.html#$view" 2>/dev/null >"$tmp/dom.html"
    echo "#$view: $(grep -o 'data-ready-ms="[0-9]*"' "$tmp/dom.html") $(grep -o 'data-errors="[^"]*"' "$tmp/dom.html" || true)"
done
