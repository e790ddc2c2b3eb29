#!/usr/bin/env bash
# Property-based API testing with schemathesis (from PyPI) against the OpenAPI document the
# service serves: every operation is called with generated valid and invalid input, and the run
# fails on any 5xx, any answer that breaks the document's schemas, status codes or content
# types, and any invalid input that is accepted. Then the service must stop cleanly on SIGTERM
# and the store must still read.
#
# Usage: bash scripts/schemathesis.sh [MAX_EXAMPLES [SCHEMATHESIS OPTIONS...]]
#   MAX_EXAMPLES defaults to 25 per operation; further options go to `schemathesis run`, for
#   example `--phases fuzzing` or `--include-path /api/v1/events`.
# Runs in CI from `make test` (MATCHWORK_SCHEMATHESIS=0 skips it). Needs python3 with venv.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-25}
shift $(($# > 0 ? 1 : 0))
venv=.build/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi
# The release build: the debug build is too slow for the largest bodies the schemas allow
# (10,000 records in one request) to answer within the 10-second timeout.
swift build -c release --product matchwork >/dev/null
bin=$PWD/.build/release/matchwork
work=$(mktemp -d)
store=$work/store.sqlite
cleanup() {
  [ -n "${server:-}" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" generate cleaning --size small --store "$store" --quiet
key=$("$bin" keys create --store "$store" --role admin --name schemathesis 2>/dev/null)
# Starts the service over $1, logging to $2; sets server and port. Port 0: the system picks a
# free port, which the "Serving" line names once it is bound.
start_server() {
  "$bin" serve --store "$1" --port 0 --log-level info > "$2" 2>&1 &
  server=$!
  port=
  for _ in $(seq 120); do
    port=$(grep -o 'address=http://127.0.0.1:[0-9]*' "$2" | head -1 | cut -d: -f3 || true)
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$2" >&2; exit 1; }
    port=
    sleep 1
  done
  [ -n "$port" ] || { echo "the service was not ready within 120 s:" >&2; cat "$2" >&2; exit 1; }
}
start_server "$store" "$work/serve.log"

base="http://127.0.0.1:$port/api/v1"
api() { curl -sf -H "X-API-Key: $key" -H "Content-Type: application/json" "$@"; }
ids() { grep -o '{"id":"[^"]*"' | cut -d'"' -f4; }
quoted() { local list="" id; for id in "$@"; do list+="${list:+, }\"$id\""; done; echo "[$list]"; }
workers=$(api "$base/people?role=worker&limit=1000" | ids)
opportunities=$(api "$base/opportunities?limit=1000" | ids)
lists=() items=()
# Served lists with items: from the first open opportunities some cleaner passes the filters for.
for open in $(api "$base/opportunities?status=open&limit=50" | ids); do
  for count in 3 5 10; do
    answer=$(api -d "{\"opportunity_id\": \"$open\", \"count\": $count}" "$base/recommendations/generate")
    lists+=($(grep -o '"recommendation_id":"[^"]*"' <<<"$answer" | cut -d'"' -f4 || true))
    items+=($(grep -o '"id":"[^"]*","rank"' <<<"$answer" | cut -d'"' -f4 || true))
  done
  [ ${#items[@]} -gt 0 ] && break
done
[ -n "$workers" ] && [ -n "$opportunities" ] && [ ${#lists[@]} -gt 0 ] && [ ${#items[@]} -gt 0 ] || {
  echo "could not read the small store's workers, opportunities and served lists through the API" >&2; exit 1; }
settings=$work/schemathesis.toml
{
  cat scripts/schemathesis.toml
  cat <<TOML

[dictionaries.workers]
values = $(quoted $workers)

[dictionaries.opportunities]
values = $(quoted $opportunities)

[dictionaries.lists]
values = $(quoted "${lists[@]}")

[dictionaries.listed]
values = $(quoted $(printf '%s\n' "${items[@]}" | sort -u))

# Each entry names one operation by method and path: an entry with both include-path and
# include-method also applied to every other POST operation.

[[operations]]
include-name = "GET /api/v1/people/{id}/similar"
parameters = { "path.id" = { dictionary = "workers", probability = 0.9 } }

[[operations]]
include-name = "POST /api/v1/events"
parameters = { "body.person_id" = { dictionary = "workers", probability = 0.9 }, "body.opportunity_id" = { dictionary = "opportunities", probability = 0.9 }, "body.events[*].person_id" = { dictionary = "workers", probability = 0.9 }, "body.events[*].opportunity_id" = { dictionary = "opportunities", probability = 0.9 } }

[[operations]]
include-name = "POST /api/v1/feedback"
parameters = { "body.person_id" = { dictionary = "workers", probability = 0.9 }, "body.opportunity_id" = { dictionary = "opportunities", probability = 0.9 }, "body.recommendation_id" = { dictionary = "lists", probability = 0.9 } }

[[operations]]
include-name = "GET /api/v1/recommendations/{id}"
parameters = { "path.id" = { dictionary = "lists", probability = 0.9 } }

[[operations]]
include-name = "POST /api/v1/recommendations/{id}/outcome"
parameters = { "path.id" = { dictionary = "lists", probability = 0.9 }, "body.item_id" = { dictionary = "listed", probability = 0.9 } }
TOML
} > "$settings"

status=0
# One worker: with two, hypothesis sometimes parses lambdas on both threads at once and CPython
# 3.11's AST constructor fails with "SystemError: AST constructor recursion depth mismatch"
# (python/cpython#106905), a runtime error in the tool that fails the run whatever the service did.
"$venv/bin/schemathesis" --config-file "$settings" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "X-API-Key: $key" \
  --checks all \
  --max-examples "$examples" \
  --seed 20261122 \
  --generation-database none \
  --workers 1 \
  --no-color \
  --report junit --report-dir "$work/report" \
  "$@" || status=$?

kill -TERM "$server"
wait "$server" || { echo "the service did not stop cleanly" >&2; status=1; }
server=
if grep -q ' error ' "$work/serve.log"; then
  echo "the service logged errors:" >&2
  grep ' error ' "$work/serve.log" | head -20 >&2
  status=1
fi
"$bin" stats --store "$store" >/dev/null || { echo "the store cannot be read after the run" >&2; status=1; }

# The skill routes answer learners: a second pass over the tiny learning marketplace, its
# learners, courses and postings in dictionaries, so the answers' schemas are checked too.
learning=$work/learning.sqlite
"$bin" generate learning --size tiny --seed 5 --store "$learning" --onet ../shared/data/onet --quiet
key=$("$bin" keys create --store "$learning" --role read --name schemathesis 2>/dev/null)
start_server "$learning" "$work/serve-learning.log"
base="http://127.0.0.1:$port/api/v1"
learners=$(api "$base/people?role=learner&limit=1000" | ids)
courses=$(api "$base/opportunities?kind=course&limit=1000" | ids)
postings=$(api "$base/opportunities?kind=posting&status=open&limit=1000" | ids)
[ -n "$learners" ] && [ -n "$courses" ] && [ -n "$postings" ] || { echo "could not read the learning store's learners, courses and postings through the API" >&2; exit 1; }
skill_settings=$work/schemathesis-skills.toml
{
  cat scripts/schemathesis.toml
  cat <<TOML

[dictionaries.learners]
values = $(quoted $learners)

[dictionaries.courses]
values = $(quoted $courses)

[dictionaries.postings]
values = $(quoted $postings)

[[operations]]
include-name = "POST /api/v1/skill-gaps/analyze"
parameters = { "body.person_id" = { dictionary = "learners", probability = 0.9 }, "body.target_postings[*]" = { dictionary = "postings", probability = 0.9 } }

[[operations]]
include-name = "POST /api/v1/skill-gaps/predict"
parameters = { "body.person_id" = { dictionary = "learners", probability = 0.9 }, "body.courses[*]" = { dictionary = "courses", probability = 0.9 } }

[[operations]]
include-name = "POST /api/v1/learning-paths/generate"
parameters = { "body.person_id" = { dictionary = "learners", probability = 0.9 } }
TOML
} > "$skill_settings"
"$venv/bin/schemathesis" --config-file "$skill_settings" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "X-API-Key: $key" \
  --checks all \
  --max-examples "$examples" \
  --seed 20261202 \
  --generation-database none \
  --workers 1 \
  --no-color \
  --include-path-regex '/(skill-gaps|learning-paths)/' \
  --report junit --report-dir "$work/report-skills" \
  "$@" || status=$?
kill -TERM "$server"
wait "$server" || { echo "the service over the learning store did not stop cleanly" >&2; status=1; }
server=
if grep -q ' error ' "$work/serve-learning.log"; then
  echo "the service over the learning store logged errors:" >&2
  grep ' error ' "$work/serve-learning.log" | head -20 >&2
  status=1
fi
exit $status
