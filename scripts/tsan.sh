#!/usr/bin/env bash
# The loader's tests that read a file in parts on two threads (PartSlots included), the .xlsx
# reader's row blocks on every core, the index tests, and a snapshot's sections checked on first
# use from many threads at once, under
# ThreadSanitizer (a build of its own in .build-tsan), run by ./test.sh and so by CI: about 3 min
# on a quiet 2-core machine (build 1 min 45 s, the 15 tests 73–78 s); 19 minutes when five other
# builds shared the cores. Exit status: swift test's (a reported race fails the run). Its first
# run found the SIGBUS handler of a truncated file's two loading threads both storing its mark
# without an atomic (InputFile.swift, now atomic).
#   scripts/tsan.sh                  # the default filter below
#   scripts/tsan.sh 'SnapshotTests'  # any --filter pattern
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-'twoHalves|aStrayQuoteThatMisleadsTheCuts|truncatedWhileLoading|aPassOverTheColumnAgreesWithTheIndexes|containsByScan|RowBlocks|progressOfALoadInParts|partSlotsHandEachValueBackOnce|sectionsAreCheckedOnceWhenManyThreadsFirstUseThem'}
swift build --build-tests --sanitize=thread --build-path .build-tsan -j 2
TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1} swift test --skip-build --sanitize=thread --build-path .build-tsan --filter "$filter"
