"""What may leave the product in answer text: links and images only to allowed hosts.

A model that follows text injected into a document can write a markdown image whose URL carries data to
an outside host (the client fetches it on render). Every answer passes through ``sanitize`` before any
interface shows it: links and images to hosts outside the allow-list (by default, only the hosts of the
answer's own citations) are removed, and interfaces that must show no images at all (Slack) drop every
image. The system prompt's warning is one layer; this is the one that does not depend on the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_HTML_LINK = re.compile(r"<a\b[^>]*href=[\"']?([^\"'\s>]+)[^>]*>(.*?)</a>", re.I | re.S)
_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+).*$", re.M)
_ANGLE = re.compile(r"<((?:https?|ftp)://[^|>\s]+)(?:\|([^>]*))?>", re.I)  # Slack's <url|text>
_BARE = re.compile(r"(?<![\w(\[<\"'=])(?:https?|ftp)://[^\s)\]>\"']+", re.I)


@dataclass
class Sanitized:
    text: str
    removed: int


def host(url: str) -> str:
    return (urlparse(url if "://" in url else f"http://{url}").hostname or "").lower()


def sanitize(text: str, allowed_hosts: Iterable[str] = (), *, images: bool = True) -> Sanitized:
    """Remove links and images whose host is not allowed (and every image when ``images`` is False)."""
    allowed = {h.lower().lstrip(".") for h in allowed_hosts if h}
    removed = 0

    def ok(url: str) -> bool:
        h = host(url)
        return bool(h) and any(h == a or h.endswith("." + a) for a in allowed)

    def image(m: re.Match[str]) -> str:
        nonlocal removed
        if images and ok(m.group(2)):
            return m.group(0)
        removed += 1
        return f"[image removed{': ' + m.group(1) if m.group(1) else ''}]"

    def link(m: re.Match[str]) -> str:
        nonlocal removed
        if ok(m.group(2)):
            return m.group(0)
        removed += 1
        return f"{m.group(1)} (link removed)"

    def html_link(m: re.Match[str]) -> str:
        nonlocal removed
        if ok(m.group(1)):
            return m.group(0)
        removed += 1
        return f"{m.group(2)} (link removed)"

    def bare(m: re.Match[str]) -> str:
        nonlocal removed
        if ok(m.group(0)):
            return m.group(0)
        removed += 1
        return "[link removed]"

    def ref_def(m: re.Match[str]) -> str:
        nonlocal removed
        if ok(m.group(1)):
            return m.group(0)
        removed += 1
        return ""

    out = _IMAGE.sub(image, text)
    n_img = len(_HTML_IMG.findall(out))
    out = _HTML_IMG.sub("[image removed]", out)
    removed += n_img
    out = _HTML_LINK.sub(html_link, out)
    out = _LINK.sub(link, out)
    out = _REF_DEF.sub(ref_def, out)

    def angle(m: re.Match[str]) -> str:
        nonlocal removed
        if ok(m.group(1)):
            return m.group(0)
        removed += 1
        return f"{m.group(2) or ''} (link removed)".strip()

    out = _ANGLE.sub(angle, out)
    out = _BARE.sub(bare, out)
    return Sanitized(out, removed)
