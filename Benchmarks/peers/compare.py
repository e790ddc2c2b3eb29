#!/usr/bin/env python3
"""Top-N relevance of Matchwork's models beside implicit (ALS, BPR), LightFM (WARP) and an EASE
reference, on the files of one `matchwork split` (train, test, val_train, val_test).

Every system reads the same rows and is scored by the definitions of ../shared/PROTOCOL.md
(implemented once below for the peers; Matchwork's own `evaluate` implements them in Swift).
Hyper-parameters are chosen on the validation pair only, by NDCG@10; the chosen ones are then
fitted on train and scored on test, fit time measured in the same run. Stochastic models (ALS,
BPR, WARP) are fitted with five seeds and their test metrics and fit times averaged.

Usage: Benchmarks/peers/.venv/bin/python Benchmarks/peers/compare.py SPLIT_DIR [--matchwork BIN]
       [--threads 2] [--factors 64] [--iterations 15] [--name NAME]
"""
import os

# implicit asks for a single-threaded BLAS (it parallelises itself).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import itertools
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp


def read(path, users, items):
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            u = users.setdefault(r["user"], len(users))
            i = items.setdefault(r["item"], len(items))
            rows.append((u, i, float(r["rating"])))
    return rows


def matrix(rows, n_users, n_items):
    if not rows:
        return sp.csr_matrix((n_users, n_items), dtype=np.float32)
    u, i, _ = zip(*rows)
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (u, i)), shape=(n_users, n_items))


def evaluate(score_users, train, test, k=10):
    """PROTOCOL.md top-N metrics. score_users(users) -> dense scores (len(users) x items)."""
    train_users = np.diff(train.indptr) > 0
    test_users = np.diff(test.indptr) > 0
    users = np.where(train_users & test_users)[0]
    sums = dict(precision=0.0, recall=0.0, ndcg=0.0, map=0.0, hitrate=0.0)
    recommended = set()
    start = time.perf_counter()
    for chunk in range(0, len(users), 1024):
        batch = users[chunk:chunk + 1024]
        scores = np.asarray(score_users(batch), dtype=np.float64)
        for row, u in enumerate(batch):
            s = scores[row].copy()
            s[train.indices[train.indptr[u]:train.indptr[u + 1]]] = -np.inf
            order = np.lexsort((np.arange(len(s)), -s))[:k]
            order = [i for i in order if s[i] > -np.inf]
            relevant = set(test.indices[test.indptr[u]:test.indptr[u + 1]].tolist())
            hits = dcg = ap = 0.0
            for rank, i in enumerate(order):
                recommended.add(int(i))
                if i in relevant:
                    hits += 1
                    dcg += 1 / math.log2(rank + 2)
                    ap += hits / (rank + 1)
            idcg = sum(1 / math.log2(r + 2) for r in range(min(len(relevant), k)))
            sums["precision"] += hits / k
            sums["recall"] += hits / len(relevant)
            sums["ndcg"] += dcg / idcg
            sums["map"] += ap / min(len(relevant), k)
            sums["hitrate"] += 1.0 if hits > 0 else 0.0
    elapsed = time.perf_counter() - start
    n = max(1, len(users))
    metrics = {f"{name}@{k}": value / n for name, value in sums.items()}
    train_items = len(set(train.indices.tolist()))
    metrics[f"coverage@{k}"] = len(recommended) / train_items if train_items else 0.0
    return metrics, len(users), elapsed * 1000 / n


# Peers: each returns a scorer (users -> dense scores) and its fit seconds.

def implicit_als(train, threads, factors, iterations, regularization, alpha, seed=42):
    from implicit.cpu.als import AlternatingLeastSquares
    model = AlternatingLeastSquares(factors=factors, regularization=regularization, alpha=alpha, iterations=iterations,
                                    num_threads=threads, random_state=seed, calculate_training_loss=False)
    start = time.perf_counter()
    model.fit(train, show_progress=False)
    fit = time.perf_counter() - start
    return (lambda users: model.user_factors[users] @ model.item_factors.T), fit


def implicit_bpr(train, threads, factors, iterations, learning_rate, regularization, seed=42):
    from implicit.cpu.bpr import BayesianPersonalizedRanking
    model = BayesianPersonalizedRanking(factors=factors, learning_rate=learning_rate, regularization=regularization,
                                        iterations=iterations, num_threads=threads, random_state=seed)
    start = time.perf_counter()
    model.fit(train, show_progress=False)
    fit = time.perf_counter() - start
    return (lambda users: model.user_factors[users] @ model.item_factors.T), fit


