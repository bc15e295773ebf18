"""Calls pipeline benchmark.

    .venv/bin/python bench/bench_calls.py [--file AUDIO] [--hours 1.0]

1. Real-time factor of the whole pipeline (probe, streamed decode, transcription, turn detection,
   speaker labels) against a bare faster-whisper ``transcribe`` of the same file, same model and
   settings, in the same run; prints the ratio (target <= 1.15).
2. Peak memory (max RSS, in a fresh subprocess each) of streaming a long file (the sample concatenated
   to ``--hours``, built in a temp dir and deleted) through decode + turn detection, against
   ``faster_whisper.decode_audio`` of the same file (which holds all of it in memory).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT.parent / "shared/data/audio/azure_katiesteve/katiesteve.wav"


def rtf(path: Path, repeats: int) -> None:
    from faster_whisper.audio import decode_audio

    from copilot.core.settings import load_settings
    from copilot.core.speech import build_transcriber
    from tools.calls.transcribe import transcribe_audio

    tr = build_transcriber(load_settings(home=tempfile.mkdtemp(), speech="whisper:tiny.en"))
    model = tr.model  # load once, outside the timings
    duration = len(decode_audio(str(path))) / 16000
    bare, ours = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        segs, _ = model.transcribe(str(path), language="en", beam_size=5)
        list(segs)
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        transcribe_audio(path, tr)
        ours.append(time.perf_counter() - t)
    b, o = min(bare), min(ours)
    print(f"file {path.name}: {duration:.1f} s audio, best of {repeats}")
    print(f"  bare faster-whisper: {b:.2f} s (RTF {b / duration:.3f})")
    print(f"  calls pipeline:      {o:.2f} s (RTF {o / duration:.3f})")
    print(f"  ratio pipeline/bare: {o / b:.2f}x (target <= 1.15)")


def make_long(src: Path, hours: float, out: Path) -> Path:
    with wave.open(str(src)) as w:
        params, frames = w.getparams(), w.readframes(w.getnframes())
    n = int(hours * 3600 / (params.nframes / params.framerate)) + 1
    with wave.open(str(out), "wb") as w:
        w.setparams(params)
        for _ in range(n):
            w.writeframes(frames)
    return out


CHILD = {
    "pipeline": "from tools.calls.transcribe import transcribe_audio\n"
                "from copilot.core.speech import ScriptedTranscriber\n"
                "t = transcribe_audio(sys.argv[1], ScriptedTranscriber(), max_seconds=4*3600)\n"
                "print(f'{t.duration:.0f}')",
    "decode_audio": "from faster_whisper.audio import decode_audio\n"
                    "a = decode_audio(sys.argv[1])\nprint(f'{len(a)/16000:.0f}')",
}


def child(kind: str, path: Path) -> tuple[float, float]:
    code = f"import sys, resource; sys.path.insert(0, {str(ROOT)!r})\n{CHILD[kind]}\n" \
           "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    secs = time.perf_counter() - t
    return int(out.stdout.split()[-1]) / 1024, secs


def memory(src: Path, hours: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        long = make_long(src, hours, Path(tmp) / "long.wav")
        print(f"long file: {hours:.1f} h, {long.stat().st_size / 2**20:.0f} MB on disk (temp)")
        ours, t1 = child("pipeline", long)
        base, t2 = child("decode_audio", long)
        print(f"  streamed decode + turn detection: peak RSS {ours:.0f} MB in {t1:.0f} s")
        print(f"  faster_whisper.decode_audio:      peak RSS {base:.0f} MB in {t2:.0f} s")
        print(f"  ratio: {ours / base:.2f}x")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", type=Path, default=DEFAULT)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    rtf(a.file, a.repeats)
    memory(a.file, a.hours)
    print(f"(this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
