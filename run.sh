#!/usr/bin/env bash
# Builds caseql (installing libedit-dev first when it is missing) and opens the shell on the
# shipped dataset. Arguments go to caseql: ./run.sh -c 'count cases'
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
swift build -c release --static-swift-stdlib --product caseql >&2
if [ $# -gt 0 ] && [ -e "$1" ]; then exec .build/release/caseql "$@"; fi
exec .build/release/caseql datasets/zhengzhou-2020 "$@"
