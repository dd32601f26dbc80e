#!/usr/bin/env bash
# Regenerates, from caseql's ArgumentParser declaration, the man page (docs/caseql.1) and the
# bash and zsh completion scripts (completions/caseql.bash, completions/_caseql). Run after
# changing an option; Tests/e2e/test_shell.py checks that the committed files are current.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CASEQL:-.build/debug/caseql}
[ -x "$BIN" ] || swift build --product caseql >&2
mkdir -p docs completions
"$BIN" --experimental-dump-help | python3 scripts/manpage.py "November 29, 2026" > docs/caseql.1
"$BIN" --generate-completion-script bash > completions/caseql.bash
"$BIN" --generate-completion-script zsh > completions/_caseql
