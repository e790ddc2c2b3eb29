#!/usr/bin/env bash
# Release-build measurements for the foundation: generation time per scenario and size, and the
# import rate of 1,000,000 events into a store that already holds their people and opportunities.
# Usage: bash Benchmarks/import-and-generate.sh [WORKDIR]   (needs ../shared/data/onet)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
swift build -c release --product matchwork >/dev/null
bin=$PWD/.build/release/matchwork
onet=$PWD/../shared/data/onet

echo "== generation (seconds, events)"
for size in default large; do
  for scenario in cleaning missions learning; do
    rm -f "$work/$scenario-$size.sqlite"*
    start=$(date +%s.%N)
    out=$("$bin" generate "$scenario" --size "$size" --store "$work/$scenario-$size.sqlite" --onet "$onet")
    end=$(date +%s.%N)
    events=$(echo "$out" | sed -n 's/.*opportunities, \([0-9,]*\) events/\1/p')
    printf '%-9s %-8s %6.1f s  %s events  %s MiB on disk\n' "$scenario" "$size" "$(echo "$end - $start" | bc)" "$events" \
      "$(du -m "$work/$scenario-$size.sqlite" | cut -f1)"
  done
done

echo "== import of 1,000,000 events (CSV)"
rm -rf "$work/export"
"$bin" export --store "$work/cleaning-large.sqlite" --out "$work/export" --quiet
head -n 1000001 "$work/export/interactions.csv" > "$work/events-1m.csv"
rm -f "$work/catalogue.sqlite"*
"$bin" import --store "$work/catalogue.sqlite" --people "$work/export/people.csv" --opportunities "$work/export/opportunities.csv" --quiet
for run in 1 2 3; do
  rm -f "$work/import.sqlite"*
  cp "$work/catalogue.sqlite" "$work/import.sqlite"
  "$bin" import --store "$work/import.sqlite" --interactions "$work/events-1m.csv" | tail -n 1
done
echo "store after import: $(du -m "$work/import.sqlite" | cut -f1) MiB for 1,000,000 events + catalogue"
