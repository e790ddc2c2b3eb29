#!/usr/bin/env bash
# Fetches a public LETOR-format sample for `matchwork evaluate --task ltr` and its peers:
# 5,000-line train and test excerpts of MSLR-WEB30K fold 1 (Microsoft Research's learning-to-rank
# data set, 136 features, relevance 0-4; Qin and Liu, "Introducing LETOR 4.0 Datasets", 2013),
# as the rankeval package (ISTI-CNR, MPL 2.0) ships them for its tests in its 0.8.2 wheel on
# PyPI. Writes Benchmarks/peers/data/mslr-sample/{train,test}.txt (git-ignored).
set -euo pipefail
cd "$(dirname "$0")"
out=data/mslr-sample
[ -s "$out/train.txt" ] && [ -s "$out/test.txt" ] && exit 0
mkdir -p "$out"
python3 - "$out" <<'PY'
import io, json, sys, urllib.request, zipfile
out = sys.argv[1]
meta = json.load(urllib.request.urlopen("https://pypi.org/pypi/rankeval/json", timeout=60))
wheel = next(u for u in meta["urls"] if u["filename"] == "rankeval-0.8.2-cp37-cp37m-manylinux2010_x86_64.whl")
data = urllib.request.urlopen(wheel["url"], timeout=300).read()
z = zipfile.ZipFile(io.BytesIO(data))
for name, target in [("rankeval/test/data/msn1.fold1.train.5k.txt", "train.txt"), ("rankeval/test/data/msn1.fold1.test.5k.txt", "test.txt")]:
    with open(f"{out}/{target}", "wb") as f:
        f.write(z.read(name))
print(f"{out}: MSLR-WEB30K fold 1 excerpts from {wheel['filename']}")
PY