def lightfm_warp(train, threads, factors, iterations, learning_rate, item_alpha, seed=42):
    from lightfm import LightFM
    model = LightFM(no_components=factors, loss="warp", learning_rate=learning_rate, item_alpha=item_alpha, random_state=seed)
    start = time.perf_counter()
    model.fit(train.tocoo(), epochs=iterations, num_threads=threads)
    fit = time.perf_counter() - start
    n_items = train.shape[1]
    items = np.arange(n_items, dtype=np.int32)

    def score(users):
        return np.vstack([model.predict(int(u), items, num_threads=threads) for u in users])
    return score, fit


def ease(train, threads, regularization, seed=None):
    start = time.perf_counter()
    gram = (train.T @ train).toarray().astype(np.float64)
    gram[np.diag_indices_from(gram)] += regularization
    p = np.linalg.inv(gram)
    b = p / (-np.diag(p))
    b[np.diag_indices_from(b)] = 0
    fit = time.perf_counter() - start
    return (lambda users: train[users] @ b), fit


# Stochastic models are fitted once per seed on train and their test metrics averaged: a single
# seed's spread is as large as the differences measured.
SEEDS = [42, 43, 44, 45, 46]  # --seeds N uses 42 ... 42 + N - 1


def average(runs):
    metrics = {key: sum(r[0][key] for r in runs) / len(runs) for key in runs[0][0]}
    # The spread over seeds of NDCG@10 (sample standard deviation), to tell gaps from noise.
    values = [r[0]["ndcg@10"] for r in runs]
    mean = sum(values) / len(values)
    metrics["ndcg_sd"] = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5 if len(values) > 1 else 0.0
    return metrics, sum(r[1] for r in runs) / len(runs), sum(r[2] for r in runs) / len(runs)


def grid(options):
    keys = list(options)
    for values in itertools.product(*(options[k] for k in keys)):
        yield dict(zip(keys, values))


