"""Language of a text (Chinese or English) and the word tokens every index and matcher shares.

Chinese has no spaces between words, so a regular-expression tokenizer sees a whole sentence as one
"word": a Chinese question then matches nothing in BM25 and covers nothing in a section. ``words``
keeps ASCII words as before and segments runs of Chinese characters with jieba (its dictionary ships
in the package; it loads lazily, once, only when Chinese text is seen, in about half a second).

``language`` is a character-share rule, not a model: the share of Han characters among the letters.
Product text is short and the two languages use disjoint scripts, so the rule is exact on pure text and
decides mixed text ("Acme 的报价有效期") by its grammar words, which are Chinese.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RUN = re.compile(f"[{HAN}]+")
_HAN_CHAR = re.compile(f"[{HAN}]")
_LATIN = re.compile(r"[A-Za-z]")
_TOKEN = re.compile(f"[a-z0-9]+(?:['.][a-z0-9]+)*|[{HAN}]+")
# Sentence ends: Western punctuation followed by space, or Chinese full-width punctuation (no space follows).
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])\s*")

# Function words that carry no topic: particles, pronouns, question words, copulas.
ZH_STOP = frozenset(
    ["的", "了", "是", "吗", "呢", "吧", "啊", "么", "在", "和", "与", "及", "或", "也", "都", "就", "还", "又", "被", "把", "给", "对", "从", "向", "到", "让", "请", "我", "你", "他", "她", "它", "我们", "你们", "他们", "她们", "咱们", "这", "那", "这个", "那个", "这些", "那些", "哪", "哪个", "哪些", "什么", "怎么", "怎样", "如何", "为什么", "多少", "几", "有", "没有", "没", "不", "是否", "能", "可以", "会", "要", "需要", "应该", "一下", "一个", "个", "之", "其", "等", "上", "下", "中", "里", "吗？", "呀", "哦", "嗯", "告诉", "帮", "帮我", "看看", "查", "查一下", "一些", "所有"])

_JIEBA = None
_JIEBA_LOCK = threading.Lock()


def _jieba():  # type: ignore[no-untyped-def]
    global _JIEBA
    with _JIEBA_LOCK:
        if _JIEBA is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _JIEBA = jieba
    return _JIEBA


def has_han(text: str) -> bool:
    return _HAN_CHAR.search(text) is not None


def language(text: str, default: Lang = "en") -> Lang:
    """'zh' when Han characters make up at least 30% of the (weighted) letters, else 'en' (``default`` if no letters)."""
    han = len(_HAN_CHAR.findall(text))
    latin = len(_LATIN.findall(text))
    if han + latin == 0:
        return default
    # A Han character carries about as much as a short English word: weigh it as three letters.
    return "zh" if 3 * han >= 0.3 * (3 * han + latin) else "en"


def segment(run: str) -> list[str]:
    """jieba's precise-mode words of a run of Chinese characters."""
    return [w for w in _jieba().cut(run, HMM=True) if w.strip()]


def words(text: str, *, drop_stop: bool = False) -> list[str]:
    """Lowercased word tokens: ASCII words and jieba-segmented Chinese words, in order."""
    out: list[str] = []
    for tok in _TOKEN.findall(text.lower()):
        if _HAN_CHAR.match(tok):
            out += [w for w in segment(tok) if not (drop_stop and w in ZH_STOP)]
        else:
            out.append(tok)
    return out


def word_count(text: str) -> int:
    """Words in ``text``: whitespace-separated, or jieba's words when it holds Chinese."""
    return len([w for w in words(text) if w.strip()]) if has_han(text) else len(text.split())


def spaced(text: str, sep: str = " ") -> str:
    """``text`` with every Chinese run split into its words by ``sep`` (other characters untouched)."""
    if not has_han(text):
        return text
    return HAN_RUN.sub(lambda m: sep.join(segment(m.group(0))), text)


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_SPLIT.split(text) if s and s.strip()]
