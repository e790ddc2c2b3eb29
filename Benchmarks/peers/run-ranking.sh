#!/usr/bin/env bash
# The top-N comparison of docs/collaborative-models.md, end to end: writes every file (the shipped
# OULAD and Stack Exchange data, a planted-cluster file, the three default marketplaces), splits
# each by the temporal rule, and runs compare.py on each split, each system tuned on its
# validation files. Prints one table per file.
#
# Usage: bash Benchmarks/peers/run-ranking.sh [OUTDIR] [compare.py options, e.g. --only rp3beta]
#   (needs `bash Benchmarks/peers/setup.sh` and a release build: swift build -c release --product matchwork)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-out/peers}
shift || true
bin=${MATCHWORK:-$PWD/.build/release/matchwork}
py=Benchmarks/peers/.venv/bin/python
mkdir -p "$out"
[ -f "$out/oulad.csv" ] || "$bin" convert oulad --out "$out/oulad.csv"
[ -f "$out/se.csv" ] || "$bin" convert stackexchange --out "$out/se.csv"
[ -f "$out/planted.csv" ] || "$py" Benchmarks/peers/planted.py "$out/planted.csv"
for scenario in learning missions cleaning; do
  if [ ! -f "$out/$scenario.csv" ]; then
    rm -f "$out/$scenario.sqlite"*
    extra=(); [ "$scenario" = learning ] && extra=(--onet ../shared/data/onet)
    "$bin" generate "$scenario" --store "$out/$scenario.sqlite" --quiet "${extra[@]}"
    # Learners × courses; clinicians × hospitals and cleaners × households (each mission and
    # job is taken once, so the client is the item that repeats).
    item=client; [ "$scenario" = learning ] && item=opportunity
    "$bin" convert store --store "$out/$scenario.sqlite" --signal positive --item "$item" --out "$out/$scenario.csv"
  fi
done
for name in oulad se planted learning missions cleaning; do
  [ -f "$out/$name/train.csv" ] || "$bin" split --input "$out/$name.csv" --method temporal --out "$out/$name" >/dev/null
  "$py" Benchmarks/peers/compare.py "$out/$name" --matchwork "$bin" --name "$name" "$@"
done
