#!/usr/bin/env bash
# Times loading a cases sheet from an .xlsx workbook (a figure, not a test).
#
#   bench/xlsx.sh            10,000 rows (a city's year)
#   bench/xlsx.sh 1000000    a million rows
#
# Makes a dataset with `caseql generate`, writes its cases (the 24 stored fields) to cases.xlsx
# with caseql's own .export (libxlsxwriter), then times `caseql cases.xlsx -c 'count cases'`
# (the whole process: unzip, XML, load) three times and prints the best and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-10000}"
bin=.build/release/caseql
[ -x "$bin" ] || swift build -c release --product caseql >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" generate --cases "$rows" --seed 7 --out "$work/ds" 2>/dev/null
fields="id, kind, level, recess, year, title, proposer, proposer_type, cosigners, category, unit, co_units, key_supervised, leader, assigned_on, signed_on, deadline, replied_on, closed_on, status, contact, satisfaction, resolution, form"
"$bin" "$work/ds" -c ".export $work/cases.xlsx select $fields from cases" >/dev/null
size=$(stat -c %s "$work/cases.xlsx")
times=()
for i in 1 2 3; do
  start=$(date +%s.%N)
  out=$("$bin" "$work/cases.xlsx" --csv --no-headers -c 'count cases')
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "xlsx load: $rows rows, $((size / 1024)) KiB workbook, counted $out cases"
echo "  best ${sorted[0]} s, median ${sorted[1]} s (runs: ${times[*]})"
