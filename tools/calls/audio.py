"""Reading call audio with PyAV (no ffmpeg binary): checks before decoding, then a bounded-memory stream.

``probe`` rejects what cannot be a call recording (missing, empty, corrupt, video, too long, no
audio) with a ``UserError`` naming the problem, before any decoding. ``stream`` yields windows of
16 kHz float32 samples (one row per channel), cut at the quietest moment near each window's end so
words are not split, holding at most one window plus a few seconds in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from copilot.core.errors import UserError
from copilot.core.speech import SAMPLE_RATE

FORMATS = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")
DEFAULT_MAX_SECONDS = 2 * 3600.0


@dataclass(frozen=True)
class AudioInfo:
    path: Path
    duration: float | None
    channels: int
    codec: str


def _fmt(seconds: float) -> str:
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def _open(path: Path):  # type: ignore[no-untyped-def]
    import av

    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{path.name}: not a readable audio file ({exc.__class__.__name__})",
                        hint=f"use one of {', '.join(FORMATS)}") from None


def probe(path: str | Path, *, max_seconds: float = DEFAULT_MAX_SECONDS) -> AudioInfo:
    """Check a recording before decoding it; every failure is a UserError that says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no audio file at {path}", hint="check the path")
    if path.stat().st_size == 0:
        raise UserError(f"{path.name} is empty (0 bytes)", hint="record or export the call again")
    container = _open(path)
    try:
        if container.streams.video and any(s.frames > 1 or s.codec_context.name not in ("mjpeg", "png")
                                           for s in container.streams.video):
            raise UserError(f"{path.name} is a video file", hint=f"extract the audio track as one of {', '.join(FORMATS)}")
        if not container.streams.audio:
            raise UserError(f"{path.name} has no audio track", hint=f"use one of {', '.join(FORMATS)}")
        stream = container.streams.audio[0]
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        if duration is not None and duration > max_seconds:
            raise UserError(f"{path.name} is {_fmt(duration)} long; the limit is {_fmt(max_seconds)}",
                            hint="split the recording or raise the limit")
        channels = stream.codec_context.channels or 1
        return AudioInfo(path, duration, channels, stream.codec_context.name)
    finally:
        container.close()


def stream(path: str | Path, *, stereo: bool, window: float = 60.0, search: float = 4.0,
           max_seconds: float = DEFAULT_MAX_SECONDS) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(offset_seconds, samples)`` with samples shaped (channels, n), channels 2 if ``stereo``."""
    import av

    path = Path(path)
    container = _open(path)
    nch = 2 if stereo else 1
    resampler = av.AudioResampler(format="fltp", layout="stereo" if stereo else "mono", rate=SAMPLE_RATE)
    win = int(window * SAMPLE_RATE)
    look = int(search * SAMPLE_RATE)
    parts: list[np.ndarray] = []
    held = 0
    offset = 0
    emitted_any = False

    def cut(buf: np.ndarray) -> int:
        # quietest 100 ms frame in the last `search` seconds of the window
        region = buf[:, win - look: win]
        hop = SAMPLE_RATE // 10
        frames = region[:, : (region.shape[1] // hop) * hop].reshape(nch, -1, hop)
        energy = (frames ** 2).sum(axis=(0, 2))
        return win - look + int(np.argmin(energy)) * hop + hop // 2

    try:
        audio = container.streams.audio[0]
        frames = container.decode(audio)
        while True:
            try:
                frame = next(frames)
                out = resampler.resample(frame)
            except StopIteration:
                out = resampler.resample(None)
                frame = None
            except av.error.FFmpegError as exc:
                raise UserError(f"{path.name}: audio data is corrupt after {_fmt(offset / SAMPLE_RATE)} ({exc})",
                                hint="re-export the recording") from None
            for o in out:
                arr = o.to_ndarray().astype(np.float32).reshape(nch, -1)
                parts.append(arr)
                held += arr.shape[1]
            while held >= win + look:
                buf = np.concatenate(parts, axis=1)
                at = cut(buf)
                yield offset / SAMPLE_RATE, buf[:, :at]
                emitted_any = True
                offset += at
                if offset / SAMPLE_RATE > max_seconds:
                    raise UserError(f"{path.name} is longer than the limit of {_fmt(max_seconds)}",
                                    hint="split the recording or raise the limit")
                parts, held = [buf[:, at:]], buf.shape[1] - at
            if frame is None:
                break
        if held:
            yield offset / SAMPLE_RATE, np.concatenate(parts, axis=1)
        elif not emitted_any:
            raise UserError(f"{path.name} contains no audio (0 seconds)", hint="record or export the call again")
    finally:
        container.close()
