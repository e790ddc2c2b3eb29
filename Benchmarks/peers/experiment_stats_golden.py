"""Writes Tests/MatchworkCoreTests/Golden/experiment-stats.json: the values scipy and statsmodels
give for the statistics Matchwork's experiments report (MatchworkCore/Experiments), on fixed
inputs, so the Swift code can be checked against the peers: normal, Student t and chi-square
distributions; two proportions (pooled z-test, Wald interval of the difference); Welch's t-test
with its interval; CUPED (the pre-period covariate's theta, then Welch on the adjusted values);
the sample-ratio-mismatch chi-square; the sample size per arm for two proportions
(statsmodels' NormalIndPower over Cohen's h); and the mixture sequential probability ratio test
(mSPRT, Johari, Pekelis and Walsh 2017; normal mixture with variance tau^2), written out here
from the paper's formulas in numpy as an independent implementation. Run once with
Benchmarks/peers/.venv-forecast/bin/python (setup-forecast.sh); Python is used only here.
"""
import json
import os
import numpy as np
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest, confint_proportions_2indep
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "Tests", "MatchworkCoreTests", "Golden", "experiment-stats.json")
rng = np.random.default_rng(26)

normal = {
    "quantiles": [[p, float(stats.norm.ppf(p))] for p in [1e-10, 1e-6, 0.0001, 0.001, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999, 0.99999]],
    "cdf": [[x, float(stats.norm.cdf(x))] for x in [-8, -5, -3.2, -1.96, -1, -0.3, 0, 0.4, 1.2, 1.96, 2.5, 4, 6]],
}
student = {
    "sf": [[t, df, float(stats.t.sf(t, df))] for t, df in [(0.5, 3), (1.0, 10), (2.1, 7.5), (1.96, 30), (3.3, 4.2), (0.0, 12), (-1.5, 9), (2.8, 250.7), (5.0, 2)]],
    "ppf": [[p, df, float(stats.t.ppf(p, df))] for p, df in [(0.975, 3), (0.975, 9.4), (0.975, 30), (0.975, 1000.5), (0.95, 5), (0.995, 12.25), (0.6, 2)]],
}
chisq = {"sf": [[x, df, float(stats.chi2.sf(x, df))] for x, df in [(0.5, 1), (3.84, 1), (10.2, 1), (5.99, 2), (1.3, 2), (7.81, 3), (20.5, 4), (0.01, 1), (60, 5)]]}

proportions = []
for x1, n1, x2, n2 in [(120, 1000, 150, 1000), (45, 2000, 52, 2100), (10, 80, 22, 90), (300, 5000, 240, 5100), (0, 50, 3, 60), (500, 1000, 500, 1000)]:
    z, p = proportions_ztest([x2, x1], [n2, n1], alternative="two-sided")
    lo, hi = confint_proportions_2indep(x2, n2, x1, n1, method="wald", compare="diff", alpha=0.05)
    proportions.append({"control": [x1, n1], "treatment": [x2, n2], "z": float(z), "p": float(p), "ci": [float(lo), float(hi)]})

welch = []
for size_a, size_b, shift, scale in [(40, 55, 0.3, 1.0), (200, 180, 0.0, 2.0), (12, 9, 1.5, 0.7)]:
    a = rng.normal(10, 2, size_a).round(4)
    b = (rng.normal(10, 2 * scale, size_b) + shift).round(4)
    r = stats.ttest_ind(b, a, equal_var=False)
    ci = r.confidence_interval(0.95)
    welch.append({"control": a.tolist(), "treatment": b.tolist(), "t": float(r.statistic), "p": float(r.pvalue), "df": float(r.df), "ci": [float(ci.low), float(ci.high)]})

cuped = []
for n_a, n_b, effect in [(300, 320, 0.25), (150, 140, 0.0)]:
    xa = rng.gamma(2, 3, n_a).round(4)
    xb = rng.gamma(2, 3, n_b).round(4)
    ya = (0.8 * xa + rng.normal(0, 2, n_a)).round(4)
    yb = (0.8 * xb + rng.normal(0, 2, n_b) + effect).round(4)
    x = np.concatenate([xa, xb])
    y = np.concatenate([ya, yb])
    theta = np.cov(y, x, ddof=1)[0, 1] / np.var(x, ddof=1)
    mx = x.mean()
    aa = ya - theta * (xa - mx)
    ab = yb - theta * (xb - mx)
    r = stats.ttest_ind(ab, aa, equal_var=False)
    ci = r.confidence_interval(0.95)
    raw = stats.ttest_ind(yb, ya, equal_var=False)
    cuped.append({
        "control": {"y": ya.tolist(), "x": xa.tolist()}, "treatment": {"y": yb.tolist(), "x": xb.tolist()},
        "theta": float(theta), "adjusted_means": [float(aa.mean()), float(ab.mean())], "t": float(r.statistic), "p": float(r.pvalue),
        "ci": [float(ci.low), float(ci.high)], "raw_ci": [float(raw.confidence_interval(0.95).low), float(raw.confidence_interval(0.95).high)],
    })

srm = []
for counts, shares in [([5050, 4950], [0.5, 0.5]), ([5300, 4700], [0.5, 0.5]), ([1010, 2050, 6940], [0.1, 0.2, 0.7]), ([98, 102, 300], [0.2, 0.2, 0.6])]:
    total = sum(counts)
    r = stats.chisquare(counts, [s * total for s in shares])
    srm.append({"counts": counts, "shares": shares, "statistic": float(r.statistic), "p": float(r.pvalue)})

sizes = []
for p1, p2, alpha, power in [(0.10, 0.12, 0.05, 0.8), (0.30, 0.33, 0.05, 0.9), (0.05, 0.06, 0.01, 0.8), (0.5, 0.6, 0.05, 0.8)]:
    h = proportion_effectsize(p2, p1)
    n = NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=1.0, alternative="two-sided")
    sizes.append({"baseline": p1, "treatment": p2, "alpha": alpha, "power": power, "per_arm": float(n)})


def msprt(x1, n1, x2, n2, tau2, alpha):
    """Normal-mixture mSPRT on the difference of two proportions (Johari et al. 2017, eq. 11 with
    the difference's variance estimated by the unpooled plug-in): the mixture likelihood ratio
    Lambda, the always-valid p-value min(1, 1/Lambda) at this look, and the always-valid interval."""
    p1, p2 = x1 / n1, x2 / n2
    d = p2 - p1
    v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    lam = np.sqrt(v / (v + tau2)) * np.exp(tau2 * d * d / (2 * v * (v + tau2)))
    half = np.sqrt(v * (v + tau2) / tau2 * (2 * np.log(1 / alpha) + np.log((v + tau2) / v)))
    return {"control": [x1, n1], "treatment": [x2, n2], "tau2": tau2, "alpha": alpha, "lambda": float(lam), "p": float(min(1.0, 1 / lam)), "ci": [float(d - half), float(d + half)]}


sequential = [msprt(120, 1000, 150, 1000, 0.0004, 0.05), msprt(45, 2000, 52, 2100, 0.0001, 0.05), msprt(300, 5000, 240, 5100, 0.001, 0.1), msprt(500, 1000, 505, 1000, 0.0025, 0.05)]

with open(out, "w") as f:
    json.dump({"normal": normal, "student": student, "chisquare": chisq, "proportions": proportions, "welch": welch, "cuped": cuped, "srm": srm, "sample_size": sizes, "msprt": sequential}, f, indent=1)
    f.write("\n")
print("wrote", out)
