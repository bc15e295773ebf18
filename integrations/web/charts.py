"""Charts of the forecast-history and customer-needs pages, drawn as inline SVG like ``render.py``'s: a title
and a description listing every figure (screen readers and tests read what the chart draws), and a table
with the same figures below each chart on the page."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from integrations.web.render import money


def history_chart(points: list[Any], title: str, *, actual: str, baseline: str) -> Markup:
    """One row per as-of date: the P10-P90 range with the P50 tick, the actual won (dot) and the
    stage-weighted baseline (diamond) for the quarter that date forecast."""
    if not points:
        return Markup("")
    width, label_w, row_h, top = 760, 210, 30, 24
    top_value = max(max(p.p90, p.actual, p.predicted.get("stage_weighted", 0.0)) for p in points) or 1.0
    scale = (width - label_w - 80) / (top_value * 1.05)
    height = top + row_h * len(points) + 10
    desc = "; ".join(f"{p.as_of} for {p.period}: P10 {money(p.p10)}, P50 {money(p.p50)}, P90 {money(p.p90)}, "
                     f"{baseline} {money(p.predicted.get('stage_weighted'))}, {actual} {money(p.actual)}"
                     for p in points)
    parts = [f'<svg class="chart history" role="img" aria-labelledby="hist-t hist-d" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="hist-t">{escape(title)}</title><desc id="hist-d">{escape(desc)}</desc>',
             f'<text x="{label_w}" y="14" class="axis">0</text>',
             f'<text x="{width - 80}" y="14" class="axis" text-anchor="end">{money(top_value * 1.05)}</text>']
    for i, p in enumerate(points):
        y = top + i * row_h
        x10, x50, x90, xa = (label_w + v * scale for v in (p.p10, p.p50, p.p90, p.actual))
        xb = label_w + p.predicted.get("stage_weighted", 0.0) * scale
        parts += [
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" class="label">{p.as_of} → {escape(p.period)}</text>',
            f'<rect x="{x10:.1f}" y="{y + 6}" width="{max(x90 - x10, 2):.1f}" height="14" rx="3" class="range"/>',
            f'<line x1="{x50:.1f}" x2="{x50:.1f}" y1="{y + 2}" y2="{y + 24}" class="p50"/>',
            f'<path d="M{xb:.1f} {y + 7} l6 6 l-6 6 l-6 -6 z" class="baseline"/>',
            f'<circle cx="{xa:.1f}" cy="{y + 13}" r="5" class="{"closed" if p.covered else "missed"}"/>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _shade(share: float) -> tuple[str, str]:
    """A fill from pale to the accent blue, and a text colour readable on it."""
    lo, hi = (241, 245, 251), (31, 95, 191)
    rgb = tuple(round(a + (b - a) * share) for a, b in zip(lo, hi, strict=True))
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})", "#fff" if share > 0.55 else "#1d2330"


def heat_map(rows: list[Any], themes: list[dict[str, str]], lang: str, title: str) -> Markup:
    """Rows (accounts or segments) by need themes; each cell's shade and number is its count of signals."""
    if not rows:
        return Markup("")
    label_w, cell_w, cell_h, head = 220, 92, 26, 52
    width = label_w + cell_w * len(themes) + 10
    height = head + cell_h * len(rows) + 6
    top = max((max(r.counts.values(), default=0) for r in rows), default=0) or 1
    desc = "; ".join(r.label + ": " + ", ".join(f"{t[lang]} {r.counts.get(t['id'], 0)}" for t in themes) for r in rows)
    parts = [f'<svg class="chart heat" role="img" aria-labelledby="heat-t heat-d" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="heat-t">{escape(title)}</title><desc id="heat-d">{escape(desc)}</desc>']
    for j, t in enumerate(themes):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text x="{x:.0f}" y="{head - 10}" text-anchor="middle" class="label">'
                     f'{escape(_short(t[lang]))}</text>')
    for i, r in enumerate(rows):
        y = head + i * cell_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="label">{escape(r.label)}</text>')
        for j, t in enumerate(themes):
            n = r.counts.get(t["id"], 0)
            fill, ink = _shade(n / top)
            x = label_w + j * cell_w
            tagged = r.tags.get(t["id"], 0)
            parts += [f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" rx="2" '
                      f'style="fill:{fill}"/>',
                      f'<text x="{x + cell_w / 2:.0f}" y="{y + 17}" text-anchor="middle" style="fill:{ink}">'
                      f'{n}{"*" if tagged else ""}</text>']
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, n: int = 14) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"