def run_matchwork(binary, train, test, model, params, threads, extra=()):
    command = [binary, "evaluate", "--train", train, "--test", test, "--task", "ranking", "--model", model, "--threads", str(threads), "--json", *extra]
    for key, value in params.items():
        command += ["--param", f"{key}={value}"]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)}\nfailed: {run.stderr.strip()}")
    return json.loads(run.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("split")
    parser.add_argument("--matchwork", default=os.path.join(os.path.dirname(__file__), "../../.build/release/matchwork"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--name", default=None)
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="seeds per stochastic model")
    parser.add_argument("--only", default=None, help="comma-separated substrings: run only the models whose name has one")
    parser.add_argument("--auto-budget", default="60", help="trials (or a time) for matchwork's --model auto, searched on the validation files")
    args = parser.parse_args()
    SEEDS[:] = list(range(42, 42 + args.seeds))
    d = args.split
    f, it, th = args.factors, args.iterations, args.threads

    def load(train_name, test_name):
        users, items = {}, {}
        train_rows = read(os.path.join(d, train_name), users, items)
        test_rows = read(os.path.join(d, test_name), users, items)
        return matrix(train_rows, len(users), len(items)), matrix(test_rows, len(users), len(items))

    val_train, val_test = load("val_train.csv", "val_test.csv")
    train, test = load("train.csv", "test.csv")

    peers = {
        "implicit ALS": (implicit_als, {"factors": [f], "iterations": [it], "regularization": [0.01, 0.1, 1.0], "alpha": [1.0, 10.0, 40.0]}),
        "implicit BPR": (implicit_bpr, {"factors": [f], "iterations": [100], "learning_rate": [0.01, 0.05], "regularization": [0.01]}),
        "LightFM WARP": (lightfm_warp, {"factors": [f], "iterations": [it, 50], "learning_rate": [0.05], "item_alpha": [0.0, 1e-6]}),
        "EASE (numpy)": (ease, {"regularization": [10.0, 100.0, 500.0]}),
    }
    ours = {
        "matchwork item-knn": ("item-knn", {"neighbours": [50, 200], "shrink": [0, 10]}),
        "matchwork user-knn": ("user-knn", {"neighbours": [50, 200], "shrink": [0, 10]}),
        "matchwork rp3beta": ("rp3beta", {"alpha": [0.5, 1.0], "beta": [0.0, 0.3, 0.6], "neighbours": [50, 200]}),
        "matchwork ease": ("ease", {"regularization": [10, 100, 500]}),
        "matchwork als": ("als", {"factors": [f], "iterations": [it], "regularization": [0.01, 0.1, 1.0], "alpha": [1, 10, 40]}),
        "matchwork bpr": ("bpr", {"factors": [f], "iterations": [100], "learning_rate": [0.01, 0.05], "regularization": [0.01], "negatives": ["popularity", "uniform"], "redraws": [0, 20]}),
    }
    if args.only:
        wanted = args.only.split(",")
        peers = {k: v for k, v in peers.items() if any(w in k for w in wanted)}
        ours = {k: v for k, v in ours.items() if any(w in k for w in wanted)}
    results = []
    chosen = {}
    for name, (fit, options) in peers.items():
        if name.startswith("EASE") and train.shape[1] > 10_000:
            continue
        best = None
        for params in grid(options):
            scorer, _ = fit(val_train, th, **params)
            metrics, _, _ = evaluate(scorer, val_train, val_test)
            if best is None or metrics["ndcg@10"] > best[0]:
                best = (metrics["ndcg@10"], params)
        runs = []
        for seed in SEEDS if name != "EASE (numpy)" else [None]:
            scorer, fit_seconds = fit(train, th, **best[1], seed=seed)
            metrics, n, ms = evaluate(scorer, train, test)
            runs.append((metrics, fit_seconds, ms))
        metrics, fit_seconds, ms = average(runs)
        results.append((name, best[1], metrics, n, fit_seconds, ms))
        print(f"{name}: {metrics['ndcg@10']:.4f}", file=sys.stderr)
    for name, (model, options) in ours.items():
        best = None
        for params in grid(options):
            out = run_matchwork(args.matchwork, os.path.join(d, "val_train.csv"), os.path.join(d, "val_test.csv"), model, params, th)
            if best is None or out["metrics"]["ndcg@10"] > best[0]:
                best = (out["metrics"]["ndcg@10"], params)
        runs = []
        for seed in SEEDS if model in ("als", "bpr") else [None]:
            params = dict(best[1], **({"seed": seed} if seed is not None else {}))
            out = run_matchwork(args.matchwork, os.path.join(d, "train.csv"), os.path.join(d, "test.csv"), model, params, th)
            runs.append((out["metrics"], out["fit_seconds"], out["recommend_ms_per_user"]))
        metrics, fit_seconds, ms = average(runs)
        results.append((name, best[1], metrics, out["users_evaluated"], fit_seconds, ms))
        chosen[model] = best[1]
        print(f"{name}: {metrics['ndcg@10']:.4f}", file=sys.stderr)
    # The ensemble of our models, each with the settings validation chose for it above; the
    # ensemble chooses its weights on train alone.
    components = [m for m in ("item-knn", "user-knn", "ease", "als", "popularity") if m == "popularity" or m in chosen]
    if len(components) > 1 and not args.only:
        base = {"components": ",".join(components)}
        for m in components:
            for key, value in chosen.get(m, {}).items():
                base[f"{m}.{key}"] = value
        runs = []
        for seed in SEEDS:
            params = dict(base, **({"als.seed": seed} if "als" in components else {}))
            out = run_matchwork(args.matchwork, os.path.join(d, "train.csv"), os.path.join(d, "test.csv"), "ensemble", params, th)
            runs.append((out["metrics"], out["fit_seconds"], out["recommend_ms_per_user"]))
        metrics, fit_seconds, ms = average(runs)
        results.append(("matchwork ensemble", {"components": base["components"]}, metrics, out["users_evaluated"], fit_seconds, ms))
        print(f"matchwork ensemble: {metrics['ndcg@10']:.4f}", file=sys.stderr)

    # Matchwork choosing the model and its settings itself on the validation files (--model auto).
    if not args.only or "auto" in args.only:
        extra = ["--budget", args.auto_budget, "--validation-train", os.path.join(d, "val_train.csv"), "--validation-test", os.path.join(d, "val_test.csv")]
        out = run_matchwork(args.matchwork, os.path.join(d, "train.csv"), os.path.join(d, "test.csv"), "auto", {}, th, extra)
        chosen_auto = {"chose": out["chosen_model"], **out["params"]}
        m = dict(out["metrics"], ndcg_sd=0.0)
        results.append((f"matchwork auto ({args.auto_budget})", chosen_auto, m, out["users_evaluated"], out["tuning"]["seconds"] + out["fit_seconds"], out["recommend_ms_per_user"]))
        print(f"matchwork auto: {m['ndcg@10']:.4f} ({out['chosen_model']}, search {out['tuning']['seconds']:.1f} s)", file=sys.stderr)

    title = args.name or os.path.basename(os.path.normpath(d))
    print(f"\n{title}: {train.nnz} train rows, {test.nnz} test rows, {train.shape[0]} users, {train.shape[1]} items; threads {th}")
    print("| model | chosen on validation | NDCG@10 (± sd over seeds) | hit@10 | recall@10 | MAP@10 | coverage@10 | users | fit s | ms/user |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, params, m, n, fit_seconds, ms in results:
        chosen = ", ".join(f"{k}={v}" for k, v in params.items())
        print(f"| {name} | {chosen} | {m['ndcg@10']:.4f} ± {m['ndcg_sd']:.4f} | {m['hitrate@10']:.4f} | {m['recall@10']:.4f} | {m['map@10']:.4f} | {m['coverage@10']:.3f} | {n} | {fit_seconds:.2f} | {ms:.3f} |")


if __name__ == "__main__":
    main()
