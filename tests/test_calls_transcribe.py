"""Transcription: WER on real recordings, dual-channel split, and bad files giving clear UserErrors."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import jiwer
import numpy as np
import pytest

from copilot.core.errors import UserError
from copilot.core.speech import ScriptedTranscriber, Segment, build_transcriber
from tests.conftest import make_settings
from tools.calls.audio import probe
from tools.calls.transcribe import transcribe_audio


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split())


@pytest.fixture(scope="module")
def whisper(tmp_path_factory):
    return build_transcriber(make_settings(tmp_path_factory.mktemp("h"), speech="whisper:tiny.en"))


def test_wer_jfk(whisper, shared_data: Path) -> None:
    t = transcribe_audio(shared_data / "audio/whisper/jfk.flac", whisper)
    ref = (shared_data / "audio/whisper/jfk.txt").read_text()
    assert jiwer.wer(norm(ref), norm(t.text)) < 0.05
    assert t.segments[0].start == 0.0 and t.segments[-1].end == pytest.approx(11.0, abs=0.5)


def test_wer_katiesteve(whisper, shared_data: Path) -> None:
    t = transcribe_audio(shared_data / "audio/azure_katiesteve/katiesteve.wav", whisper, num_speakers=2)
    lines = (shared_data / "audio/azure_katiesteve/katiesteve.reference.txt").read_text().splitlines()
    ref = " ".join(ln.split(":", 1)[1] for ln in lines if ln and not ln.startswith("#"))
    assert jiwer.wer(norm(ref), norm(t.text)) < 0.2
    assert {s.speaker for s in t.segments} <= {"Speaker 1", "Speaker 2"}


def test_dual_channel_text_per_channel(whisper, shared_data: Path) -> None:
    t = transcribe_audio(shared_data / "audio/faster_whisper/stereo_diarization.wav", whisper,
                         names={"rep": "Jordan Lee", "customer": "Dana Whitfield"})
    assert t.mode == "dual-channel"
    rep = norm(" ".join(s.text for s in t.segments if s.role == "rep"))
    cust = norm(" ".join(s.text for s in t.segments if s.role == "customer"))
    assert jiwer.wer("he began a confused complaint against the wizard who had vanished behind the curtain on the left", rep) < 0.1
    assert cust == "the horizon seems extremely distant"
    assert {s.speaker for s in t.segments} == {"Jordan Lee", "Dana Whitfield"}


def _wav(path: Path, seconds: float, rate: int = 16000, width: int = 2) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(b"\x00" * int(seconds * rate) * width)
    return path


def test_bad_files_give_user_errors(tmp_path: Path) -> None:
    tr = ScriptedTranscriber()
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.mp3"
    corrupt.write_bytes(b"this is not audio at all" * 100)
    zero = _wav(tmp_path / "zero.wav", 0)
    long = _wav(tmp_path / "long.wav", 3 * 3600, rate=1000, width=1)  # a real 3-hour file, 10.8 MB
    video = tmp_path / "clip.mp4"
    import av

    with av.open(str(video), "w") as c:
        st = c.add_stream("mpeg4", rate=5)
        st.width, st.height = 32, 32
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), dtype=np.uint8), format="rgb24")
            for p in st.encode(frame):
                c.mux(p)
        for p in st.encode(None):
            c.mux(p)
    cases = {empty: "empty", corrupt: "not a readable audio", zero: "no audio", long: "3:00:00 long",
             video: "video file", tmp_path / "missing.wav": "no audio file"}
    for path, words in cases.items():
        with pytest.raises(UserError, match=words):
            transcribe_audio(path, tr)
    assert probe(_wav(tmp_path / "ok.wav", 1.0)).duration == pytest.approx(1.0)


def test_streaming_windows_keep_times(tmp_path: Path) -> None:
    # 150 s of audio in 60 s windows: the scripted transcriber sees each window once with its offset
    rate = 16000
    t = np.arange(150 * rate) / rate
    samples = (0.3 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * t / 8) > 0)).astype(np.float32)
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    script = [Segment(start=float(s), end=float(s) + 2, text=f"line {s}") for s in range(0, 150, 10)]
    tr = ScriptedTranscriber(script)
    out = transcribe_audio(path, tr, diarize=False)
    assert [s.text for s in out.segments] == [s.text for s in script]
    assert out.duration == pytest.approx(150.0, abs=0.1)
