#!/usr/bin/env bash
# All tests, browser included: installs Debian's chromium if missing, then
# runs the test suite with the HTML browser test required (not skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-browser.sh
export NEWSDUP_REQUIRE_BROWSER=1
cargo test --locked "$@"
