"""The bundled all-MiniLM-L6-v2 really loads offline and ranks meaning, not spelling."""

from __future__ import annotations

import numpy as np
from tests_support import make_settings_for

from copilot.core.embeddings import HashingEmbedder, build_embedder


def cos(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_minilm_loads_offline_and_ranks_discount_near_price_reduction(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = build_embedder(make_settings_for(tmp_path, embeddings="minilm"))
    discount, reduction, demo = emb.embed(["discount request", "price reduction", "product demo"])
    assert emb.dim == 384 and len(discount) == 384
    assert cos(discount, reduction) > cos(discount, demo) + 0.1
    assert build_embedder(make_settings_for(tmp_path, embeddings="minilm")) is emb  # loaded once per process


def test_hashing_embedder_is_deterministic_and_normalized():
    e = HashingEmbedder(64)
    a, b = e.embed(["Discount request"]), e.embed(["discount request"])
    assert a == b and abs(np.linalg.norm(a[0]) - 1.0) < 1e-9
