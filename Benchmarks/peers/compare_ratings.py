#!/usr/bin/env python3
"""Rating prediction by Matchwork's models beside Surprise's SVD, SVD++ and KNNBaseline, on the
files of one `matchwork split --method random` (train, test, val_train, val_test).

Every system reads the same rows and is scored by ../shared/PROTOCOL.md: RMSE, MAE and R^2 over
every test row, predictions clipped to the rating range seen in train. Unknown users and items
are answered the way each library does (Surprise: biases for SVD, the global mean when
KNNBaseline cannot predict). Hyper-parameters are chosen on the validation pair only, by RMSE;
stochastic models are then fitted on train with five seeds and their metrics averaged.

Usage: Benchmarks/peers/.venv/bin/python Benchmarks/peers/compare_ratings.py SPLIT_DIR
       [--matchwork BIN] [--name NAME]
"""
import argparse
import csv
import itertools
import json
import os
import subprocess
import sys
import time

import numpy as np


def read(path):
    with open(path, newline="") as f:
        return [(r["user"], r["item"], float(r["rating"])) for r in csv.DictReader(f)]


def metrics(actual, predicted, low, high):
    a = np.asarray(actual, dtype=np.float64)
    p = np.clip(np.asarray(predicted, dtype=np.float64), low, high)
    res = a - p
    total = ((a - a.mean()) ** 2).sum()
    return {"rmse": float(np.sqrt((res ** 2).mean())), "mae": float(np.abs(res).mean()),
            "r2": float(1 - (res ** 2).sum() / total) if total > 0 else 0.0}


def surprise_fit(algorithm, train_path, train_rows, params, seed):
    import surprise
    low = min(r for _, _, r in train_rows)
    high = max(r for _, _, r in train_rows)
    reader = surprise.Reader(line_format="user item rating timestamp", sep=",", skip_lines=1, rating_scale=(low, high))
    trainset = surprise.Dataset.load_from_file(train_path, reader).build_full_trainset()
    if algorithm == "KNNBaseline":
        params = dict(params)
        based = params.pop("based")
        model = surprise.KNNBaseline(sim_options={"name": "pearson_baseline", "user_based": based == "user"}, verbose=False, **params)
    else:
        model = getattr(surprise, algorithm)(random_state=seed, **params)
    start = time.perf_counter()
    model.fit(trainset)
    return model, time.perf_counter() - start


def surprise_score(algorithm, train_path, train_rows, test_rows, params, seed=42):
    model, fit = surprise_fit(algorithm, train_path, train_rows, params, seed)
    low = min(r for _, _, r in train_rows)
    high = max(r for _, _, r in train_rows)
    start = time.perf_counter()
    predicted = [model.predict(u, i).est for u, i, _ in test_rows]
    us = (time.perf_counter() - start) * 1e6 / max(1, len(test_rows))
    return metrics([r for _, _, r in test_rows], predicted, low, high), fit, us


def run_matchwork(binary, train, test, model, params):
    command = [binary, "evaluate", "--train", train, "--test", test, "--task", "rating", "--model", model, "--json"]
    for key, value in params.items():
        command += ["--param", f"{key}={value}"]
    out = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return out["metrics"], out["fit_seconds"], out["recommend_ms_per_user"] * 1000


def grid(options):
    keys = list(options)
    for values in itertools.product(*(options[k] for k in keys)):
        yield dict(zip(keys, values))


SEEDS = [42, 43, 44, 45, 46]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("split")
    parser.add_argument("--matchwork", default=os.path.join(os.path.dirname(__file__), "../../.build/release/matchwork"))
    parser.add_argument("--name", default=None)
    args = parser.parse_args()
    d = args.split
    files = {name: os.path.join(d, name + ".csv") for name in ("train", "test", "val_train", "val_test")}
    rows = {name: read(path) for name, path in files.items()}
    users = len({u for u, _, _ in rows["train"]})
    based = ["item", "user"] if users <= 10_000 else ["item"]  # Surprise's user-user table is dense

    peers = {
        "Surprise SVD": ("SVD", {"n_factors": [50, 100], "n_epochs": [20, 40], "lr_all": [0.005, 0.01, 0.02], "reg_all": [0.02, 0.1]}, True),
        "Surprise SVD++": ("SVDpp", {"n_factors": [20], "n_epochs": [20, 40], "lr_all": [0.007, 0.02], "reg_all": [0.02, 0.1]}, True),
        "Surprise KNNBaseline": ("KNNBaseline", {"k": [20, 40], "based": based}, False),
    }
    ours = {
        "matchwork baseline": ("baseline", {"user_regularization": [1, 5, 15], "item_regularization": [1, 5, 10]}, False),
        "matchwork mf": ("mf", {"factors": [50, 100], "iterations": [20, 40], "learning_rate": [0.005, 0.01, 0.02], "regularization": [0.02, 0.1]}, True),
        "matchwork knn-baseline": ("knn-baseline", {"k": [20, 40], "based": based}, False),
    }
    results = []
    for name, (algorithm, options, stochastic) in peers.items():
        best = min(grid(options), key=lambda p: surprise_score(algorithm, files["val_train"], rows["val_train"], rows["val_test"], p)[0]["rmse"])
        runs = [surprise_score(algorithm, files["train"], rows["train"], rows["test"], best, seed) for seed in (SEEDS if stochastic else [42])]
        results.append((name, best, runs))
        print(f"{name}: {np.mean([r[0]['rmse'] for r in runs]):.4f}", file=sys.stderr)
    for name, (model, options, stochastic) in ours.items():
        best = min(grid(options), key=lambda p: run_matchwork(args.matchwork, files["val_train"], files["val_test"], model, p)[0]["rmse"])
        runs = [run_matchwork(args.matchwork, files["train"], files["test"], model, dict(best, **({"seed": s} if stochastic else {})))
                for s in (SEEDS if stochastic else [None])]
        results.append((name, best, runs))
        print(f"{name}: {np.mean([r[0]['rmse'] for r in runs]):.4f}", file=sys.stderr)

    title = args.name or os.path.basename(os.path.normpath(d))
    print(f"\n{title}: {len(rows['train'])} train rows, {len(rows['test'])} test rows, {users} users in train")
    print("| model | chosen on validation | RMSE | MAE | R² | fit s | µs/prediction |")
    print("|---|---|---|---|---|---|---|")
    for name, params, runs in results:
        chosen = ", ".join(f"{k}={v}" for k, v in params.items())
        mean = lambda key: np.mean([r[0][key] for r in runs])
        print(f"| {name} | {chosen} | {mean('rmse'):.4f} | {mean('mae'):.4f} | {mean('r2'):.4f} | {np.mean([r[1] for r in runs]):.2f} | {np.mean([r[2] for r in runs]):.1f} |")


if __name__ == "__main__":
    main()
