"""The hand-written questions (evals/datasets/crm_handwritten.yaml) as rows like the generated ones."""

from __future__ import annotations

from typing import Any

REQUIRED = ("id", "role", "asker", "question", "composition", "split")


def handwritten_rows(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for case in cases:
        missing = [k for k in REQUIRED if k not in case]
        if missing:
            raise ValueError(f"hand-written CRM question {case.get('id', '?')} lacks {', '.join(missing)} "
                             "(see the header of evals/datasets/crm_handwritten.yaml)")
        comp = {"object": "deals", "filters": {}, **case["composition"]}
        rows.append({**case, "composition": comp, "dataset": "demo", "source": "handwritten",
                     "also": [{"object": "deals", "filters": {}, **c} for c in case.get("also") or []]})
    return rows
