#!/usr/bin/env bash
# The skill routes under wrk (2 threads, 16 connections, 127.0.0.1), release build, on the
# default learning marketplace (`matchwork generate learning --seed 42 --end 2026-12-01`: 4,000
# learners, 400 courses, 15,862 postings). For each of analyze, predict (the whole path) and
# learning-paths/generate it reports:
# - distinct learners: 4,000 learners in turn, each answer computed (the first after a start
#   also builds the skill market and the hire model);
# - cached: 100 learners asked again and again after one pass (answers kept per engine build).
#
# Usage: bash Benchmarks/Service/skills.sh [WORKDIR]   (needs wrk: apt-get install wrk)
# BIN=path/to/matchwork measures another build. DURATION (default 20s) sets each run's length.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/matchwork-skills-bench}
port=${PORT:-8183}
duration=${DURATION:-20s}
mkdir -p "$work"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then swift build -c release --product matchwork >/dev/null; fi
bin=${BIN:-$PWD/.build/release/matchwork}
script=$PWD/Benchmarks/Service/skills.lua
store=$work/learning.sqlite

if [ ! -f "$work/built" ]; then
  rm -rf "$store"* "$work/key"
  echo "== generating the default learning store (once)"
  "$bin" generate learning --onet ../shared/data/onet --seed 42 --end 2026-12-01 --store "$store" --quiet
  "$bin" keys create --store "$store" --role read --name wrk 2>/dev/null > "$work/key"
  touch "$work/built"
fi
export MATCHWORK_KEY=$(cat "$work/key")

serve() {
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "port $port is already in use: stop what listens there or set PORT" >&2; exit 1
  fi
  "$bin" serve --store "$store" --port "$port" --log-level warning "$@" &
  server=$!
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do
    kill -0 "$server" 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
    sleep 1
  done
}
stop() { kill -TERM "$server"; wait "$server" || true; }
trap 'kill -TERM "${server:-0}" 2>/dev/null || true' EXIT
route_path() { case $1 in analyze) echo /api/v1/skill-gaps/analyze;; predict) echo /api/v1/skill-gaps/predict;; path) echo /api/v1/learning-paths/generate;; esac; }
run() { wrk -t2 -c16 -d"$1" -s "$script" "http://127.0.0.1:$port" | tail -n 2 | tr '\n' ' '; echo; }

for route in analyze predict path; do
  serve
  # The first request builds the skill market (and the hire model for predict).
  start=$(date +%s.%N)
  curl -s -o /dev/null -H "X-API-Key: $MATCHWORK_KEY" -H 'Content-Type: application/json' \
    -d '{"person_id":"learner-1"}' "http://127.0.0.1:$port/api/v1/skill-gaps/analyze"
  printf '%-8s first request %.2f s\n' "$route" "$(echo "$(date +%s.%N) - $start" | bc)"
  printf '%-8s distinct  ' "$route"; ROUTE=$route PEOPLE=4000 run "$duration"
  for i in $(seq 1 100); do
    extra=""; [ "$route" != predict ] || extra=',"path":true'
    body="{\"person_id\":\"learner-$i\"$extra}"
    curl -s -o /dev/null -H "X-API-Key: $MATCHWORK_KEY" -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port$(route_path "$route")"
  done
  printf '%-8s cached    ' "$route"; ROUTE=$route PEOPLE=100 run 10s
  stop
done
