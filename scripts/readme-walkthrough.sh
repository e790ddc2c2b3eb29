#!/usr/bin/env bash
# Runs the README's HTTP walkthrough verbatim against a fresh demo store (what `make demo`
# builds: the default cleaning marketplace and its trained models), then checks the service
# answered every request without a 4xx or 5xx and that the retrain it asks for succeeded.
# Part of `make test` (MATCHWORK_WALKTHROUGH=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product matchwork >/dev/null
bin=$PWD/.build/release
work=$(mktemp -d)
cleanup() {
  # The service was started by the walkthrough's own shell, so it is not this shell's child to
  # wait for: stop it and poll until it is gone.
  if [ -n "${server:-}" ]; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The walkthrough block: from its first line to the end of the code block.
block=$(awk '/^# after `make demo` \(and `make install`\)/{on=1} on&&/^```$/{exit} on' README.md)
[ -n "$block" ] || { echo "the README's walkthrough block was not found" >&2; exit 1; }

cd "$work"
export PATH="$bin:$PATH"
matchwork generate cleaning --quiet
matchwork train --model all --quiet
# Any free port instead of 8080; the service's log (every request at info) is kept.
block=${block//matchwork serve --port 8080 &/matchwork serve --port 0 > serve.log 2>\&1 \& server=\$!; for _ in \$(seq 120); do PORT=\$(grep -o 'address=http://127.0.0.1:[0-9]*' serve.log | head -1 | cut -d: -f3 || true); [ -n \"\$PORT\" ] \&\& break; sleep 0.5; done}
block=${block//localhost:8080/localhost:\$PORT}
bash -euo pipefail -c "$block
echo \"\$server\" > server.pid
# The retrain runs in the background: wait for it.
for _ in \$(seq 240); do
  status=\$(curl -s -H \"X-API-Key: \$ADMIN\" localhost:\$PORT/api/v1/models/status)
  case \"\$status\" in *'\"state\":\"running\"'*) sleep 0.5 ;; *) break ;; esac
done
echo \"\$status\" > status.json" > walkthrough.out 2>&1 || { cat walkthrough.out >&2; cat serve.log >&2 || true; exit 1; }
server=$(cat server.pid)
failed=$(grep -o 'status=[45][0-9][0-9]' serve.log || true)
if [ -n "$failed" ]; then
  echo "the walkthrough's requests were refused:" >&2
  grep 'status=[45]' serve.log >&2
  exit 1
fi
grep -q '"state":"succeeded"' status.json || { echo "the walkthrough's retrain did not succeed: $(cat status.json)" >&2; exit 1; }
answered=$(grep -c 'Answered' serve.log)
echo "README walkthrough: $answered requests answered without error; the retrain succeeded."
