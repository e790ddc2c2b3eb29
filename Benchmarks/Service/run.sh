#!/usr/bin/env bash
# The HTTP service under wrk (2 threads, 64 connections, 30 s, 127.0.0.1), release build, on the
# large cleaning marketplace: 100,000 opportunities, 14,000 people, 2.6 million events, with
# ALS at 64 factors and the neural model at its default 64-wide embeddings.
#
# Usage: bash Benchmarks/Service/run.sh [WORKDIR]   (needs wrk: apt-get install wrk)
#        BIN=OTHER/matchwork bash Benchmarks/Service/run.sh [WORKDIR]   (another build, with its
#        resources beside it: the same parts, on the same store, to compare two builds)
#
# It reports, each on its own line:
# - cache hits: 200 cleaners asked again and again after one warm-up pass (every answer from
#   the cache, recorded as a served list all the same);
# - default settings (one-hour cache, warming on), 4,000 cleaners: the first 30 s of a service
#   that never served anyone (every cleaner's first list is scored while clients wait), the
#   next 30 s, and the first 30 s after a restart (the cache warmed from the served history
#   before the service listens);
# - default settings, 4,000 cleaners, while events for random cleaners arrive (about 5 per
#   second): engine rebuilds, stale answers and the lists of written cleaners scored again;
# - cache misses: the cache off (--cache-ttl 0), 4,000 cleaners in turn, for the ensemble (the
#   default mode) and each component mode.
# The store and models are built once in WORKDIR and reused (delete WORKDIR to rebuild). Each
# part starts from a copy of the store as built: every answer records a served list, and a store
# holding millions of them records more slowly (see the README).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/matchwork-service-bench}
port=${PORT:-8181}
duration=${DURATION:-30s}
mkdir -p "$work"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then swift build -c release --product matchwork >/dev/null; fi
bin=${BIN:-$PWD/.build/release/matchwork}
script=$PWD/Benchmarks/Service/generate.lua
built=$work/built.sqlite
models=$built.models
store=$work/run.sqlite

if [ ! -f "$work/built" ]; then
  rm -rf "$built"* "$work/key"
  echo "== building the store and models (once)"
  "$bin" generate cleaning --size large --store "$built" --quiet
  "$bin" train --store "$built" --model als --param factors=64 --quiet
  "$bin" train --store "$built" --model neural --quiet
  "$bin" keys create --store "$built" --role read --name wrk 2>/dev/null > "$work/key"
  touch "$work/built"
fi
export MATCHWORK_KEY=$(cat "$work/key")

# A fresh copy of the store as built.
fresh() { rm -f "$store" "$store-wal" "$store-shm"; cp "$built" "$store"; }
serve() {
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "port $port is already in use: stop what listens there or set PORT" >&2; exit 1
  fi
  "$bin" serve --store "$store" --models "$models" --port "$port" --log-level warning "$@" &
  server=$!
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
    sleep 1
  done
}
stop() { kill -TERM "$server"; wait "$server" || true; }
trap 'kill -TERM "${server:-0}" 2>/dev/null || true' EXIT
run() { wrk -t2 -c64 -d"$duration" -s "$script" "http://127.0.0.1:$port" | tail -n 2 | tr '\n' ' '; echo; }

echo "== cache hits (200 cleaners, warmed)"
fresh
serve
PEOPLE=200 wrk -t2 -c64 -d10s -s "$script" "http://127.0.0.1:$port" >/dev/null
printf 'ensemble hits   '; PEOPLE=200 run
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^matchwork_cache_(hits|misses|hit_ratio) '
stop

echo "== default settings, 4,000 cleaners"
fresh
serve
printf '%-15s ' "first start"; PEOPLE=4000 run
printf '%-15s ' "then"; PEOPLE=4000 run
stop
serve
printf '%-15s ' "after restart"; PEOPLE=4000 run
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^matchwork_cache_(warmed|misses) '
stop

echo "== default settings, 4,000 cleaners, while events arrive (about 5 per second, for random cleaners)"
fresh
"$bin" keys create --store "$store" --role write --name events 2>/dev/null > "$work/events-key"
serve
PEOPLE=4000 wrk -t2 -c64 -d"$duration" -s "$script" "http://127.0.0.1:$port" >/dev/null
jobs=($(curl -s -H "X-API-Key: $(cat "$work/events-key")" "http://127.0.0.1:$port/api/v1/opportunities?status=open&limit=200" | grep -o '"id":"job-[^"]*"' | cut -d'"' -f4))
(
  n=0
  while true; do
    curl -s -o /dev/null -H "X-API-Key: $(cat "$work/events-key")" -H 'Content-Type: application/json' \
      -d "{\"person_id\":\"cleaner-$((RANDOM % 4000 + 1))\",\"opportunity_id\":\"${jobs[$((RANDOM % ${#jobs[@]}))]}\",\"type\":\"view\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"event_id\":\"bench-$n\"}" \
      "http://127.0.0.1:$port/api/v1/events"
    n=$((n + 1))
    sleep 0.1
  done
) &
writer=$!
printf '%-15s ' "with events"; PEOPLE=4000 run
kill "$writer"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^matchwork_(events_ingested|stale_answers|cache_misses) '
stop

echo "== cache misses (cache off, 4,000 cleaners in turn)"
fresh
serve --cache-ttl 0
for mode in ensemble rule_based similarity collaborative neural popularity; do
  printf '%-15s ' "$mode"; PEOPLE=4000 MODE=$mode run
done
stop
