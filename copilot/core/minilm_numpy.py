"""A BERT sentence encoder in plain numpy, so the first query embedding needs no torch.

Why this exists: importing torch and sentence-transformers costs seconds on every cold start
(``copilot ask``), while the forward pass of all-MiniLM-L6-v2 for one query is a few small matrix
products. Here the weights are read straight from ``model.safetensors`` (memory-mapped by
``safetensors.numpy``; the dense layers are transposed once in memory), the text is tokenized by
``tokenizers`` from the model's own ``tokenizer.json``, and the six layers run in float32 numpy.
Nothing is downloaded and no cache is written: loading takes under 0.1 s, so a cached ``.npy`` copy
of the weights would not help.

Why numpy rather than onnxruntime: there is no ONNX file in the model package; exporting one needs
torch (the cost we are avoiding) or a hand-built graph, and numpy already matches torch to ~1e-6.

Measured with ``bench/bench_cold_start.py`` on 2 shared cores: a cold process's first query vector in
0.2-0.5 s against 3.8-6.8 s for a bare sentence-transformers load (0.07x). 64 sixty-word chunks: with
idle cores ~0.8 s against ~0.75 s for torch (2 threads each); with the cores busy, 1.7 s against 2.5 s.
So this path serves every batch size, and ingestion does not import torch either.

It reproduces sentence-transformers exactly for a narrow shape of model, checked by ``why_not``:
a BERT encoder (absolute positions, erf GELU) followed by mean pooling, then L2 normalization.
Anything else returns a reason and the caller uses sentence-transformers instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

# Padded tokens per forward step. Small steps keep activations in cache: measured on 64 chunks of
# ~70 tokens, 512 was ~25% faster than one 4096-token step, and it bounds the attention scores.
_TOKENS_PER_STEP = 512
# BLAS runs on one thread; a call of more than this many tokens is spread over ``threads`` Python
# threads instead (numpy releases the GIL in matrix products), each taking whole steps. Why: OpenBLAS's
# own threads wait for each other at every matrix product, so when other processes hold the cores
# they stall. Measured at load average 5 on 2 cores: a cold first query took 0.6-0.8 s with 2 OpenBLAS
# threads and 0.1-0.2 s with 1; 64 sixty-word chunks took 2.9-4.8 s with 2 OpenBLAS threads, 1.6-1.9 s
# with 1, 1.4-2.1 s with 2 Python threads (torch with 2 threads: 2.4-3.1 s).
_PARALLEL_TOKENS = 512
# BLAS thread counts are per process: calls that change them take turns.
_BLAS_LOCK = threading.Lock()


_REQUIRED = ("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
             "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
             "encoder.layer.0.attention.self.query.weight")


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def why_not(path: str | os.PathLike[str]) -> str | None:
    """None when ``path`` is a sentence-transformers directory this module encodes exactly, else why not."""
    root = Path(path)
    for name in ("modules.json", "config.json", "model.safetensors", "tokenizer.json"):
        if not (root / name).is_file():
            return f"no {name}"
    modules = _read_json(root / "modules.json")
    types = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if types not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return f"modules {types} are not Transformer, Pooling[, Normalize]"  # Normalize: we always normalize
    if modules[0].get("path", "") != "":
        return "the Transformer module is not at the top of the directory"
    pooling_file = root / modules[1].get("path", "1_Pooling") / "config.json"
    pooling = _read_json(pooling_file) if pooling_file.is_file() else {}
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if modes != {"pooling_mode_mean_tokens"}:
        return f"pooling {sorted(modes)} is not mean pooling"
    cfg = _read_json(root / "config.json")
    if cfg.get("model_type") != "bert" or cfg.get("hidden_act") != "gelu":
        return "not a BERT model with erf GELU"
    if cfg.get("position_embedding_type", "absolute") != "absolute":
        return "position embeddings are not absolute"
    from safetensors import safe_open

    with safe_open(str(root / "model.safetensors"), framework="numpy") as f:  # reads the header only
        keys = set(f.keys())
    layers = int(cfg.get("num_hidden_layers", 0))
    for prefix in ("", "bert."):
        if {prefix + k for k in _REQUIRED} | {prefix + f"encoder.layer.{layers - 1}.output.dense.weight"} <= keys:
            break
    else:
        return "model.safetensors does not hold BertModel weights"
    st_cfg = root / "sentence_bert_config.json"
    if st_cfg.is_file() and _read_json(st_cfg).get("do_lower_case"):
        return "sentence_bert_config.json lowercases input"
    extra = root / "config_sentence_transformers.json"
    if extra.is_file():
        st_extra = _read_json(extra)
        if st_extra.get("default_prompt_name") or any((st_extra.get("prompts") or {}).values()):
            return "the model uses prompts"
    return None


def max_seq_length(root: Path, cfg: dict[str, Any]) -> int:
    """What sentence-transformers truncates to: ``sentence_bert_config.json``, else the smaller of the
    position table and the tokenizer's ``model_max_length``."""
    st_cfg = root / "sentence_bert_config.json"
    if st_cfg.is_file() and _read_json(st_cfg).get("max_seq_length"):
        return int(_read_json(st_cfg)["max_seq_length"])
    limit = int(cfg.get("max_position_embeddings", 512))
    tok_cfg = root / "tokenizer_config.json"
    if tok_cfg.is_file():
        limit = min(limit, int(_read_json(tok_cfg).get("model_max_length", limit)))
    return limit


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, in place on ``x``; numpy has no erf, so erf(z) = 1 - poly(t)·exp(-z²) with
    t = 1/(1 + p·|z|) (Abramowitz and Stegun 7.1.26, error below 1.5e-7: float32 noise).

    For z = x/√2 that gives gelu(x) = max(x, 0) - |x|·poly·exp(-z²)/2, written as a few in-place passes
    because this is the largest elementwise cost of the forward pass."""
    a = np.abs(x)
    z = a * np.float32(0.7071067811865476)
    t = z * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for coef in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coef)
        poly *= t
    np.multiply(z, z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z
    poly *= a
    poly *= np.float32(0.5)
    np.maximum(x, 0.0, out=x)
    x -= poly
    return x


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(-1, keepdims=True)
    return centered / np.sqrt(var + np.float32(eps)) * weight + bias


class BertEncoder:
    """Encodes texts to L2-normalized mean-pooled BERT vectors. Build with ``BertEncoder.load(dir)``."""

    def __init__(self, weights: dict[str, np.ndarray], cfg: dict[str, Any], tokenizer: Any, max_len: int,
                 threads: int = 1) -> None:
        self.tokenizer = tokenizer
        self.max_len = max_len
        self.threads = max(1, threads)  # worker threads for large calls
        self._blas: Any = None  # a threadpoolctl.ThreadpoolController (False without it), made on first use
        self.heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.pad_id = int(cfg.get("pad_token_id", 0) or 0)
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

        def w(name: str) -> np.ndarray:
            return weights[prefix + name]

        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type0 = w("embeddings.token_type_embeddings.weight")[0]
        self.emb_ln = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.dim = int(self.word.shape[1])
        self.layers = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv = np.concatenate([w(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")])
            qkv_b = np.concatenate([w(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append((
                np.ascontiguousarray(qkv.T), qkv_b,
                np.ascontiguousarray(w(p + "attention.output.dense.weight").T), w(p + "attention.output.dense.bias"),
                (w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias")),
                np.ascontiguousarray(w(p + "intermediate.dense.weight").T), w(p + "intermediate.dense.bias"),
                np.ascontiguousarray(w(p + "output.dense.weight").T), w(p + "output.dense.bias"),
                (w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")),
            ))

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, threads: int = 1) -> BertEncoder:
        """Read a directory ``why_not`` accepted. Imports only numpy, safetensors and tokenizers
        (and threadpoolctl, if installed, to hold BLAS to one thread)."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = Path(path)
        cfg = _read_json(root / "config.json")
        max_len = min(max_seq_length(root, cfg), int(cfg.get("max_position_embeddings", 512)))
        tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        tokenizer.no_padding()  # tokenizer.json may pin a fixed padding (128 for MiniLM); we pad per batch
        tokenizer.enable_truncation(max_length=max_len, strategy="longest_first")
        weights = {k: v.astype(np.float32, copy=False) for k, v in load_file(str(root / "model.safetensors")).items()}
        return cls(weights, cfg, tokenizer, max_len, threads)

    @contextlib.contextmanager
    def _one_blas_thread(self) -> Iterator[bool]:
        """Hold BLAS to one thread for the call; yields False when it cannot (no threadpoolctl)."""
        if self._blas is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:
                self._blas = False
            else:
                self._blas = ThreadpoolController()
        if not self._blas:
            yield False
            return
        with _BLAS_LOCK, self._blas.limit(limits=1, user_api="blas"):
            yield True

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, unit length; inputs sorted by length so padding stays small."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch([t.strip() for t in texts])]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        steps, start = [], 0
        while start < len(order):
            step = max(1, _TOKENS_PER_STEP // len(ids[order[start]]))
            steps.append(order[start : start + step])
            start += step
        with self._one_blas_thread() as limited:
            workers = min(self.threads, len(steps)) if limited and sum(map(len, ids)) > _PARALLEL_TOKENS else 1
            if workers == 1:
                for chunk in steps:
                    out[chunk] = self._step(ids, chunk)
            else:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(workers, thread_name_prefix="minilm") as pool:
                    for chunk, vecs in zip(steps, pool.map(lambda c: self._step(ids, c), steps), strict=True):
                        out[chunk] = vecs
        return out

    def _step(self, ids: list[list[int]], chunk: list[int]) -> np.ndarray:
        longest = len(ids[chunk[0]])
        batch = np.full((len(chunk), longest), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(chunk), longest), dtype=np.float32)
        for row, i in enumerate(chunk):
            batch[row, : len(ids[i])] = ids[i]
            mask[row, : len(ids[i])] = 1.0
        return self._forward(batch, mask)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = ids.shape
        heads, head_dim = self.heads, self.dim // self.heads
        x = self.word[ids] + self.position[:n] + self.token_type0
        x = _layer_norm(x, *self.emb_ln, self.eps).reshape(b * n, self.dim)
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(head_dim))
        for qkv_w, qkv_b, o_w, o_b, ln1, i_w, i_b, f_w, f_b, ln2 in self.layers:
            qkv = (x @ qkv_w + qkv_b).reshape(b, n, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] * scale) @ qkv[1].transpose(0, 1, 3, 2) + bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(b * n, self.dim)
            x = _layer_norm(ctx @ o_w + o_b + x, *ln1, self.eps)
            x = _layer_norm(_gelu(x @ i_w + i_b) @ f_w + f_b + x, *ln2, self.eps)
        x = x.reshape(b, n, self.dim)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), np.float32(1e-9))
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return (pooled / norms).astype(np.float32)
