#!/usr/bin/env bash
# Builds caseql (installing libedit-dev first when it is missing) and opens the shell on the
# shipped dataset. Arguments go to caseql: ./run.sh -c 'count cases' (options only: the shipped
# dataset is added), ./run.sh other/dataset (a dataset, or a subcommand: passed as it is).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
swift build -c release --static-swift-stdlib --product caseql >&2
# A first argument that is not an option names the dataset (or `generate`): caseql says what is
# wrong with it, rather than meeting it as a second dataset.
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then exec .build/release/caseql "$@"; fi
exec .build/release/caseql datasets/zhengzhou-2020 "$@"
