#!/usr/bin/env bash
# Times loading a cases sheet from an .xlsx workbook, next to openpyxl reading the same sheet
# (a figure, not a test).
#
#   bench/xlsx.sh                  10,000 rows (a city's year), then 1,000,000
#   bench/xlsx.sh 10000            only 10,000 rows
#   CASEQL=/path/caseql bench/xlsx.sh 10000     another build (a before/after comparison)
#   OPENPYXL=0 bench/xlsx.sh       caseql only
#   RUNS=5 bench/xlsx.sh 10000     runs of caseql (default 3 below 1M rows, 1 at 1M)
#
# The workbook is made once per size and kept in bench/out/xlsx/ (REMAKE=1 makes it again):
# `caseql generate` (seed 7), its cases (the 24 stored fields) written to cases-N.xlsx by caseql's
# own .export (libxlsxwriter: shared strings, date cells). Then `caseql cases-N.xlsx -c 'count
# cases' --no-cache` (the whole process: unzip, XML, load; no column snapshot) runs RUNS times:
# the best and the median wall-clock time, the least CPU time (user + sys: what a busy shared
# machine distorts least) and the peak memory; then openpyxl (read-only mode, every cell's value)
# once, timed the same way. Each size's report starts with the cores and the load (`uptime`): the
# wall-clock figures mean little above a load of about 1 a core.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 1000000)
bin="${CASEQL:-.build/release/caseql}"
[ -x "$bin" ] || swift build -c release --product caseql >&2
[ -x /usr/bin/time ] || { echo "bench/xlsx.sh needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }
python=/usr/bin/python3   # Debian's, with python3-openpyxl
out=bench/out/xlsx
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fields="id, kind, level, recess, year, title, proposer, proposer_type, cosigners, category, unit, co_units, key_supervised, leader, assigned_on, signed_on, deadline, replied_on, closed_on, status, contact, satisfaction, resolution, form"
load() { uptime | sed 's/.*load average: //'; }
for rows in "${sizes[@]}"; do
  book="$out/cases-$rows.xlsx"
  if [ ! -s "$book" ] || [ "${REMAKE:-0}" = 1 ]; then
    echo "making $book ..." >&2
    rm -rf "$work/ds" "$book"
    "$bin" generate --cases "$rows" --seed 7 --out "$work/ds" 2>/dev/null
    "$bin" "$work/ds" --no-cache -c ".export $book select $fields from cases" >/dev/null
    rm -rf "$work/ds"
  fi
  size=$(stat -c %s "$book")
  xml=$(/usr/bin/python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).getinfo("xl/worksheets/sheet1.xml").file_size)' "$book")
  runs=${RUNS:-3}; [ -z "${RUNS:-}" ] && [ "$rows" -ge 1000000 ] && runs=1
  echo "xlsx load: $rows rows, $((size / 1024)) KiB workbook ($((xml / 1048576)) MiB of sheet XML); $(nproc) cores, load $(load) (1, 5, 15 min)"
  times=(); cpus=(); peaks=()
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s.%N)
    counted=$(/usr/bin/time -o "$work/time" -f '%U %S %M' "$bin" "$book" --no-cache --csv --no-headers -c 'count cases')
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
    read -r user sys rss < "$work/time"
    cpus+=("$(echo "$user + $sys" | bc)")
    peaks+=("$((rss / 1024))")
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  cpu=($(printf '%s\n' "${cpus[@]}" | sort -n))
  peak=($(printf '%s\n' "${peaks[@]}" | sort -n))
  echo "  caseql:   wall best ${sorted[0]} s, median ${sorted[$((runs / 2))]} s (runs: ${times[*]}); CPU (user+sys) best ${cpu[0]} s;" \
       "peak ${peak[$((runs - 1))]} MiB; counted $counted cases; load after $(load)"
  if [ "${OPENPYXL:-1}" != 0 ] && "$python" -c 'import openpyxl' 2>/dev/null; then
    start=$(date +%s.%N)
    cells=$(/usr/bin/time -o "$work/time" -f '%U %S %M' "$python" - "$book" <<'EOF'
import sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1], read_only=True)
print(sum(1 for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v is not None))
EOF
)
    end=$(date +%s.%N)
    read -r user sys rss < "$work/time"
    echo "  openpyxl: wall $(echo "$end - $start" | bc) s; CPU (user+sys) $(echo "$user + $sys" | bc) s; peak $((rss / 1024)) MiB" \
         "(read-only, $cells cells); load after $(load)"
  fi
done
