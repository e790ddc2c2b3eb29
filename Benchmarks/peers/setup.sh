#!/usr/bin/env bash
# Creates Benchmarks/peers/.venv with the peer libraries Matchwork is compared with:
# implicit (ALS, BPR), LightFM (WARP) and scikit-surprise (SVD, SVD++, KNNBaseline), plus numpy
# and scipy for the EASE reference. Python is used only here, never in the product.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --upgrade pip wheel setuptools
.venv/bin/pip install --quiet "numpy<2" scipy "implicit==0.7.2" threadpoolctl
# LightFM and Surprise build from source (a C compiler is needed).
.venv/bin/pip install --quiet --no-build-isolation "cython<3" lightfm==1.17 || .venv/bin/pip install --quiet lightfm==1.17
.venv/bin/pip install --quiet --no-build-isolation scikit-surprise==1.1.4 || .venv/bin/pip install --quiet scikit-surprise==1.1.4
.venv/bin/python -c "import implicit, lightfm, surprise, numpy, scipy; print('peers ready: implicit', implicit.__version__, 'lightfm', lightfm.__version__, 'surprise', surprise.__version__)"
