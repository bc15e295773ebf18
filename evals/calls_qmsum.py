"""How well the offline extractive call summary covers human meeting summaries (QMSum, AMI product meetings).

    .venv/bin/python evals/calls_qmsum.py [--embeddings hash|minilm]

For each meeting: the extractive summary's text (all sections) against the human answer to
"Summarize the whole meeting.", scored with ROUGE-L (LCS-based, implemented here), next to a lead
baseline (the meeting's first words, same length as our summary).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copilot.core.settings import REPO_ROOT  # noqa: E402
from copilot.core.speech import Segment  # noqa: E402


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str) -> dict[str, float]:
    c, r = tokens(candidate), tokens(reference)
    if not c or not r:
        return {"p": 0.0, "r": 0.0, "f": 0.0}
    n = lcs(c, r)
    p, rec = n / len(c), n / len(r)
    return {"p": p, "r": rec, "f": 0.0 if n == 0 else 2 * p * rec / (p + rec)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embeddings", default="hash")
    ap.add_argument("--data", default=str(REPO_ROOT.parent / "shared/data/meetings/qmsum_ami_product"))
    args = ap.parse_args()
    from copilot.core.embeddings import HashingEmbedder, build_embedder
    from copilot.core.settings import load_settings
    from tools.calls.summarize import CallContext, Summarizer

    emb = HashingEmbedder() if args.embeddings == "hash" else build_embedder(
        load_settings(home="/tmp/qmsum-eval", embeddings=args.embeddings))
    sm = Summarizer(embedder=emb)
    rows: list[tuple[str, dict[str, float], dict[str, float], int]] = []
    for f in sorted(Path(args.data).glob("*.json")):
        d = json.loads(f.read_text())
        ref = d["general_query_list"][0]["answer"]
        segs, t = [], 0.0
        for turn in d["meeting_transcripts"]:
            n = len(turn["content"].split())
            segs.append(Segment(start=t, end=t + n / 2.5, text=turn["content"], speaker=turn["speaker"]))
            t += n / 2.5
        s = sm.summarize(segs, CallContext(call_id=f.stem, title=f.stem, call_date=date(2025, 1, 6)))
        ours = " ".join(it.text for sec, items in s.sections.items() if sec != "context" for it in items)
        lead = " ".join(" ".join(seg.text for seg in segs).split()[: max(1, len(tokens(ours)))])
        rows.append((f.stem, rouge_l(ours, ref), rouge_l(lead, ref), len(tokens(ours))))
    print(f"{'meeting':10} {'ours R':>7} {'ours F':>7} {'lead R':>7} {'lead F':>7} {'words':>6}")
    for name, o, b, n in rows:
        print(f"{name:10} {o['r']:7.3f} {o['f']:7.3f} {b['r']:7.3f} {b['f']:7.3f} {n:6d}")
    ours_mean = {k: sum(r[1][k] for r in rows) / len(rows) for k in ("r", "f")}
    lead_mean = {k: sum(r[2][k] for r in rows) / len(rows) for k in ("r", "f")}
    print(f"{'mean':10} {ours_mean['r']:7.3f} {ours_mean['f']:7.3f} {lead_mean['r']:7.3f} {lead_mean['f']:7.3f}")


if __name__ == "__main__":
    main()
