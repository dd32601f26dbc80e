#!/usr/bin/env bash
# Builds caseql's libFuzzer targets into one binary, .build-fuzz/caseql-fuzz, and runs each for a
# bounded time over its seed corpus. Exits non-zero on a crash, a hang or a disagreement, after
# printing the input that caused it.
#
#   parser  the lexer and parser                                   seeds: Tests/fuzz/corpus/
#   loader  CSV bytes, loaded in one part and in two: must agree    seeds: Tests/fuzz/corpus-loader/
#   eval    statements run on a small generated dataset             seeds: Tests/fuzz/corpus-eval/
#   xls     .xls bytes loaded as a dataset (caseql's own compound       seeds: Tests/fuzz/corpus-xls/
#           file and BIFF8 reader: CompoundFile.swift, BIFF8.swift)
#
#   Tests/fuzz/run.sh                        each target 60 seconds (what ./test.sh and CI run)
#   FUZZ_TIME=3600 Tests/fuzz/run.sh         each target an hour
#   FUZZ_TARGETS="loader" FUZZ_TIME=600 Tests/fuzz/run.sh    one target ten minutes
#
# Inputs the fuzzer finds are kept in .build-fuzz/corpus-TARGET (so a longer run goes on from
# them); the checked-in seeds are read only. A crashing input is kept as
# .build-fuzz/artifacts/TARGET-crash-…; replay it with
#   CASEQL_FUZZ_TARGET=TARGET .build-fuzz/caseql-fuzz FILE
#
# CaseStore reads .xlsx through libexpat and zlib (Sources/CExpat, Sources/CZlib: module maps
# found with -I, the libraries linked with -lexpat -lz); .xls is read by caseql's own code.
# It calls caseql's own C helpers (Sources/CSupport: the snapshot's SIGBUS handler), compiled
# here with clang into csupport.o.
# CaseQuery imports CaseStore, so CaseStore is compiled first as its own module (object file +
# .swiftmodule), then CaseQuery's sources and the targets are compiled as module CaseQuery
# against it, once for the three (Fuzz.swift picks one by CASEQL_FUZZ_TARGET). Both get the
# fuzzer's coverage instrumentation and AddressSanitizer.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.build-fuzz
time="${FUZZ_TIME:-60}"
# xls was run by name only while libfreexl read the cells: within seconds it found a stack
# buffer overflow inside libfreexl 1.0.6 (iconv under freexl_open); caseql reads .xls itself
# now, and that input is a regression test (Tests/fuzz/libfreexl-crashes, test_xls_crashes.py).
targets="${FUZZ_TARGETS:-parser loader eval xls}"
mkdir -p "$out/artifacts"
rm -f "$out"/artifacts/*
flags=(-sanitize=fuzzer,address -parse-as-library -O -swift-version 5 -g)

echo "fuzz: building $out/caseql-fuzz (a few minutes)" >&2
# The linker warns about every ASan helper it cannot export; the log keeps that out of sight.
# swiftc writes side files (CaseQuery-1.swiftmodule, …) into the current folder: build in $out.
root="$(pwd)"
if ! ( cd "$out" &&
       clang -O1 -g -fsanitize=address -I "$root"/Sources/CSupport/include -c "$root"/Sources/CSupport/csupport.c -o csupport.o &&
       swiftc "${flags[@]}" -module-name CaseStore -wmo -emit-module -emit-module-path CaseStore.swiftmodule \
         -I "$root"/Sources/CExpat -I "$root"/Sources/CZlib -I "$root"/Sources/CSupport/include \
         -c "$root"/Sources/CaseStore/*.swift "$root"/Sources/CaseStore/Generator/*.swift -o CaseStore.o &&
       swiftc "${flags[@]}" -module-name CaseQuery -wmo -I . -I "$root"/Sources/CExpat -I "$root"/Sources/CZlib -I "$root"/Sources/CSupport/include \
         "$root"/Sources/CaseQuery/*.swift "$root"/Tests/fuzz/*.swift CaseStore.o csupport.o -lexpat -lz -l_FoundationICU -o caseql-fuzz ) \
     >"$out/build.log" 2>&1; then
  grep -v "Cannot export local symbol" "$out/build.log" >&2
  echo "fuzz: FAILED to build (swiftc -sanitize=fuzzer,address)" >&2
  exit 1
fi

failed=0
for target in $targets; do
  case "$target" in
    # The loader and eval targets look for crashes, hangs and disagreements; leaks are checked
    # only in the parser target for now. Their first run found a real leak (each range parser's
    # first row-position buffers, fixed in TableLoader); whether they leave other leaks has not
    # been run yet: turn leaks=1 on below once a run is clean.
    parser) seeds=Tests/fuzz/corpus; max_len=4096; leaks=1 ;;
    loader) seeds=Tests/fuzz/corpus-loader; max_len=16384; leaks=0 ;;
    eval) seeds=Tests/fuzz/corpus-eval; max_len=2048; leaks=0 ;;
    xls) seeds=Tests/fuzz/corpus-xls; max_len=8192; leaks=0 ;;
    *) echo "fuzz: unknown target $target (expected parser, loader, eval or xls)" >&2; exit 2 ;;
  esac
  mkdir -p "$out/corpus-$target"
  # The loader and eval targets write their files under TMPDIR: a folder of this run's own.
  rm -rf "$out/tmp-$target"; mkdir -p "$out/tmp-$target"
  echo "fuzz: $target for ${time}s" >&2
  set +e
  ASAN_OPTIONS="detect_leaks=$leaks" TMPDIR="$root/$out/tmp-$target" CASEQL_FUZZ_TARGET=$target "$out/caseql-fuzz" "$out/corpus-$target" "$seeds" \
    -max_total_time="$time" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 -detect_leaks="$leaks" \
    -artifact_prefix="$out/artifacts/$target-" -print_final_stats=1 2>"$out/fuzz-$target.log"
  status=$?
  set -e
  tail -n 12 "$out/fuzz-$target.log" >&2
  if [ $status -ne 0 ]; then
    failed=1
    echo "fuzz: $target FAILED (exit $status)" >&2
    for f in "$out"/artifacts/"$target"-*; do
      [ -e "$f" ] || continue
      echo "fuzz: input $f:" >&2
      od -c "$f" | head -n 40 >&2
      printf 'as text: %s\n' "$(head -c 2000 "$f")" >&2
    done
  fi
  rm -rf "$out/tmp-$target"
done
[ $failed -eq 0 ] || exit 1
echo "fuzz: no crash, hang or disagreement in: $targets" >&2
