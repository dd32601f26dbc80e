#!/usr/bin/env bash
# Reopening a dataset from its column snapshot (issue 15): the time to the first answer — a whole
# process that loads the dataset and answers the workload's first question
# (bench/workload.cql's settings and question 1) — with the snapshot in the page cache (warm) and
# after dropping the page cache (cold: `sync; echo 3 > /proc/sys/vm/drop_caches`, needs root),
# and the whole workload the same two ways. Prints a Markdown section for bench/RESULTS.md.
#
#   bench/reopen.sh CASES.csv [RUNS]      # RUNS: 3
#
# Environment: CASEQL (the release build), CACHE (the cache folder: a fresh one by default, where
# a first start parses the file and writes the snapshot; that start is not timed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CASEQL=${CASEQL:-$here/../.build/release/caseql}
cases=$1
runs=${2:-3}
cache=${CACHE:-$(mktemp -d)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[[ $(id -u) == 0 ]] || { echo "bench/reopen.sh: the cold runs drop the page cache: run as root" >&2; exit 2; }
sed -n '1,/^count proposals/p' "$here/workload.cql" >"$work/first.cql"

export XDG_CACHE_HOME=$cache
"$CASEQL" "$cases" -c ".cache" | sed -n 's/^this dataset: /- snapshot: /p'
snap=$(ls -S "$cache"/caseql/*.snapshot | head -1)
"$CASEQL" "$cases" --no-cache -f "$work/first.cql" >"$work/want.first"
"$CASEQL" "$cases" --no-cache -f "$here/workload.cql" >"$work/want.all"

# One timed process: wall seconds (date +%s%N) and peak RSS in MiB (/usr/bin/time).
timed() {
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" >"$work/out"
    t1=$(date +%s%N)
    printf "%.3f %d" "$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$(( $(cat "$work/rss") / 1024 ))"
}
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "- file: $cases ($(($(stat -c %s "$cases") >> 20)) MiB); snapshot $(($(stat -c %s "$snap") >> 20)) MiB"
echo "- load (1 min) before: $(cut -d' ' -f1 /proc/loadavg); \`uptime\`: $(uptime)"
echo
echo "| run | first answer, cold s | first answer, warm s | whole workload, cold s | whole workload, warm s | peak MiB (first, cold) |"
echo "|---|---:|---:|---:|---:|---:|"
declare -A all
agree=yes
for i in $(seq 1 "$runs"); do
    row="| $i"
    peak=""
    for what in first all; do
        script=$work/first.cql
        [[ $what == all ]] && script=$here/workload.cql
        for state in cold warm; do
            if [[ $state == cold ]]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
            r=$(timed "$CASEQL" "$cases" -f "$script")
            cmp -s "$work/out" "$work/want.$what" || agree=no
            all[$what.$state]+="${r% *} "
            row+=" | ${r% *}"
            [[ $what == first && $state == cold ]] && peak=${r#* }
        done
    done
    echo "$row | $peak |"
done
echo
echo "Medians: first answer cold $(echo ${all[first.cold]} | median) s, warm $(echo ${all[first.warm]} | median) s;" \
     "whole workload cold $(echo ${all[all.cold]} | median) s, warm $(echo ${all[all.warm]} | median) s."
echo "Answers equal a --no-cache run's every time: $agree."
echo "- load (1 min) after: $(cut -d' ' -f1 /proc/loadavg)"
