#!/usr/bin/env bash
# Installs what caseql needs from Debian's packages when it is missing. Never asks anything.
#   scripts/setup.sh          libedit-dev (the line editor), libxlsxwriter-dev (writing .xlsx),
#                             libexpat1-dev and zlib1g-dev (reading .xlsx), pkg-config
#                             (.xls is read by caseql's own code: README, "Loading")
#   scripts/setup.sh --test   also sqlite3, tmux, python3, python3-openpyxl and zsh (its completion
#                             script is tried) for the tests
set -euo pipefail
need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
pkg-config --exists libedit 2>/dev/null || need+=(libedit-dev)
pkg-config --exists xlsxwriter 2>/dev/null || need+=(libxlsxwriter-dev)
pkg-config --exists expat 2>/dev/null || need+=(libexpat1-dev)
pkg-config --exists zlib 2>/dev/null || need+=(zlib1g-dev)
if [ "${1:-}" = "--test" ]; then
  command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
  command -v tmux >/dev/null 2>&1 || need+=(tmux)
  command -v zsh >/dev/null 2>&1 || need+=(zsh)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  /usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1 || need+=(python3-openpyxl)
  locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$' || need+=(locales)
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "setup: installing ${need[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo -n"
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >/dev/null 2>&1; then
  $sudo apt-get update -qq </dev/null >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >/dev/null
fi
