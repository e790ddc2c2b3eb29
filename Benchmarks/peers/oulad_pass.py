#!/usr/bin/env python3
"""Pass prediction on OULAD: peers fitted on the rows and features Matchwork's pass model saw.

    matchwork skill-gaps pass-model --oulad ../shared/data/oulad --features-out /tmp/oulad-pass
    Benchmarks/peers/.venv/bin/python Benchmarks/peers/oulad_pass.py /tmp/oulad-pass ../shared/data/oulad

Reads train.csv, test.csv and predictions.csv written by `--features-out` and scores, on the
same test rows with the same metric definitions (AUC, log loss, Brier score, expected
calibration error over 10 equal-width bins):
- Matchwork's predictions (its metrics recomputed here, as a check of ours);
- scikit-learn's LogisticRegression on the same standardised features with the same L2 penalty
  (Matchwork minimises the log loss plus lambda * n * |w|^2 with lambda = 1e-3, which is
  scikit-learn's C = 1 / (2 * lambda * n));
- LightGBM on the same features (the education indicators included when Matchwork used them);
- LightGBM and logistic regression given also the studentInfo and studentRegistration columns
  Matchwork's pass model does not use (gender, region, IMD band, age band, disability, studied
  credits, registration day; several are protected attributes a platform should not steer
  learners by): what more columns would buy.
"""
import csv
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import lightgbm as lgb

LAMBDA = 1e-3
DEMOGRAPHIC = ["gender", "region", "imd_band", "age_band", "disability"]


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def ece(p, y, bins=10):
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
    return total


def quality(p, y):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return {"auc": roc_auc_score(y, p), "log_loss": log_loss(y, p), "brier": brier_score_loss(y, p), "ece": ece(p, y)}


def main():
    features_dir, oulad_dir = sys.argv[1], sys.argv[2]
    as_json = "--json" in sys.argv
    train, test = read(f"{features_dir}/train.csv"), read(f"{features_dir}/test.csv")
    names = [c for c in train[0].keys() if c not in ("learner", "course", "term", "passed", "education")]
    xtr = np.array([[float(r[c]) for c in names] for r in train])
    xte = np.array([[float(r[c]) for c in names] for r in test])
    ytr = np.array([int(r["passed"]) for r in train])
    yte = np.array([int(r["passed"]) for r in test])
    # Matchwork's training rows carry the course's pass rate leaving their own result out, which a
    # tree splits on exactly (a pass's rate sits just below a failure's in the same course): the
    # trees get the plain training rate of the course, as the test rows have.
    rate = names.index("course_pass_rate")
    overall = ytr.mean()
    by_course = {}
    for r, y in zip(train, ytr):
        p, n = by_course.get(r["course"], (0, 0))
        by_course[r["course"]] = (p + y, n + 1)
    xtr_trees = xtr.copy()
    xtr_trees[:, rate] = [(by_course[r["course"]][0] + 2 * overall) / (by_course[r["course"]][1] + 2) for r in train]
    # The education indicators Matchwork adds (values held by at least 1% of the training rows).
    values = sorted({r["education"] for r in train if r["education"]})
    values = [v for v in values if 100 * sum(r["education"] == v for r in train) >= len(train)]
    if values:
        xtr = np.hstack([xtr, [[float(r["education"] == v) for v in values] for r in train]])
        xte = np.hstack([xte, [[float(r["education"] == v) for v in values] for r in test]])
        xtr_trees = np.hstack([xtr_trees, [[float(r["education"] == v) for v in values] for r in train]])
    keep = xtr.std(axis=0) > 0
    xtr, xte, xtr_trees = xtr[:, keep], xte[:, keep], xtr_trees[:, keep]

    results = {}
    ours = {(r["learner"], r["course"], r["term"]): float(r["probability"]) for r in read(f"{features_dir}/predictions.csv")}
    results["matchwork (logistic regression, IRLS)"] = quality(np.array([ours[(r["learner"], r["course"], r["term"])] for r in test]), yte)

    scaler = StandardScaler().fit(xtr)
    lr = LogisticRegression(C=1 / (2 * LAMBDA * len(ytr)), max_iter=1000).fit(scaler.transform(xtr), ytr)
    results["scikit-learn LogisticRegression, same features"] = quality(lr.predict_proba(scaler.transform(xte))[:, 1], yte)

    params = dict(n_estimators=300, learning_rate=0.05, num_leaves=31, min_child_samples=20, subsample=1.0,
                  random_state=42, deterministic=True, n_jobs=1, verbose=-1)
    gbm = lgb.LGBMClassifier(**params).fit(xtr_trees, ytr)
    results["LightGBM, same features"] = quality(gbm.predict_proba(xte)[:, 1], yte)

    info = {(r["id_student"], r["code_module"], r["code_presentation"]): r for r in read(f"{oulad_dir}/studentInfo.csv")}
    reg = {(r["id_student"], r["code_module"], r["code_presentation"]): r for r in read(f"{oulad_dir}/studentRegistration.csv")}

    def extra(rows):
        cats, nums = [], []
        for r in rows:
            k = (r["learner"], r["course"], r["term"])
            cats.append([info[k][c] for c in DEMOGRAPHIC])
            day = reg.get(k, {}).get("date_registration", "?")
            nums.append([float(info[k]["studied_credits"]), float(day) if day not in ("?", "") else np.nan])
        return cats, np.array(nums)

    ctr, ntr = extra(train)
    cte, nte = extra(test)
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(ctr)
    fill = np.nanmedian(ntr, axis=0)
    ntr_f, nte_f = np.where(np.isnan(ntr), fill, ntr), np.where(np.isnan(nte), fill, nte)
    wtr = np.hstack([xtr, ntr_f, encoder.transform(ctr)])
    wte = np.hstack([xte, nte_f, encoder.transform(cte)])
    wide_scaler = StandardScaler().fit(wtr)
    lr_wide = LogisticRegression(C=1 / (2 * LAMBDA * len(ytr)), max_iter=2000).fit(wide_scaler.transform(wtr), ytr)
    results["scikit-learn LogisticRegression, + studentInfo columns"] = quality(lr_wide.predict_proba(wide_scaler.transform(wte))[:, 1], yte)
    gbm_wide = lgb.LGBMClassifier(**params).fit(np.hstack([xtr_trees, ntr, encoder.transform(ctr)]), ytr)
    results["LightGBM, + studentInfo columns"] = quality(gbm_wide.predict_proba(np.hstack([xte, nte, encoder.transform(cte)]))[:, 1], yte)

    if as_json:
        print(json.dumps({"train": len(ytr), "test": len(yte), "test_pass_rate": float(yte.mean()), "models": results}, indent=1, sort_keys=True))
        return
    print(f"OULAD pass prediction: {len(ytr):,} training results, {len(yte):,} test results (pass rate {yte.mean():.3f}); "
          f"{'with' if values else 'without'} prior education")
    print(f"{'model':58s} {'AUC':>6s} {'logloss':>8s} {'Brier':>6s} {'ECE':>6s}")
    for name, q in results.items():
        print(f"{name:58s} {q['auc']:6.3f} {q['log_loss']:8.3f} {q['brier']:6.3f} {q['ece']:6.3f}")


if __name__ == "__main__":
    main()
