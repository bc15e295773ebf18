"""Figures and dates as people write them: $1,234,567 / $1.2M / 850k / 43% / 0.43 / 76.5 days / Nov 18."""

from __future__ import annotations

import re
from datetime import date

NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?"
                    r"(k|thousand|mm|m|million|bn|b)?\b\s?(%|percent\b)?", re.IGNORECASE)
MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9}
TOLERANCE = 0.005


def numbers(text: str) -> list[tuple[float, float, bool]]:
    """(value, precision of the last digit shown, is a percentage) for every figure in the text."""
    out = []
    for m in NUMBER.finditer(text.replace("\u00a0", " ")):
        whole, frac, unit, pct = m.groups()
        mult = MULT.get((unit or "").lower(), 1.0)
        value = (float(whole.replace(",", "")) + (float(f"0.{frac}") if frac else 0.0)) * mult
        precision = (10.0 ** -len(frac) if frac else 1.0) * mult
        out.append((value, precision, bool(pct)))
    return out


def number_in_text(text: str, target: float, metric: str) -> bool:
    """Does the text state ``target``, allowing for rounding to the digits it shows?"""
    for value, precision, pct in numbers(text):
        if metric in ("count", "activity_count"):
            if not pct and value == round(target) and precision >= 1:
                return True
            continue
        if metric == "win_rate":
            want = target * 100 if pct or value > 1 else target
            tol = max(0.5 * precision, TOLERANCE * abs(want)) + 1e-9
            if abs(value - want) <= tol:
                return True
            continue
        if pct:
            continue
        if abs(value - target) <= max(TOLERANCE * abs(target), 0.5 * precision * 1.0001) + 1e-9:
            return True
    return False


MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]


def date_in_text(text: str, d: date) -> bool:
    low = text.lower()
    if d.isoformat() in low or f"{d.month}/{d.day}" in low or f"{d.month:02d}/{d.day:02d}" in low:
        return True
    name = MONTHS[d.month - 1]
    mon = rf"(?:{name}|{name[:3]}\.?)"
    return bool(re.search(rf"\b{mon}\s+{d.day}(?:st|nd|rd|th)?\b|\b{d.day}(?:st|nd|rd|th)?\s+(?:of\s+)?{mon}\b", low))
