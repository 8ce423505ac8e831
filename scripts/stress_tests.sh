#!/usr/bin/env bash
# Run the whole test suite ROUNDS times (default 5) under load, each round once with a cold numba
# cache (a new, empty NUMBA_CACHE_DIR) and once with a warm one (a cache kept across rounds).
# While the suite runs, a busy loop keeps every core but one busy. Prints one line per suite run
# and exits 1 if any run failed. Run it from a fresh clone, after `make .venv/bin/qcy`:
#
#   git clone REPO /tmp/fresh && cd /tmp/fresh && make .venv/bin/qcy && scripts/stress_tests.sh 5
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
PY=${PYTHON:-.venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qcy-stress.XXXXXX")
BUSY=()
cleanup() {
    for pid in "${BUSY[@]}"; do kill "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
CORES=$(nproc)
for _ in $(seq 1 $((CORES > 1 ? CORES - 1 : 1))); do
    "$PY" -c "while True: pass" &
    BUSY+=($!)
done
echo "busy loops: ${#BUSY[@]} of $CORES cores; $ROUNDS rounds; $("$PY" --version)"
mkdir -p "$WORK/warm"
failed=0
for round in $(seq 1 "$ROUNDS"); do
    for cache in cold warm; do
        if [ "$cache" = cold ]; then dir=$(mktemp -d "$WORK/cold.XXXXXX"); else dir="$WORK/warm"; fi
        start=$(date +%s)
        NUMBA_CACHE_DIR="$dir" "$PY" -m pytest -q -p no:cacheprovider >"$WORK/log" 2>&1
        code=$?
        line=$(grep -E "[0-9]+ (passed|failed)" "$WORK/log" | tail -1)
        echo "round $round $cache: exit $code, $line ($(($(date +%s) - start)) s)"
        if [ $code -ne 0 ]; then
            failed=$((failed + 1))
            cp "$WORK/log" "stress-round$round-$cache.log"
            grep -E "^(FAILED|ERROR)" "$WORK/log"
        fi
        [ "$cache" = cold ] && rm -rf "$dir"
    done
done
echo "$((ROUNDS * 2 - failed)) of $((ROUNDS * 2)) suite runs passed"
[ $failed -eq 0 ]
