"""Value parsers and id helpers for CRM imports: the small, pure functions every mapping shares.

Parsers raise ``ValueError`` with a message naming the bad value; the importer turns that into a row
error with file and line, so one bad cell never stops an import.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MONEY_JUNK = re.compile(r"[\s$€£¥,]|^[A-Z]{3}\s*|\s*[A-Z]{3}$")
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def clean(value: object) -> str | None:
    """Trim a raw cell; empty strings and the usual null markers become ``None``."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.lower() in {"null", "none", "n/a", "na", "nan", "-"}:
        return None
    return " ".join(text.split())


def key(value: str) -> str:
    """Loose lookup key: case, spaces and punctuation ignored (``Closed Won`` == ``closedwon``)."""
    return _NON_ALNUM.sub("", value.lower())


def name_key(value: str) -> str:
    """Key for matching people and companies by name: case and extra whitespace ignored."""
    return " ".join(value.lower().split())


def slug(value: str) -> str:
    return _NON_ALNUM.sub("-", value.lower()).strip("-") or "x"


def make_id(source: str, kind: str, external: str, *, from_name: bool = False, limit: int = 64) -> str:
    """``<source>:<kind>:<external id>`` (a name is slugged: ``maven:user:anna-snelling``), shortened with a
    hash when it would not fit the column."""
    ext = external.strip()
    rid = f"{source}:{kind}:{ext}"
    if not from_name and len(rid) <= limit and " " not in ext:
        return rid
    ext = slug(ext)
    rid = f"{source}:{kind}:{ext}"
    if len(rid) <= limit:
        return rid
    digest = hashlib.sha1(external.encode()).hexdigest()[:10]
    head = f"{source}:{kind}:"
    return head + ext[: limit - len(head) - 11] + "-" + digest


def parse_money(raw: str) -> float:
    """``$12,500.00``, ``12500``, ``USD 1,000`` -> float; anything else is a ValueError."""
    text = _MONEY_JUNK.sub("", raw.strip())
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{raw!r} is not a number")
    return -value if negative else value


def parse_int(raw: str) -> int:
    value = parse_money(raw)
    if value != int(value):
        raise ValueError(f"{raw!r} is not a whole number")
    return int(value)


def parse_bool(raw: str) -> bool:
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"{raw!r} is not yes/no")


def parse_date(raw: str, formats: list[str]) -> date:
    """Try the mapping's formats in order, then ISO 8601 (a datetime keeps only its date)."""
    text = raw.strip()
    for fmt in formats:
        try:
            if fmt == "%Y-%m-%d" and len(text) == 10:
                return date.fromisoformat(text)
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    raise ValueError(f"{raw!r} is not a date (expected {' or '.join(formats) or 'ISO 8601'})")


def parse_datetime(raw: str, formats: list[str]) -> datetime:
    text = raw.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=None)
    except ValueError:
        pass
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(f"{raw!r} is not a date and time")


def lookup(table: dict[str, str], raw: str) -> str | None:
    """Find ``raw`` in a value map using loose keys (the map's keys are loosened once by the caller)."""
    return table.get(key(raw))
