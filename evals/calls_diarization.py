"""Speaker turns on a mono recording vs the reference RTTM: frame-level DER (10 ms frames, no collar,
overlap counted, optimal speaker mapping) and turn-boundary F1 (0.5 s tolerance).

    .venv/bin/python evals/calls_diarization.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copilot.core.settings import REPO_ROOT  # noqa: E402

DATA = REPO_ROOT.parent / "shared/data/audio/pyannote_ami_excerpt"


def read_rttm(path: Path) -> list[tuple[float, float, str]]:
    out = []
    for line in path.read_text().splitlines():
        f = line.split()
        if f and f[0] == "SPEAKER":
            out.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return out


def der(ref: list[tuple[float, float, str]], hyp: list[tuple[float, float, str]], duration: float) -> float:
    from scipy.optimize import linear_sum_assignment

    n = int(duration * 100) + 1
    rs, hs = sorted({r[2] for r in ref}), sorted({h[2] for h in hyp})
    R, H = np.zeros((len(rs), n), bool), np.zeros((max(1, len(hs)), n), bool)
    for a, b, s in ref:
        R[rs.index(s), int(a * 100): int(b * 100)] = True
    for a, b, s in hyp:
        H[hs.index(s), int(a * 100): int(b * 100)] = True
    overlap = R.astype(int) @ H.T.astype(int)
    ri, hi = linear_sum_assignment(-overlap)
    nref, nhyp = R.sum(0), H.sum(0)
    correct = np.zeros(n, int)
    for r, h in zip(ri, hi, strict=True):
        correct += R[r] & H[h]
    err = np.maximum(nref, nhyp) - correct
    return float(err.sum() / nref.sum())


def boundary_f1(ref: list[tuple[float, float, str]], hyp: list[tuple[float, float, str]], tol: float = 0.5) -> float:
    def changes(turns):
        turns = sorted(turns)
        return [b[0] for a, b in zip(turns, turns[1:], strict=False) if a[2] != b[2]]

    rb, hb = changes(ref), changes(hyp)
    if not rb or not hb:
        return 0.0
    tp_h = sum(any(abs(h - r) <= tol for r in rb) for h in hb)
    tp_r = sum(any(abs(h - r) <= tol for h in hb) for r in rb)
    p, r = tp_h / len(hb), tp_r / len(rb)
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def main() -> None:
    from faster_whisper.audio import decode_audio

    from tools.calls.diarize import TurnDetector

    audio = decode_audio(str(DATA / "mixture.wav"))
    ref = read_rttm(DATA / "mixture.rttm")
    for k in (4, 2, None):
        det = TurnDetector()
        det.add(audio)
        turns = det.turns(k)
        hyp = [(t.start, t.end, f"S{t.speaker}") for t in turns]
        one = [(0.0, len(audio) / 16000, "S0")]
        print(f"speakers={k or 'auto'}: found {len({h[2] for h in hyp})}, DER {der(ref, hyp, 60):.3f} "
              f"(one-speaker baseline {der(ref, one, 60):.3f}), turn-boundary F1 {boundary_f1(ref, hyp):.3f}")


if __name__ == "__main__":
    main()
