"""A self-contained HTML report: one table per suite, inline SVG charts, per-case drill-down (no scripts, no
external assets)."""

from __future__ import annotations

import html
import json
from typing import Any

CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top;font-size:13px}th{background:#f3f3f3}
.fail{color:#b00}.ok{color:#070}details{margin:.3em 0}pre{white-space:pre-wrap;background:#fafafa;padding:6px;
font-size:12px}h2{border-bottom:2px solid #ddd}"""


def e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return e(v)


def bar_chart(values: dict[str, float], *, width: int = 420) -> str:
    if not values:
        return ""
    row = 18
    h = row * len(values) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 180}" height="{h}" role="img">']
    for i, (k, v) in enumerate(values.items()):
        y = 5 + i * row
        w = max(0.0, min(1.0, float(v or 0))) * width
        parts.append(f'<text x="0" y="{y + 12}" font-size="11">{e(k)[:26]}</text>'
                     f'<rect x="170" y="{y}" width="{w:.1f}" height="{row - 4}" fill="#4a7ebb"/>'
                     f'<text x="{175 + w:.1f}" y="{y + 12}" font-size="11">{float(v or 0):.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def calibration_plot(series: dict[str, list[tuple[float, float, int]]], size: int = 260) -> str:
    colors = ["#4a7ebb", "#d0703c", "#5a9e5a", "#9b59b6", "#888"]
    pad = 30
    s = size - 2 * pad
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 140}" height="{size}" role="img">',
             f'<rect x="{pad}" y="{pad}" width="{s}" height="{s}" fill="none" stroke="#999"/>',
             f'<line x1="{pad}" y1="{pad + s}" x2="{pad + s}" y2="{pad}" stroke="#bbb" stroke-dasharray="4"/>',
             f'<text x="{pad}" y="{size - 5}" font-size="10">predicted</text>',
             f'<text x="2" y="{pad - 8}" font-size="10">observed</text>']
    for i, (name, pts) in enumerate(series.items()):
        c = colors[i % len(colors)]
        xy = [(pad + p * s, pad + s - o * s) for p, o, _ in pts]
        if xy:
            parts.append(f'<polyline fill="none" stroke="{c}" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in xy)}"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{c}"/>' for x, y in xy]
        parts.append(f'<text x="{size}" y="{pad + 14 * i}" font-size="11" fill="{c}">{e(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def metrics_table(res: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{e(k)}</td><td>{fmt(v)}</td></tr>" for k, v in res.get("metrics", {}).items())
    return f'<table class="metrics"><tr><th>metric</th><th>value</th></tr>{rows}</table>'


def cases_html(cases: list[dict[str, Any]]) -> str:
    if not cases:
        return ""
    keys = [k for k in ("id", "question", "expected", "got", "score", "passed") if any(k in c for c in cases)]
    head = "".join(f"<th>{e(k)}</th>" for k in keys)
    body = []
    for c in cases:
        cls = "fail" if c.get("passed") is False else "ok" if c.get("passed") else ""
        cells = "".join(f"<td>{fmt(c.get(k))}</td>" for k in keys)
        extra = {k: v for k, v in c.items() if k not in keys and k not in ("answer", "citations")}
        detail = ""
        if c.get("answer") or c.get("citations") or extra:
            cites = "".join(f"<li>{e(x)}</li>" for x in c.get("citations") or [])
            detail = (f"<details><summary>details</summary><pre>{e(c.get('answer', ''))}</pre>"
                      + (f"<ol>{cites}</ol>" if cites else "")
                      + f"<pre>{e(json.dumps(extra, indent=1, default=str))}</pre></details>")
        body.append(f'<tr class="{cls}">{cells}</tr>' + (f'<tr><td colspan="{len(keys)}">{detail}</td></tr>'
                                                          if detail else ""))
    return (f'<details><summary>{len(cases)} cases</summary><table class="cases"><tr>{head}</tr>'
            f'{"".join(body)}</table></details>')


def render_html(results: dict[str, Any], comparison: list[dict[str, Any]] | None = None) -> str:
    meta = results.get("meta", {})
    out = [f"<!doctype html><html><head><meta charset='utf-8'><title>copilot eval</title><style>{CSS}</style>"
           "</head><body><h1>copilot eval</h1>",
           f"<p>code {e(meta.get('code_version'))}, started {e(meta.get('started'))}, "
           f"{e(meta.get('seconds'))} s, repeat {e(meta.get('repeat'))}</p>",
           "<table class='meta'><tr><th>model</th><th>id</th></tr>"
           + "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in meta.get("models", {}).items())
           + "</table><table class='meta'><tr><th>dataset</th><th>sha256</th></tr>"
           + "".join(f"<tr><td>{e(k)}</td><td>{e(v[:16])}</td></tr>" for k, v in meta.get("data_hashes", {}).items())
           + "</table>"]
    if comparison:
        out.append("<h2>Compared with the previous run</h2><table class='compare'><tr><th>suite</th><th>metric</th>"
                   "<th>old</th><th>new</th><th>delta</th><th>p (McNemar)</th><th>p (bootstrap)</th></tr>")
        out += [f"<tr><td>{e(r['suite'])}</td><td>{e(r['metric'])}</td><td>{fmt(r['old'])}</td><td>{fmt(r['new'])}"
                f"</td><td>{fmt(r['delta'])}</td><td>{fmt(r['p_mcnemar'])}</td><td>{fmt(r['p_bootstrap'])}</td></tr>"
                for r in comparison]
        out.append("</table>")
    for name, res in results.get("suites", {}).items():
        out.append(f"<h2 id='{e(name)}'>{e(name)}</h2><p>status: {e(res.get('status'))} {e(res.get('note'))} "
                   f"({e(res.get('seconds'))} s)</p>{metrics_table(res)}")
        charts = res.get("charts") or {}
        if charts.get("calibration"):
            out.append("<h3>Calibration</h3>" + calibration_plot(charts["calibration"]))
        for key in ("per_intent", "check_accuracy"):
            if charts.get(key):
                out.append(f"<h3>{e(key.replace('_', ' '))}</h3>" + bar_chart(charts[key]))
        out.append(cases_html(res.get("cases", [])))
    out.append("</body></html>")
    return "".join(out)
