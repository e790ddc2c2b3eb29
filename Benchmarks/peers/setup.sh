#!/usr/bin/env bash
# Creates Benchmarks/peers/.venv with the peer libraries Matchwork is compared with:
# implicit (ALS, BPR), LightFM (WARP) and scikit-surprise (SVD, SVD++, KNNBaseline), plus numpy
# and scipy for the EASE reference, scikit-learn and LightGBM for pass prediction on OULAD
# (oulad_pass.py), LightGBM and XGBoost (the version of Debian's libxgboost) for learning to rank
# (ltr_peers.py). Python is used only here, never in the product.
set -euo pipefail
cd "$(dirname "$0")"
py=.venv/bin/python
if [ ! -x "$py" ]; then
  python3 -m venv .venv
fi
if "$py" -c "import implicit, lightfm, surprise, numpy, scipy, sklearn, lightgbm, xgboost" 2>/dev/null; then
  exit 0
fi
.venv/bin/pip install --quiet --upgrade pip wheel setuptools
.venv/bin/pip install --quiet "numpy<2" scipy "implicit==0.7.2" threadpoolctl "scikit-surprise==1.1.4" "scikit-learn==1.9.1" "lightgbm==4.7.0" "xgboost==1.7.4"
# LightFM 1.17's setup.py sets a flag through `__builtins__`, which is a dict when pip runs it
# (lyst/lightfm#687): build it from its sdist with that line fixed.
if ! "$py" -c "import lightfm" 2>/dev/null; then
  work=$(mktemp -d)
  url=$("$py" - <<'PY'
import re, urllib.request
page = urllib.request.urlopen("https://pypi.org/simple/lightfm/").read().decode()
print(re.search(r'href="([^"#]*lightfm-1\.17\.tar\.gz)', page).group(1))
PY
)
  "$py" -c "import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])" "$url" "$work/lightfm.tar.gz"
  tar -xzf "$work/lightfm.tar.gz" -C "$work"
  sed -i 's/^__builtins__.__LIGHTFM_SETUP__ = True/import builtins\nbuiltins.__LIGHTFM_SETUP__ = True/' "$work"/lightfm-1.17/setup.py
  .venv/bin/pip install --quiet "$work"/lightfm-1.17
  rm -rf "$work"
fi
"$py" -c "import implicit, lightfm, surprise; import sklearn, lightgbm; print('peers ready: implicit', implicit.__version__, 'lightfm', lightfm.__version__, 'surprise', surprise.__version__, 'scikit-learn', sklearn.__version__, 'lightgbm', lightgbm.__version__)"
