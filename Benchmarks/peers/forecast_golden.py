"""Writes Tests/MatchworkCoreTests/Golden/forecast-parity.json: statsforecast's ETS and Theta
recursions on fixed inputs with fixed parameters and initial states (no optimisation), so the
Swift state updates and forecasts can be checked against the peer to 1e-9. Run once with
Benchmarks/peers/.venv-forecast/bin/python; Python is used only here, never in the product.
"""
import json
import os
import numpy as np
from statsforecast.ets import ets_f, forecast_ets
from statsforecast.theta import auto_theta, forecast_theta

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "Tests", "MatchworkCoreTests", "Golden", "forecast-parity.json")
t = np.arange(48)
# A positive monthly series with trend, season and a fixed pseudo-random wiggle.
rng = np.random.default_rng(7)
y = 200 + 1.5 * t + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 4, 48)
y = np.round(y, 3)
m = 4
cases = []
specs = [
    ("ANN", False, [0.3, np.nan, np.nan, np.nan], [y[0]]),
    ("AAN", True, [0.4, 0.1, np.nan, 0.9], [y[0], 1.2]),
    ("MAN", False, [0.25, 0.05, np.nan, np.nan], [y[0], 1.0]),
    ("AAA", True, [0.3, 0.05, 0.2, 0.95], [y[0], 1.0, 3.0, -2.0, 1.5, -2.5]),
    ("MNM", False, [0.2, np.nan, 0.1, np.nan], [y[0], 1.05, 0.97, 1.01, 0.97]),
]
for comps, damped, par, states in specs:
    model = {"m": m if comps[2] != "N" else 1, "components": comps + ("D" if damped else "N"),
             "par": np.array(par + states, dtype=float), "fit": None, "n_params": len(states) + 2}
    fit = ets_f(y, m=model["m"], model=model)
    fc = forecast_ets(fit, h=8)
    mean = fc["mean"]
    if damped:
        # statsforecast accumulates the damping as phi, 2 phi, 2 phi + phi^2, ... (its Forecast
        # adds phi^(i+1) after step i, counting phi twice); HKOS (2008, eq. 2.13) has
        # phi + phi^2 + ... + phi^h. The golden value is the textbook forecast from statsforecast's
        # own final state, so the recursion is still checked against the peer.
        state = fit["states"][-1]
        level, slope = state[0], state[1]
        seasons = state[2:]
        phi = par[3]
        mean = []
        for h in range(1, 9):
            f = level + sum(phi ** j for j in range(1, h + 1)) * slope
            if comps[2] == "A":
                f += seasons[(m - h) % m]
            mean.append(f)
        mean = np.array(mean)
    cases.append({"model": comps, "damped": damped, "period": model["m"], "alpha": par[0],
                  "beta": None if np.isnan(par[1]) else par[1], "gamma": None if np.isnan(par[2]) else par[2],
                  "phi": None if np.isnan(par[3]) else par[3],
                  # statsforecast takes all m seasonal states; Swift takes the first m - 1.
                  "states": states[: len(states) - 1] if comps[2] != "N" else states,
                  "residuals": fit["residuals"].tolist(), "likelihood": -2 * fit["loglik"],
                  "forecast": np.asarray(mean).tolist()})
theta_cases = []
for variant, l0, alpha, theta in [("STM", 100.0, 0.4, 2.0), ("OTM", 120.0, 0.3, 2.7), ("DSTM", 90.0, 0.5, 2.0), ("DOTM", 110.0, 0.35, 1.8)]:
    fit = auto_theta(y, m=1, model=variant, initial_smoothed=l0, alpha=alpha, theta=theta)
    theta_cases.append({"variant": variant, "initial_level": l0, "alpha": alpha, "theta": theta,
                        "residuals": fit["residuals"].tolist(), "forecast": forecast_theta(fit, h=8)["mean"].tolist()})
with open(out, "w") as f:
    json.dump({"source": "statsforecast 2.1.1 (ets_f with a given model, auto_theta with given parameters)",
               "y": y.tolist(), "ets": cases, "theta": theta_cases}, f, indent=1)
print("wrote", out)
