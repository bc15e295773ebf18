"""How well the role-play rubric scorer agrees with human labels on 22 hand-labelled transcripts.

    .venv/bin/python evals/roleplay_agreement.py [--embeddings hash|minilm] [--json OUT]

Reports accuracy per check (over transcripts where the human says the check applies), overall check
accuracy, and pass/fail accuracy with Cohen's kappa. Labels were written before the scorer was run on them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copilot.app import Copilot  # noqa: E402
from copilot.core.settings import REPO_ROOT, load_settings  # noqa: E402
from evals.metrics import cohen_kappa  # noqa: E402

DATASETS = {
    "dev": REPO_ROOT / "evals" / "datasets" / "roleplay_transcripts.jsonl",  # cue lists were tuned on these
    "holdout": REPO_ROOT / "evals" / "datasets" / "roleplay_transcripts_holdout.jsonl",  # never tuned on
}


def evaluate(cp: Copilot, rows: list[dict]) -> dict:
    per_check: dict[str, list[bool]] = {}
    human, machine, disagreements = [], [], []
    for row in rows:
        score = cp.services.roleplay.score_text(row["transcript"], scenario_id=row.get("scenario"))
        got = {c.id: c.passed for c in score.checks}
        for check, want in row["label"]["checks"].items():
            if want is None and got.get(check) is None:
                continue
            ok = got.get(check) == want
            per_check.setdefault(check, []).append(ok)
            if not ok:
                disagreements.append(f"{row['id']} {check}: human {want}, scorer {got.get(check)}")
        human.append(bool(row["label"]["passed"]))
        machine.append(score.passed)
    all_checks = [v for vs in per_check.values() for v in vs]
    return {
        "transcripts": len(rows),
        "check_accuracy": {k: round(sum(v) / len(v), 3) for k, v in per_check.items()},
        "check_accuracy_overall": round(sum(all_checks) / len(all_checks), 3),
        "pass_accuracy": round(sum(h == m for h, m in zip(human, machine, strict=True)) / len(rows), 3),
        "pass_kappa": round(cohen_kappa(human, machine), 3),
        "human_pass_rate": round(sum(human) / len(rows), 3),
        "scorer_pass_rate": round(sum(machine) / len(rows), 3),
        "disagreements": disagreements,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embeddings", default="hash")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as home:
        cp = Copilot(load_settings(home=Path(home), llm="none", embeddings=args.embeddings,
                                   persona_dir=REPO_ROOT / "demo" / "library" / "personas"))  # the cards labelled
        try:
            for name, path in DATASETS.items():
                rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
                results[name] = evaluate(cp, rows)
                _print(name, results[name], args.embeddings)
        finally:
            cp.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def _print(name: str, result: dict, embeddings: str) -> None:
    print(f"[{name}] role-play rubric agreement on {result['transcripts']} transcripts ({embeddings} embeddings)")
    for check, acc in result["check_accuracy"].items():
        print(f"  {check:32s} {acc:.2f}")
    print(f"  {'all checks':32s} {result['check_accuracy_overall']:.2f}")
    print(f"pass/fail accuracy {result['pass_accuracy']:.2f}, Cohen's kappa {result['pass_kappa']:.2f} "
          f"(human pass rate {result['human_pass_rate']:.2f}, scorer {result['scorer_pass_rate']:.2f})")
    for d in result["disagreements"]:
        print("  disagree:", d)


if __name__ == "__main__":
    main()
