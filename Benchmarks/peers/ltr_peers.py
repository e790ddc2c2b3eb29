#!/usr/bin/env python3
"""Learning to rank on svmlight/LETOR files: LightGBM's lambdarank and XGBoost's rank:ndcg
beside Matchwork's lambdamart, on the same files, with the same metric definitions.

    bash Benchmarks/peers/setup.sh && bash Benchmarks/peers/fetch-ltr-sample.sh
    d=Benchmarks/peers/data/mslr-sample
    matchwork evaluate --task ltr --train $d/train.txt --test $d/test.txt --model lambdamart --json > /tmp/ltr.json
    Benchmarks/peers/.venv/bin/python Benchmarks/peers/ltr_peers.py $d/train.txt $d/test.txt /tmp/ltr.json

NDCG@K as ../shared/PROTOCOL.md defines it: gain 2^label - 1, log2 discount, ties kept in file
order, mean over queries; a query with no relevant document scores 1 (as LightGBM and XGBoost
count it, and as Matchwork does). Each peer's 95% interval is a bootstrap over the test queries
(2,000 resamples, seed 42); the script says whether Matchwork's figure lies inside it. Every
model trains 100 rounds, depth 6 (LightGBM: 63 leaves, depth 6), learning rate 0.1, one thread.
"""
import json
import sys

import numpy as np
from sklearn.datasets import load_svmlight_file
import lightgbm as lgb
import xgboost as xgb

KS = (1, 3, 5, 10)


def groups_of(qid):
    sizes, start = [], 0
    for i in range(1, len(qid) + 1):
        if i == len(qid) or qid[i] != qid[i - 1]:
            sizes.append(i - start)
            start = i
    return sizes


def ndcg(scores, labels, k):
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    gain = lambda l: 2.0 ** l - 1
    dcg = sum(gain(labels[i]) / np.log2(r + 2) for r, i in enumerate(order[:k]))
    ideal = sum(gain(l) / np.log2(r + 2) for r, l in enumerate(sorted(labels, reverse=True)[:k]))
    return dcg / ideal if ideal > 0 else 1.0


def per_query(scores, labels, sizes, k):
    out, start = [], 0
    for s in sizes:
        out.append(ndcg(list(scores[start:start + s]), list(labels[start:start + s]), k))
        start += s
    return np.array(out)


def bootstrap(values, seed=42, n=2000):
    rng = np.random.default_rng(seed)
    means = [values[rng.integers(0, len(values), len(values))].mean() for _ in range(n)]
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def main():
    train_path, test_path = sys.argv[1], sys.argv[2]
    ours = json.load(open(sys.argv[3])) if len(sys.argv) > 3 else None
    xtr, ytr, qtr = load_svmlight_file(train_path, query_id=True)
    xte, yte, qte = load_svmlight_file(test_path, query_id=True, n_features=xtr.shape[1])
    gtr, gte = groups_of(qtr), groups_of(qte)

    ranker = lgb.LGBMRanker(objective="lambdarank", n_estimators=100, learning_rate=0.1, num_leaves=63, max_depth=6,
                            min_child_samples=20, random_state=42, n_jobs=1, verbose=-1, deterministic=True)
    ranker.fit(xtr, ytr, group=gtr)
    lgb_scores = ranker.predict(xte)

    dtrain = xgb.DMatrix(xtr, label=ytr)
    dtrain.set_group(gtr)
    dtest = xgb.DMatrix(xte)
    booster = xgb.train({"objective": "rank:ndcg", "max_depth": 6, "eta": 0.1, "min_child_weight": 1, "lambda": 1, "seed": 42, "nthread": 1,
                         "tree_method": "hist", "eval_metric": "ndcg@10"}, dtrain, num_boost_round=100)
    xgb_scores = booster.predict(dtest)

    rows = {}
    for name, scores in [("LightGBM %s lambdarank" % lgb.__version__, lgb_scores), ("XGBoost %s rank:ndcg" % xgb.__version__, xgb_scores)]:
        rows[name] = {f"ndcg@{k}": per_query(scores, yte, gte, k) for k in KS}
    print(f"{len(gtr)} training queries ({xtr.shape[0]} documents), {len(gte)} test queries ({xte.shape[0]} documents), {xtr.shape[1]} features")
    print(f"{'model':34s} " + " ".join(f"{'NDCG@%d' % k:>22s}" for k in KS))
    inside = {}
    for name, metrics in rows.items():
        cells = []
        for k in KS:
            v = metrics[f"ndcg@{k}"]
            lo, hi = bootstrap(v)
            cells.append(f"{v.mean():.4f} [{lo:.4f}, {hi:.4f}]")
            if ours:
                inside[(name, k)] = lo <= ours["metrics"][f"ndcg@{k}"] <= hi
        print(f"{name:34s} " + " ".join(f"{c:>22s}" for c in cells))
    if ours:
        print(f"{'Matchwork lambdamart':34s} " + " ".join(f"{ours['metrics'][f'ndcg@{k}']:>22.4f}" for k in KS))
        held = sum(inside.values())
        print(f"Matchwork inside the peer's 95% interval: {held} of {len(inside)} (peer, K) pairs"
              + ("" if held == len(inside) else "; outside: " + ", ".join(f"{n} @{k}" for (n, k), ok in inside.items() if not ok)))


if __name__ == "__main__":
    main()
