"""Writes Tests/MatchworkCoreTests/Golden/count-trend-parity.json: statsmodels' Poisson GLM with
the Pearson scale (quasi-Poisson) on fixed overdispersed monthly counts, with the design the Swift
count trend uses (intercept, u = (t - (n-1)/2)/12, one yearly sine and cosine), so its IRLS
coefficients, dispersion, covariance and forecasts can be checked against the peer. Run once with
Benchmarks/peers/.venv-forecast/bin/python; Python is used only here, never in the product.
"""
import json
import os
import numpy as np
import statsmodels.api as sm

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "Tests", "MatchworkCoreTests", "Golden", "count-trend-parity.json")
rng = np.random.default_rng(23)
n, m, h = 36, 12, 12


def design(ts):
    ts = np.asarray(ts, dtype=float)
    return np.column_stack([np.ones(len(ts)), (ts - (n - 1) / 2) / m, np.sin(2 * np.pi * ts / m), np.cos(2 * np.pi * ts / m)])


t = np.arange(n)
mu = np.exp(2.5 + 0.015 * t + 0.25 * np.sin(2 * np.pi * t / m + 0.7))
# Negative binomial draws: counts more spread than Poisson, so the Pearson scale is above 1.
y = rng.negative_binomial(6, 6 / (6 + mu)).astype(float)
fit = sm.GLM(y, design(t), family=sm.families.Poisson()).fit(scale="X2", tol=1e-14, maxiter=200)
future = design(np.arange(n, n + h))
case = {
    "y": y.tolist(), "period": m, "horizon": h,
    "coefficients": fit.params.tolist(), "dispersion": float(fit.scale),
    "covariance": fit.cov_params().flatten().tolist(),
    "forecast": np.exp(future @ fit.params).tolist(),
}
with open(out, "w") as f:
    json.dump({"source": "statsmodels " + sm.__version__ + " GLM(Poisson), scale='X2'", "cases": [case]}, f, indent=1)
    f.write("\n")
print("wrote", out, "scale", fit.scale)
