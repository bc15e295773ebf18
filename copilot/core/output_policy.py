"""What may leave the product in answer text: links and images only to allowed hosts.

A model that follows text injected into a document can write a markdown image whose URL carries data to
an outside host (the client fetches it on render). Every answer passes through ``sanitize`` before any
interface shows it: links and images to hosts outside the allow-list (by default, only the hosts of the
answer's own citations) are removed, and interfaces that must show no images at all (Slack) drop every
image. The system prompt's warning is one layer; this is the one that does not depend on the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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

    def guard(url_group: int, replacement: Callable[[re.Match[str]], str], *, image: bool = False):  # type: ignore[no-untyped-def]
        """A substitution that keeps a match whose URL is allowed and replaces the rest, counting them."""
        def sub(m: re.Match[str]) -> str:
            nonlocal removed
            if (images or not image) and ok(m.group(url_group)):
                return m.group(0)
            removed += 1
            return replacement(m)
        return sub

    n_img = len(_HTML_IMG.findall(text))
    out = _IMAGE.sub(guard(2, lambda m: f"[image removed{': ' + m.group(1) if m.group(1) else ''}]", image=True), text)
    out = _HTML_IMG.sub("[image removed]", out)
    removed += n_img
    out = _HTML_LINK.sub(guard(1, lambda m: f"{m.group(2)} (link removed)"), out)
    out = _LINK.sub(guard(2, lambda m: f"{m.group(1)} (link removed)"), out)
    out = _REF_DEF.sub(guard(1, lambda m: ""), out)
    out = _ANGLE.sub(guard(1, lambda m: f"{m.group(2) or ''} (link removed)".strip()), out)
    out = _BARE.sub(guard(0, lambda m: "[link removed]"), out)
    return Sanitized(out, removed)
