#!/usr/bin/env bash
# Builds caseql and runs every test: the Swift tests (unit, golden, differential against
# sqlite3), then the end-to-end tests that drive the real binary in a terminal (tmux) and
# through pipes. Installs what is missing first. Needs no terminal and asks nothing.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh --test
swift build --build-tests
swift test --skip-build
if [ -d Tests/e2e ]; then
  for t in Tests/e2e/test_*.py; do
    [ -e "$t" ] || continue
    echo "== $t"
    python3 "$t"
  done
fi
if [ -x Tests/fuzz/run.sh ]; then Tests/fuzz/run.sh; fi
# The loader's two-thread tests and the index tests under ThreadSanitizer (a build of its own).
bash scripts/tsan.sh

