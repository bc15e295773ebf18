"""Rendering: Jinja2 templates (autoescaped) and the inline SVG chart, so pages need no JavaScript library.

Why server-rendered HTML: a small team maintains Python and HTML it can read, pages work with JavaScript
off, browser tests see exactly what the server sent, and nothing is fetched from a CDN (the one stylesheet
is served from this package). Charts are drawn here as SVG with a title and description for screen readers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from integrations.web.session import LANGS, Viewer
from integrations.web.words import word

HERE = Path(__file__).parent
env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["j2", "html"]),
                  trim_blocks=True, lstrip_blocks=True)


def money(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def pretty(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def num(x: float | None) -> str:
    """A metric value: whole numbers with separators, rates and small figures with two decimals."""
    if x is None:
        return "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


env.filters.update(money=money, pct=pct, pretty=pretty, num=num)

PAGES = [("chat", "/chat"), ("actions", "/actions"), ("forecast", "/forecast"), ("deals", "/deals"),
         ("customers", "/customers"), ("trust", "/trust"), ("coaching", "/coaching"),
         ("config", "/config")]  # the base template shows the configuration to admins only


def page(request: Request, viewer: Viewer | None, template: str, *, title_key: str, status: int = 200,
         lang: str | None = None, **ctx: Any) -> HTMLResponse:
    lang = viewer.lang if viewer else (lang or "en")

    def w(key: str, **values: object) -> str:
        return word(key, lang, **values)

    switch = {code: request.url.path + "?" + urlencode({**dict(request.query_params), "lang": code})
              for code in LANGS}  # the same page (its filters kept) in the other language
    html = env.get_template(template).render(
        request=request, viewer=viewer, lang=lang, w=w, langs=LANGS, pages=PAGES, path=request.url.path,
        title=w(title_key), current=title_key, switch=switch, **ctx)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("copilot_lang", request.query_params["lang"], max_age=365 * 86400, samesite="lax",
                            httponly=True)
    return response


def fragment(viewer: Viewer, template: str, **ctx: Any) -> str:
    """A piece of a page (no layout), in the viewer's language: what a script swaps into the page."""

    def w(key: str, **values: object) -> str:
        return word(key, viewer.lang, **values)

    return env.get_template(template).render(viewer=viewer, lang=viewer.lang, w=w, **ctx)


@dataclass
class RangeRow:
    label: str
    p10: float
    p50: float
    p90: float
    closed: float


def range_chart(rows: list[RangeRow], title: str, closed_label: str) -> Markup:
    """Horizontal P10-P90 bars with the P50 tick and the closed-won marker, one row per subject."""
    if not rows:
        return Markup("")
    width, label_w, row_h, top = 720, 200, 34, 24
    top_value = max(max(r.p90, r.closed) for r in rows) or 1.0
    scale = (width - label_w - 70) / (top_value * 1.05)
    height = top + row_h * len(rows) + 10
    desc = "; ".join(f"{r.label}: P10 {money(r.p10)}, P50 {money(r.p50)}, P90 {money(r.p90)}, "
                     f"{closed_label} {money(r.closed)}" for r in rows)
    parts = [f'<svg class="chart" role="img" aria-labelledby="chart-t chart-d" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-t">{escape(title)}</title><desc id="chart-d">{escape(desc)}</desc>',
             f'<text x="{label_w}" y="14" class="axis">0</text>',
             f'<text x="{width - 70}" y="14" class="axis" text-anchor="end">{money(top_value * 1.05)}</text>']
    for i, r in enumerate(rows):
        y = top + i * row_h
        x10, x50, x90 = (label_w + v * scale for v in (r.p10, r.p50, r.p90))
        xc = label_w + r.closed * scale
        parts += [
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="label">{escape(r.label)}</text>',
            f'<rect x="{x10:.1f}" y="{y + 6}" width="{max(x90 - x10, 2):.1f}" height="16" rx="3" class="range"/>',
            f'<line x1="{x50:.1f}" x2="{x50:.1f}" y1="{y + 2}" y2="{y + 26}" class="p50"/>',
            f'<circle cx="{xc:.1f}" cy="{y + 14}" r="4" class="closed"/>',
            f'<text x="{x90 + 6:.1f}" y="{y + 18}" class="value">{money(r.p50)}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(rows: list[tuple[str, float]], title: str) -> Markup:
    """Horizontal bars, one per group, the value printed beside each (the table below has the same figures)."""
    width, label_w, row_h = 720, 200, 26
    top_value = max((abs(v) for _, v in rows), default=0.0) or 1.0
    scale = (width - label_w - 90) / top_value
    desc = "; ".join(f"{label}: {num(v)}" for label, v in rows)
    parts = [f'<svg class="chart" role="img" aria-labelledby="bars-t bars-d" viewBox="0 0 {width} '
             f'{row_h * len(rows) + 8}" width="100%" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="bars-t">{escape(title)}</title><desc id="bars-d">{escape(desc)}</desc>']
    for i, (label, v) in enumerate(rows):
        y = 4 + i * row_h
        w = max(abs(v) * scale, 1.0)
        parts += [f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" class="label">{escape(label)}</text>',
                  f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="16" rx="2" class="range"/>',
                  f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" class="value">{num(v)}</text>']
    parts.append("</svg>")
    return Markup("".join(parts))


def score_bar(score: float | None) -> Markup:
    """A 0-100 bar for a health score (the number is in the table cell beside it)."""
    if score is None:
        return Markup("")
    cls = "good" if score >= 70 else "warn" if score >= 40 else "bad"
    return Markup(f'<svg class="bar" role="presentation" aria-hidden="true" viewBox="0 0 100 10" width="100" '
                  f'height="10"><rect width="100" height="10" class="track"/>'
                  f'<rect width="{max(0.0, min(score, 100.0)):.0f}" height="10" class="{cls}"/></svg>')


env.globals.update(score_bar=score_bar)


def diff_rows(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, draft, now) for every top-level field that differs between the proposal and its payload."""
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, pretty(before.get(k)), pretty(after.get(k))) for k in keys if before.get(k) != after.get(k)]
