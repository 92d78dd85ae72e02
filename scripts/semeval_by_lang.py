#!/usr/bin/env python3
"""Scores a pairs TSV on SemEval-2022 same/different pairs, per language.

Usage: semeval_by_lang.py TRUTH_PAIRS_TSV PRED_PAIRS_TSV [--json]

A truth pair counts as predicted `same` when the prediction lists it (any
label), as ../shared/eval/score.py does. Prints one row per language (the
`lang_a` column of the truth file) and the overall figures.
"""
import csv
import json
import sys


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def scores(rows, found):
    tp = fp = fn = tn = 0
    for r in rows:
        hit = frozenset((r["id_a"], r["id_b"])) in found
        if r["label"] == "same":
            tp, fn = tp + hit, fn + (not hit)
        elif r["label"] == "different":
            fp, tn = fp + hit, tn + (not hit)
    p = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
    return {"same": tp + fn, "different": fp + tn, "tp": tp, "fp": fp,
            "precision": p, "recall": rec, "f1": f1}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    truth = read(args[0])
    found = {frozenset((r["id_a"], r["id_b"])) for r in read(args[1])}
    langs = sorted({r["lang_a"] for r in truth})
    table = {lang: scores([r for r in truth if r["lang_a"] == lang], found) for lang in langs}
    table["all"] = scores(truth, found)
    if "--json" in sys.argv:
        print(json.dumps(table, indent=1, sort_keys=True))
        return
    print(f"{'lang':5} {'same':>5} {'diff':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for lang, s in table.items():
        print(f"{lang:5} {s['same']:5} {s['different']:5} {s['precision']:6.3f} "
              f"{s['recall']:6.3f} {s['f1']:6.3f}")


if __name__ == "__main__":
    main()
