#!/usr/bin/env bash
# Times loading a cases sheet from an .xlsx workbook, next to openpyxl reading the same sheet
# (a figure, not a test).
#
#   bench/xlsx.sh                  10,000 rows (a city's year), then 1,000,000
#   bench/xlsx.sh 10000            only 10,000 rows
#   CASEQL=/path/caseql bench/xlsx.sh 10000     another build (a before/after comparison)
#   OPENPYXL=0 bench/xlsx.sh       caseql only
#
# Makes a dataset with `caseql generate`, writes its cases (the 24 stored fields) to cases.xlsx
# with caseql's own .export (libxlsxwriter), then times `caseql cases.xlsx -c 'count cases'`
# --no-cache (the whole process: unzip, XML, load; no column snapshot) three times (once at a million rows) and prints the
# best and the median of the wall-clock time, the least CPU time (user + sys: what a busy
# shared machine distorts least) and the peak memory; then openpyxl (read-only mode, every
# cell's value) once.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 1000000)
bin="${CASEQL:-.build/release/caseql}"
[ -x "$bin" ] || swift build -c release --product caseql >&2
python=/usr/bin/python3   # Debian's, with python3-openpyxl
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fields="id, kind, level, recess, year, title, proposer, proposer_type, cosigners, category, unit, co_units, key_supervised, leader, assigned_on, signed_on, deadline, replied_on, closed_on, status, contact, satisfaction, resolution, form"
for rows in "${sizes[@]}"; do
  rm -rf "$work/ds" "$work/cases.xlsx"
  "$bin" generate --cases "$rows" --seed 7 --out "$work/ds" 2>/dev/null
  "$bin" "$work/ds" -c ".export $work/cases.xlsx select $fields from cases" >/dev/null
  size=$(stat -c %s "$work/cases.xlsx")
  runs=3; [ "$rows" -ge 1000000 ] && runs=1
  times=(); cpus=()
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s.%N)
    out=$(/usr/bin/time -o "$work/time" -f '%U %S %M' "$bin" "$work/cases.xlsx" --no-cache --csv --no-headers -c 'count cases')
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
    read -r user sys rss < "$work/time"
    cpus+=("$(echo "$user + $sys" | bc)")
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  cpu=($(printf '%s\n' "${cpus[@]}" | sort -n))
  echo "xlsx load: $rows rows, $((size / 1024)) KiB workbook, counted $out cases"
  echo "  caseql:   best ${sorted[0]} s, median ${sorted[$((runs / 2))]} s wall (runs: ${times[*]});" \
       "CPU (user+sys) best ${cpu[0]} s; peak memory $((rss / 1024)) MiB"
  if [ "${OPENPYXL:-1}" != 0 ] && "$python" -c 'import openpyxl' 2>/dev/null; then
    start=$(date +%s.%N)
    cells=$("$python" - "$work/cases.xlsx" <<'EOF'
import sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(1 for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v is not None))
EOF
)
    end=$(date +%s.%N)
    echo "  openpyxl: $(echo "$end - $start" | bc) s (read-only, $cells cells)"
  fi
done
