#!/usr/bin/env bash
# The first start as a newcomer lives it: clone this repository afresh, `make run`, and time until
# the first page answers (GET /accounts/login/ → 200). The README's "cold" and "warm" figures.
#
#   bench/first_start.sh cold   # empty uv and pip caches (a throwaway uv cache dir)
#   bench/first_start.sh warm   # the uv cache of the previous cold run (run cold first)
set -euo pipefail
label=${1:?cold or warm}
port=${PORT:-8851}
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${UV_CACHE_DIR_FOR_TIMING:-/tmp/alveole-first-start-uv-cache}
[ "$label" = cold ] && rm -rf "$cache"
work=$(mktemp -d)
git clone -q "$repo" "$work/alveole"
cd "$work/alveole"
start=$(date +%s.%N)
UV_CACHE_DIR=$cache PIP_NO_CACHE_DIR=$([ "$label" = cold ] && echo 1 || echo 0) PORT=$port make run >"$work/run.log" 2>&1 &
until curl -fs -o /dev/null "http://127.0.0.1:$port/accounts/login/"; do
  sleep 0.5
  if (($(echo "$(date +%s.%N) - $start > 600" | bc))); then echo "no page after 600 s; see $work/run.log"; exit 1; fi
done
echo "$label: first page after $(echo "$(date +%s.%N) - $start" | bc) s; environment $(du -sh .venv | cut -f1)"
pkill -f "$work/alveole/.venv/bin/python" || true
