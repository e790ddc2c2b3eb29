#!/usr/bin/env bash
# Forecast accuracy and speed on the 148 BLS CES series (last 12 months held out, m = 12), one
# thread, Matchwork's methods and the peers (statsforecast AutoETS and AutoTheta, statsmodels
# Holt-Winters) in the same run. Needs a release build (swift build -c release) and PyPI for the
# peers' environment (Benchmarks/peers/setup-forecast.sh). Run nothing else meanwhile.
#
#     bash Benchmarks/Forecasting/run.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-out/forecasting}
mkdir -p "$out"
bin=${BIN:-.build/release/matchwork}
bash Benchmarks/peers/setup-forecast.sh
"$bin" convert labour --out "$out/ces.csv"
for method in auto ets holt-winters theta snaive; do
  start=$(date +%s.%N)
  "$bin" forecast --input "$out/ces.csv" --horizon 12 --season 12 --method "$method" --holdout --threads 1 --json > "$out/matchwork-$method.json"
  end=$(date +%s.%N)
  python3 - "$out/matchwork-$method.json" "$method" "$start" "$end" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
cov = " ".join(f"cov{k} {100 * v:.1f}%" for k, v in sorted(m["coverage"].items()))
print(f"matchwork {sys.argv[2]:13s} sMAPE {m['smape']:.3f}  MASE {m['mase']:.3f} (median {m['median_mase']:.3f})  {float(sys.argv[4]) - float(sys.argv[3]):.2f} s  {cov}")
PY
done
Benchmarks/peers/.venv-forecast/bin/python Benchmarks/peers/forecast_peers.py "$out/ces.csv" --horizon 12 --season 12 --out "$out/peers.json" 2>&1 | grep -v -i warning
Benchmarks/peers/.venv-forecast/bin/python Benchmarks/peers/forecast_peers.py "$out/ces.csv" --horizon 12 --season 12 --peers autoets-fresh-bounds --out "$out/peers-fresh.json" 2>&1 | grep -v -i warning
# Model agreement: the ETS model Matchwork selects against statsforecast's AutoETS.
python3 - "$out/matchwork-ets.json" "$out/peers.json" "$out/peers-fresh.json" <<'PY'
import json, sys
ours = {s["series_id"]: s["model"].removeprefix("ETS(").rstrip(")") for s in json.load(open(sys.argv[1]))["series"]}
for path, peer in ((sys.argv[2], "autoets"), (sys.argv[3], "autoets-fresh-bounds")):
    theirs = {r["series_id"]: r["model"].removeprefix("ETS(").rstrip(")") for r in json.load(open(path))[peer]["series"] if "model" in r}
    same = sum(ours[k] == v for k, v in theirs.items())
    print(f"ETS model agreement with statsforecast {peer}: {same}/{len(theirs)} series ({100 * same / len(theirs):.1f}%)")
PY
