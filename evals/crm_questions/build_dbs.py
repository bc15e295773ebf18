"""Build the two CRMs the questions are generated on, with the product's own builders.

This is the only module of evals/crm_gold and evals/crm_questions that imports product code, and only to
create a database to read: the demo company (``build_demo``, hash embedder, no model) and the Maven export
imported with the shipped ``maven`` mapping, each in a throwaway data directory. Gold answers never import it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path


def _copilot(home: Path):  # type: ignore[no-untyped-def]
    from copilot.app import Copilot
    from copilot.core.settings import load_settings

    return Copilot(load_settings(home=home, llm="none", embeddings="hash", speech="scripted"))


def build_demo_db(home: Path, anchor: date) -> str:
    """The demo company for ``anchor`` (about 10 s); returns its database URL."""
    from demo.build import build_demo

    cp = _copilot(home)
    try:
        build_demo(cp, today=anchor)
        return str(cp.settings.crm_url)
    finally:
        cp.close()


def build_maven_db(home: Path, export: Path) -> str:
    from knowledge.crm.importer import import_crm

    cp = _copilot(home)
    try:
        import_crm(cp.services.crm, export, "maven")
        return str(cp.settings.crm_url)
    finally:
        cp.close()
