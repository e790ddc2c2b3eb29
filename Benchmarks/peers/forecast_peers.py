"""Forecasting peers on a forecast file (series_id,date,value), the same holdout as
`matchwork forecast --holdout`: statsforecast AutoETS and AutoTheta, statsmodels Holt-Winters
(additive trend, multiplicative season, fitted by least squares), on one thread; with
--peers autoets-fresh-bounds also AutoETS's search with a fresh copy of the bounds per model.

    Benchmarks/peers/.venv-forecast/bin/python Benchmarks/peers/forecast_peers.py FILE \
        --horizon 12 --season 12 --out peers.json

Prints a table of mean sMAPE / MASE / coverage per peer and writes per-series results (models
chosen, forecasts, intervals, seconds) to --out. Python is used only here, never in the product.
"""
import argparse
import csv
import json
import os
import sys
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np


def read_panel(path):
    series = {}
    with open(path) as f:
        reader = csv.DictReader(f)
        for row in reader:
            key = row.get("series_id", "series")
            series.setdefault(key, []).append((row["date"], float(row["value"])))
    return {k: np.array([v for _, v in sorted(rows)]) for k, rows in series.items()}


def smape(y, f):
    d = (np.abs(y) + np.abs(f)) / 2
    terms = np.where(d > 0, np.abs(y - f) / np.where(d > 0, d, 1), 0)
    return 100 * terms.mean()


def mase(y, f, insample, m):
    if len(insample) <= m:
        m = 1
    scale = np.mean(np.abs(insample[m:] - insample[:-m]))
    return None if scale == 0 else float(np.mean(np.abs(y - f)) / scale)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--season", type=int, default=12)
    parser.add_argument("--out")
    parser.add_argument("--peers", default="autoets,autotheta,holtwinters")
    args = parser.parse_args()
    h, m = args.horizon, args.season
    from statsforecast.models import AutoETS, AutoTheta
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    panel = read_panel(args.file)
    # Warm numba/C++ paths once outside the timing (their first call compiles).
    warm = np.abs(np.sin(np.arange(60))) + 10
    AutoETS(season_length=m).forecast(warm, h=h, level=[80])
    AutoTheta(season_length=m).forecast(warm, h=h, level=[80])

    def autoets(y):
        model = AutoETS(season_length=m)
        out = model.forecast(y, h=h, level=[80, 95])
        name = model.model_["method"] if hasattr(model, "model_") else None
        return out, name

    def autoets_named(y):
        from statsforecast.ets import ets_f, forecast_ets
        fit = ets_f(y, m=m)
        out = forecast_ets(fit, h=h, level=[80, 95])
        return out, fit["method"]

    def autoets_fresh_bounds(y):
        # AutoETS's search with each model fitted on its own copy of the bounds. ets_f passes one
        # `upper` array to every candidate and initparam lowers upper[beta] to each start alpha
        # in place, so after the first seasonal model every later one has beta <= 0.0168 (m = 12).
        from statsforecast.ets import ets_f, forecast_ets
        best = None
        for e in "AM":
            for t in "NA":
                for s in "NAM":
                    for d in ([True, False] if t != "N" else [False]):
                        if e == "A" and s == "M":
                            continue
                        try:
                            fit = ets_f(y, m=m, model=e + t + s, damped=d)
                        except Exception:
                            continue
                        if not np.isnan(fit["aicc"]) and (best is None or fit["aicc"] < best["aicc"]):
                            best = fit
                            best["method"] = f"ETS({e},{t}{'d' if d else ''},{s})"
        return forecast_ets(best, h=h, level=[80, 95]), best["method"]

    def autotheta(y):
        out = AutoTheta(season_length=m).forecast(y, h=h, level=[80, 95])
        return out, "AutoTheta"

    def holtwinters(y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seasonal = "mul" if (y > 0).all() else "add"
            fit = ExponentialSmoothing(y, trend="add", seasonal=seasonal, seasonal_periods=m).fit()
        return {"mean": fit.forecast(h)}, f"Holt-Winters ({seasonal})"

    runners = {"autoets": autoets_named, "autoets-fresh-bounds": autoets_fresh_bounds, "autotheta": autotheta, "holtwinters": holtwinters}
    results = {}
    for peer in args.peers.split(","):
        run = runners[peer]
        rows = []
        started = time.perf_counter()
        for key, values in panel.items():
            train, test = values[:-h], values[-h:]
            t0 = time.perf_counter()
            try:
                out, name = run(train)
            except Exception as error:  # a peer that cannot fit a series is reported, not hidden
                rows.append({"series_id": key, "error": str(error)})
                continue
            seconds = time.perf_counter() - t0
            mean = np.asarray(out["mean"], dtype=float)
            row = {"series_id": key, "model": name, "forecast": mean.tolist(), "seconds": seconds,
                   "smape": smape(test, mean), "mase": mase(test, mean, train, m)}
            for level in (80, 95):
                if f"lo-{level}" in out:
                    lo, hi = np.asarray(out[f"lo-{level}"]), np.asarray(out[f"hi-{level}"])
                    row[f"inside_{level}"] = int(((lo <= test) & (test <= hi)).sum())
            rows.append(row)
        total = time.perf_counter() - started
        ok = [r for r in rows if "error" not in r]
        mases = [r["mase"] for r in ok if r["mase"] is not None]
        summary = {
            "series": len(rows), "fitted": len(ok), "seconds": total,
            "smape": float(np.mean([r["smape"] for r in ok])), "mase": float(np.mean(mases)),
            "median_mase": float(np.median(mases)),
        }
        for level in (80, 95):
            inside = [r[f"inside_{level}"] for r in ok if f"inside_{level}" in r]
            if inside:
                summary[f"coverage_{level}"] = sum(inside) / (len(inside) * h)
        results[peer] = {"summary": summary, "series": rows}
        cov = " ".join(f"cov{l} {summary[f'coverage_{l}']:.3f}" for l in (80, 95) if f"coverage_{l}" in summary)
        print(f"{peer:12s} sMAPE {summary['smape']:.3f}  MASE {summary['mase']:.3f} (median {summary['median_mase']:.3f})  "
              f"{summary['seconds']:.2f} s for {summary['fitted']}/{summary['series']} series  {cov}", file=sys.stderr)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f)


if __name__ == "__main__":
    main()
