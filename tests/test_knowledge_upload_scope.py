"""A document ingested for one owner stays private even if its front matter claims otherwise."""

from __future__ import annotations

from crm_seed import seed_small_crm
from tests_support import make_settings_for

from copilot.app import Copilot


def test_front_matter_cannot_widen_the_callers_visibility(tmp_path):
    cp = Copilot(make_settings_for(tmp_path))
    seed_small_crm(cp.services.crm)
    doc = tmp_path / "notes.md"
    doc.write_text("---\ntitle: Private pricing notes\nowner: ''\nteam: ''\n---\n# Notes\n"
                   "Zephyr pricing floor is 31 percent off list for the Acme renewal.\n")
    cp.services.knowledge.ingest_paths([doc], metadata={"owner": "r-ann", "team": "east"})
    for who, sees in (("r-ann", True), ("m-east", True), ("r-bob", False), ("r-cara", False), ("x-eve", False)):
        hits = cp.services.knowledge.search("Zephyr pricing floor", cp.scope(cp.principal(who)), k=5)
        assert any("Zephyr" in h.text for h in hits) is sees, who
    cp.close()
