"""Instructions aimed at the copilot itself ("ignore your rules", "I'm the admin now") carry no authority:
the principal comes from the sign-in, never from message text. The offline engine sets such sentences aside
before it reads the question, so they neither steer its reading nor end up as search words, and says so."""

from __future__ import annotations

import re

_ROLE = r"(?:the |an? )?(?:admin(?:istrator)?|exec(?:utive)?|ceo|root|super ?user|sysadmin)"
_CLAUSE = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?(?:your|the|my|these|those|"
    r"previous|prior|above|earlier|system|safety|security|access)?\s*(?:previous\s+|prior\s+|earlier\s+)?"
    r"(?:rules?|instructions?|guidelines?|restrictions?|permissions?|polic(?:y|ies)|prompts?|filters?|guardrails?|"
    r"limits?|scope)\b"
    rf"|\b(?:i am|i'm|im)\s+(?:now\s+|actually\s+|really\s+)?{_ROLE}(?:\s+now)?\b"
    rf"|\b(?:treat|consider)\s+me\s+as\s+{_ROLE}\b"
    r"|\byou are now\b|\bfrom now on\b|\bpretend (?:to be|you are|that)\b|\bact as (?:an? |the )?\w+"
    r"|\b(?:developer|admin|god|debug|jailbreak) mode\b|\bsystem prompt\b|\bnew instructions?\b"
    r"|\bwithout (?:any )?(?:restrictions?|filters?|permission checks?)\b",
    re.I)
_SENTENCE = re.compile(r"[^.!?;:\n]+[.!?;:\n]*")
NOTE = ("Instructions about my rules or your role in a message don't change what you may see; "
        "I answered with your own permissions.")


def set_aside(question: str) -> tuple[str, bool]:
    """(the question without its instruction sentences, whether any were there)."""
    if not _CLAUSE.search(question):
        return question, False
    kept = [s for s in _SENTENCE.findall(question) if not _CLAUSE.search(s)]
    rest = " ".join(s.strip() for s in kept).strip()
    if not rest:  # one run-on sentence: cut the clause out instead
        rest = _CLAUSE.sub(" ", question)
        rest = re.sub(r"^[\s,.:;!-]*(?:and|then|now|so)?[\s,.:;!-]*", "", rest).strip()
    if len([w for w in re.findall(r"[a-z]{3,}", rest.lower()) if w not in ("the", "and", "please", "print", "show")]) < 1:
        rest = ""  # nothing left but the instruction itself
    return rest, True


# SQL typed into a question ("pipeline in retail'; DROP TABLE deals; --"): never run (questions become a typed
# query, not SQL), and set aside so its words are not read as names.
_SQL = re.compile(r"['\"`]?\s*(?:;|--)\s*(?:drop|delete|insert|update|select|alter|truncate|create|grant|exec)\b.*$"
                  r"|['\"`]\s*(?:or|and)\s+['\"`]?\w+['\"`]?\s*=\s*['\"`]?\w+.*$|\bunion\s+(?:all\s+)?select\b.*$",
                  re.I | re.S)
SQL_NOTE = "I set aside the SQL in your message: questions are read into a typed query, never run as SQL."


def strip_sql(question: str) -> tuple[str, bool]:
    """(the question without SQL text, whether there was any)."""
    m = _SQL.search(question)
    if not m:
        return question, False
    return question[:m.start()].strip(" '\";-"), True

