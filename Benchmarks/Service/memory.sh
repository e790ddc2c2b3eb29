#!/usr/bin/env bash
# The service's resident memory under mixed load, release build, on the default cleaning
# marketplace (`matchwork generate cleaning`, the models `make demo` trains): wrk sends distinct
# requests (Benchmarks/Service/mixed.lua: recommendations for cleaners and open jobs with
# varied counts, modes and explanations, pages of served lists read back from anywhere, similar
# people; 2 threads, 32 connections) while events arrive for random cleaners (about 20 per
# second), for DURATION (default 5m). Every minute it prints the process's RSS (VmRSS), its
# peak so far (VmHWM), the cache's lists and estimated bytes, and the lists served.
#
# Usage: bash Benchmarks/Service/memory.sh [WORKDIR]   (needs wrk: apt-get install wrk)
# BIN=path/to/matchwork measures another build; extra settings go in the environment
# (MATCHWORK_CACHE_MEMORY=64MiB ...), as for `matchwork serve`.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/matchwork-memory-bench}
port=${PORT:-8182}
duration=${DURATION:-5m}
mkdir -p "$work"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  swift build -c release --product matchwork >/dev/null
  BIN=$PWD/.build/release/matchwork
fi
script=$PWD/Benchmarks/Service/mixed.lua
built=$work/built.sqlite
store=$work/run.sqlite

if [ ! -f "$work/built" ]; then
  rm -rf "$built"* "$work"/*key
  echo "== building the default cleaning store and its models (once)"
  "$BIN" generate cleaning --store "$built" --quiet
  "$BIN" train --store "$built" --model all --quiet
  "$BIN" keys create --store "$built" --role read --name wrk 2>/dev/null > "$work/key"
  "$BIN" keys create --store "$built" --role write --name events 2>/dev/null > "$work/events-key"
  touch "$work/built"
fi
export MATCHWORK_KEY=$(cat "$work/key")
rm -rf "$store" "$store-wal" "$store-shm" "$store.models"
cp "$built" "$store"
cp -r "$built.models" "$store.models"
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
  echo "port $port is already in use: stop what listens there or set PORT" >&2; exit 1
fi
"$BIN" serve --store "$store" --port "$port" --log-level warning &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; kill "${writer:-0}" "${load:-0}" 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do
  kill -0 "$server" 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
  sleep 1
done
people=$(curl -s -H "X-API-Key: $MATCHWORK_KEY" "http://127.0.0.1:$port/api/v1/people?role=worker&limit=1000" | grep -o '"id":"cleaner-[0-9]*"' | wc -l)
jobs=($(curl -s -H "X-API-Key: $MATCHWORK_KEY" "http://127.0.0.1:$port/api/v1/opportunities?status=open&limit=200" | grep -o '"id":"job-[^"]*"' | cut -d'"' -f4))
echo "== $people cleaners (the first page of workers), ${#jobs[@]} open jobs, $duration"

sample() {
  local rss hwm
  rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status")
  hwm=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server/status")
  local metrics
  metrics=$(curl -s "http://127.0.0.1:$port/metrics")
  local lists bytes served
  lists=$(echo "$metrics" | awk '/^matchwork_cache_lists / {printf "%d", $2}')
  bytes=$(echo "$metrics" | awk '/^matchwork_cache_bytes / {printf "%d", $2 / 1048576}')
  served=$(echo "$metrics" | awk '/^matchwork_lists_served / {printf "%d", $2}')
  printf '%-8s RSS %5s MB  peak %5s MB  cache %6s lists %4s MB  served %8s\n' "$1" "$rss" "$hwm" "${lists:-?}" "${bytes:-?}" "${served:-?}"
}
sample "start"
PEOPLE=$people JOBS=$(IFS=,; echo "${jobs[*]}") SERVED_CURSOR=2000000 wrk -t2 -c32 -d"$duration" -s "$script" "http://127.0.0.1:$port" > "$work/wrk.txt" &
load=$!
(
  n=0
  while true; do
    curl -s -o /dev/null -H "X-API-Key: $(cat "$work/events-key")" -H 'Content-Type: application/json' \
      -d "{\"person_id\":\"cleaner-$((RANDOM % people + 1))\",\"opportunity_id\":\"${jobs[$((RANDOM % ${#jobs[@]}))]}\",\"type\":\"view\",\"event_id\":\"memory-$n\"}" \
      "http://127.0.0.1:$port/api/v1/events"
    n=$((n + 1))
    sleep 0.05
  done
) &
writer=$!
minute=0
while kill -0 "$load" 2>/dev/null; do
  sleep 60 &
  wait $! || true
  kill -0 "$load" 2>/dev/null || break
  minute=$((minute + 1))
  sample "${minute} min"
done
wait "$load" || true
kill "$writer" 2>/dev/null || true
sample "end"
tail -n 2 "$work/wrk.txt"
ls -l "$store" | awk '{printf "store file %d MB\n", $5 / 1048576}'
