"""Who spoke when.

Dual-channel recordings need no guessing: each channel is one side (left = rep, right = customer by
default) and is transcribed on its own. Mono recordings get speaker turns from a lightweight method:
energy-based speech detection, MFCC statistics over 1.5 s windows (0.75 s hop), agglomerative
clustering (Ward) with the number of speakers given (attendee count) or chosen by silhouette, and
a median filter over the labels. Features are gathered window by window, so an hour of audio costs a
few MB. Names come only from the attendee map, never from names spoken in the call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from copilot.core.speech import SAMPLE_RATE, Segment

FRAME, HOP, NFFT, NMELS, NCEPS = 400, 160, 512, 40, 20
WIN_FRAMES, WIN_HOP = 150, 75  # 1.5 s windows, 0.75 s hop (in 10 ms frames)


def _mel_filterbank() -> np.ndarray:
    def hz2mel(h: np.ndarray | float) -> np.ndarray | float:
        return 2595 * np.log10(1 + np.asarray(h) / 700)

    mels = np.linspace(hz2mel(60), hz2mel(7600), NMELS + 2)
    hz = 700 * (10 ** (mels / 2595) - 1)
    bins = np.floor((NFFT + 1) * hz / SAMPLE_RATE).astype(int)
    fb = np.zeros((NMELS, NFFT // 2 + 1), dtype=np.float32)
    for m in range(1, NMELS + 1):
        lo, c, hi = bins[m - 1], bins[m], bins[m + 1]
        for k in range(lo, c):
            fb[m - 1, k] = (k - lo) / max(c - lo, 1)
        for k in range(c, hi):
            fb[m - 1, k] = (hi - k) / max(hi - c, 1)
    return fb


_FB = _mel_filterbank()


def mfcc(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(log energy per 10 ms frame, MFCC c1..c19 per frame) of 16 kHz mono samples."""
    from scipy.fft import dct

    x = np.append(samples[:1], samples[1:] - 0.97 * samples[:-1]).astype(np.float32)
    n = 1 + max(0, (len(x) - FRAME) // HOP)
    if len(x) < FRAME:
        return np.zeros(0), np.zeros((0, NCEPS - 1))
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    frames = x[idx] * np.hamming(FRAME).astype(np.float32)
    power = np.abs(np.fft.rfft(frames, NFFT)) ** 2 / NFFT
    energy = np.log(power.sum(axis=1) + 1e-10)
    logmel = np.log(power @ _FB.T + 1e-10)
    ceps = dct(logmel, type=2, axis=1, norm="ortho")[:, 1:NCEPS]
    return energy, ceps


@dataclass
class Turn:
    start: float
    end: float
    speaker: int


@dataclass
class TurnDetector:
    """Collects per-window features while audio streams past, then clusters them into turns."""

    energies: list[np.ndarray] = field(default_factory=list)
    ceps: list[np.ndarray] = field(default_factory=list)

    def add(self, samples: np.ndarray) -> None:
        # frames are kept as float16 statistics only: ~80 bytes per 10 ms, ~30 MB per hour
        e, c = mfcc(samples)
        self.energies.append(e.astype(np.float32))
        self.ceps.append(c.astype(np.float16))

    def turns(self, num_speakers: int | None = None, max_speakers: int = 6) -> list[Turn]:
        if not self.energies:
            return []
        energy = np.concatenate(self.energies)
        ceps = np.concatenate(self.ceps).astype(np.float32)
        if len(energy) < WIN_FRAMES:
            return [Turn(0.0, len(energy) / 100, 0)] if len(energy) else []
        floor, top = np.percentile(energy, 10), np.percentile(energy, 95)
        speech = energy > floor + 0.35 * (top - floor)
        ceps = (ceps - ceps.mean(axis=0)) / (ceps.std(axis=0) + 1e-6)
        starts, feats = [], []
        for s in range(0, len(energy) - WIN_FRAMES + 1, WIN_HOP):
            mask = speech[s: s + WIN_FRAMES]
            if mask.mean() < 0.3:
                continue
            win = ceps[s: s + WIN_FRAMES][mask]
            feats.append(np.concatenate([win.mean(axis=0), win.std(axis=0)]))
            starts.append(s)
        if not feats:
            return []
        X = np.asarray(feats)
        labels = self._cluster(X, num_speakers, max_speakers)
        labels = _median(labels, 3)
        turns: list[Turn] = []
        for s, lab in zip(starts, labels, strict=True):
            t0, t1 = (s + WIN_HOP // 2) / 100, (s + WIN_FRAMES - WIN_HOP // 2) / 100
            if turns and turns[-1].speaker == lab and t0 - turns[-1].end < 1.0:
                turns[-1].end = t1
            else:
                turns.append(Turn(t0, t1, int(lab)))
        return turns

    @staticmethod
    def _cluster(X: np.ndarray, k: int | None, max_k: int, cap: int = 1500) -> np.ndarray:
        # Ward clustering is quadratic in memory: cluster an even subsample of at most `cap` windows,
        # then give every window the label of the nearest cluster centre (an hour stays ~20 MB).
        if len(X) > cap:
            pick = np.linspace(0, len(X) - 1, cap).astype(int)
            sub = TurnDetector._cluster(X[pick], k, max_k, cap)
            centres = np.stack([X[pick][sub == c].mean(axis=0) for c in np.unique(sub)])
            labels = np.unique(sub)[((X[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)]
            return labels
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.metrics import silhouette_score

        if len(X) < 3:
            return np.zeros(len(X), dtype=int)
        if k:
            return AgglomerativeClustering(n_clusters=min(k, len(X))).fit_predict(X)
        best, best_score = np.zeros(len(X), dtype=int), 0.05
        for n in range(2, min(max_k, len(X) - 1) + 1):
            labels = AgglomerativeClustering(n_clusters=n).fit_predict(X)
            score = silhouette_score(X, labels)
            if score > best_score:
                best, best_score = labels, score
        return best


def _median(labels: np.ndarray, width: int) -> np.ndarray:
    out = labels.copy()
    half = width // 2
    for i in range(half, len(labels) - half):
        vals, counts = np.unique(labels[i - half: i + half + 1], return_counts=True)
        out[i] = vals[np.argmax(counts)]
    return out


def label_by_turns(segments: list[Segment], turns: list[Turn], names: dict[int, str] | None = None) -> None:
    """Give each segment the speaker whose turns overlap it most ('Speaker N' unless ``names`` says)."""
    names = names or {}
    for seg in segments:
        overlap: dict[int, float] = {}
        for t in turns:
            o = min(seg.end, t.end) - max(seg.start, t.start)
            if o > 0:
                overlap[t.speaker] = overlap.get(t.speaker, 0.0) + o
        if overlap:
            spk = max(overlap, key=lambda k: overlap[k])
            seg.speaker = names.get(spk, f"Speaker {spk + 1}")


def label_channels(segments: list[Segment], roles: dict[int, str], names: dict[str, str]) -> None:
    """Dual-channel: channel -> role ('rep'/'customer') -> display name from the attendee map."""
    for seg in segments:
        if seg.channel is None:
            continue
        role = roles.get(seg.channel)
        seg.role = role
        seg.speaker = names.get(role or "") or (role.capitalize() if role else f"Channel {seg.channel}")


def channels_differ(samples: np.ndarray) -> bool:
    """False for 'stereo' files whose two channels carry the same signal (treat those as mono)."""
    if samples.shape[0] < 2:
        return False
    a, b = samples[0], samples[1]
    if not a.any() and not b.any():
        return True
    diff = np.abs(a - b).mean()
    return bool(diff > 0.05 * (np.abs(a).mean() + np.abs(b).mean() + 1e-9))
