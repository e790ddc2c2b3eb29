#!/usr/bin/env bash
# Creates Benchmarks/peers/.venv-forecast with the forecasting peers Matchwork is compared with:
# statsforecast (AutoETS, AutoTheta) and statsmodels (Holt-Winters). A separate environment from
# .venv, whose recommender peers pin numpy < 2. Python is used only here, never in the product.
set -euo pipefail
cd "$(dirname "$0")"
py=.venv-forecast/bin/python
if [ ! -x "$py" ]; then
  python3 -m venv .venv-forecast
fi
if ! "$py" -c "import statsforecast, statsmodels" 2>/dev/null; then
  .venv-forecast/bin/pip install --quiet --upgrade pip
  .venv-forecast/bin/pip install --quiet "statsforecast==2.1.1" "statsmodels==0.15.0"
fi
"$py" -c "import statsforecast, statsmodels; print('forecast peers ready: statsforecast', statsforecast.__version__, 'statsmodels', statsmodels.__version__)"
