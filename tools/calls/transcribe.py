"""Recording -> speaker-labelled transcript, streamed window by window with bounded memory."""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel, Field

from copilot.core.speech import SAMPLE_RATE, Segment, Transcriber
from tools.calls.audio import DEFAULT_MAX_SECONDS, probe, stream
from tools.calls.diarize import TurnDetector, channels_differ, label_by_turns, label_channels

DEFAULT_ROLES = {0: "rep", 1: "customer"}


class Transcript(BaseModel):
    segments: list[Segment] = Field(default_factory=list)
    duration: float = 0.0
    channels: int = 1
    mode: str = Field(default="mono", description="'dual-channel' or 'mono'")
    audio: str | None = None
    transcriber: str | None = None

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()

    def to_json(self) -> dict:
        return {"text": self.text, **self.model_dump(mode="json")}

    @classmethod
    def from_text(cls, text: str, *, names: dict[str, str] | None = None) -> Transcript:
        """Parse a text transcript: one turn per line, ``[mm:ss] Speaker: text`` or ``Speaker: text``."""
        import re

        names = names or {}
        by_name = {v.lower(): k for k, v in names.items()}
        segs: list[Segment] = []
        clock = 0.0
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^\[?(?:(\d+):)?(\d+):(\d\d(?:\.\d+)?)\]?\s*(.*)$", line)
            start = None
            if m:
                start = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
                line = m.group(4)
            line = re.sub(r"^([\w .'-]{1,40})：", r"\1:", line)  # a Chinese transcript's full-width colon
            speaker, _, said = line.partition(":") if re.match(r"^[\w .'-]{1,40}:", line) else ("", "", line)
            said = said.strip() or line
            start = clock if start is None else start
            han = len(re.findall(r"[\u4e00-\u9fff]", said))  # Mandarin: about 4 characters a second
            end = start + max(1.0, len(re.sub(r"[\u4e00-\u9fff]", " ", said).split()) / 2.5 + han / 4)
            spk = speaker.strip() or None
            role = by_name.get((spk or "").lower()) or ((spk or "").lower() if (spk or "").lower() in ("rep", "customer") else None)
            segs.append(Segment(start=round(start, 2), end=round(end, 2), text=said, speaker=spk, role=role))
            clock = end
        return cls(segments=segs, duration=segs[-1].end if segs else 0.0, mode="text")


def transcribe_audio(
    path: str | Path,
    transcriber: Transcriber,
    *,
    names: dict[str, str] | None = None,
    roles: dict[int, str] | None = None,
    num_speakers: int | None = None,
    diarize: bool = True,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    window: float = 60.0,
    progress: bool = False,
) -> Transcript:
    """Transcribe a call. ``names`` maps 'rep'/'customer' (dual-channel) to attendee names; ``roles``
    maps channel index to role (default left = rep, right = customer)."""
    info = probe(path, max_seconds=max_seconds)
    stereo = info.channels >= 2
    roles = roles or DEFAULT_ROLES
    segments: list[Segment] = []
    detector = TurnDetector() if diarize else None
    dual: bool | None = None
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=round(info.duration or 0), unit="s", desc=Path(path).name, file=sys.stderr, leave=False)
    end = 0.0
    try:
        for offset, samples in stream(path, stereo=stereo, window=window, max_seconds=max_seconds):
            if dual is None:
                dual = stereo and channels_differ(samples)
            if dual:
                for ch in (0, 1):
                    segments.extend(transcriber.transcribe(samples[ch], offset=offset, channel=ch))
            else:
                mono = samples.mean(axis=0) if samples.shape[0] > 1 else samples[0]
                segments.extend(transcriber.transcribe(mono, offset=offset))
                if detector is not None:
                    detector.add(mono)
            end = offset + samples.shape[1] / SAMPLE_RATE
            if bar is not None:
                bar.update(round(end) - bar.n)
    finally:
        if bar is not None:
            bar.close()
    segments.sort(key=lambda s: (s.start, s.channel or 0))
    if dual:
        label_channels(segments, roles, names or {})
    elif detector is not None:
        label_by_turns(segments, detector.turns(num_speakers))
    return Transcript(segments=segments, duration=round(end, 2), channels=info.channels,
                      mode="dual-channel" if dual else "mono", audio=str(path), transcriber=transcriber.name)
