#!/usr/bin/env bash
# Builds the libFuzzer target for the caseql lexer and parser into .build-fuzz/ and runs it for a
# bounded time over the seed corpus in Tests/fuzz/corpus/. Exits non-zero on a crash, after
# printing the crashing input.
#
#   Tests/fuzz/run.sh              60 seconds
#   FUZZ_TIME=600 Tests/fuzz/run.sh
#
# CaseStore reads .xlsx through libexpat and zlib (Sources/CExpat, Sources/CZlib: module maps
# found with -I, the libraries linked with -lexpat -lz), and .xls through libfreexl (Sources/CFreeXL, -lfreexl).
# CaseQuery imports CaseStore, so CaseStore is compiled first as its own module (object file +
# .swiftmodule), then CaseQuery's sources and the target are compiled as module CaseQuery
# against it. Both get the fuzzer's coverage instrumentation and AddressSanitizer.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.build-fuzz
time="${FUZZ_TIME:-60}"
mkdir -p "$out/corpus" "$out/artifacts"
rm -f "$out"/artifacts/*
flags=(-sanitize=fuzzer,address -parse-as-library -O -swift-version 5 -g)

echo "fuzz: building $out/fuzz-parser (a few minutes)" >&2
# The linker warns about every ASan helper it cannot export; the log keeps that out of sight.
# swiftc writes side files (CaseQuery-1.swiftmodule, …) into the current folder: build in $out.
root="$(pwd)"
if ! ( cd "$out" &&
       swiftc "${flags[@]}" -module-name CaseStore -wmo -emit-module -emit-module-path CaseStore.swiftmodule \
         -I "$root"/Sources/CExpat -I "$root"/Sources/CZlib -I "$root"/Sources/CFreeXL \
         -c "$root"/Sources/CaseStore/*.swift "$root"/Sources/CaseStore/Generator/*.swift -o CaseStore.o &&
       swiftc "${flags[@]}" -module-name CaseQuery -wmo -I . -I "$root"/Sources/CExpat -I "$root"/Sources/CZlib -I "$root"/Sources/CFreeXL \
         "$root"/Sources/CaseQuery/*.swift "$root"/Tests/fuzz/FuzzParser.swift CaseStore.o -lexpat -lz -lfreexl -l_FoundationICU -o fuzz-parser ) \
     >"$out/build.log" 2>&1; then
  grep -v "Cannot export local symbol" "$out/build.log" >&2
  echo "fuzz: FAILED to build (swiftc -sanitize=fuzzer,address)" >&2
  exit 1
fi

# New inputs the fuzzer finds go to .build-fuzz/corpus; the checked-in seeds are read only.
echo "fuzz: running for ${time}s" >&2
set +e
"$out/fuzz-parser" "$out/corpus" Tests/fuzz/corpus \
  -max_total_time="$time" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/artifacts/" -print_final_stats=1 2>"$out/fuzz.log"
status=$?
set -e
tail -n 25 "$out/fuzz.log" >&2
if [ $status -ne 0 ]; then
  echo "fuzz: FAILED (exit $status)" >&2
  for f in "$out"/artifacts/*; do
    [ -e "$f" ] || continue
    echo "fuzz: crashing input $f:" >&2
    od -c "$f" | head -n 40 >&2
    printf 'as text: %s\n' "$(cat "$f")" >&2
  done
  exit 1
fi
echo "fuzz: no crash" >&2
