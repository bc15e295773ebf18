"""Speech recognition is biased toward this company's competitors, as its own data names them."""

from __future__ import annotations

from tests_support import make_settings_for

from copilot.app import Copilot
from knowledge.crm.models import Account, Deal, Product

CARD = """---
type: battle_card
competitor: Umbrella Analytics
---
# Battle card: Umbrella Analytics

## Where they win
Price-led evaluations.
"""


def test_whisper_transcriber_gets_competitor_hotwords_only(tmp_path):
    cp = Copilot(make_settings_for(tmp_path, speech="whisper:tiny.en"))
    with cp.services.crm.session() as s:
        s.add(Product(id="p1", name="Acme Observe"))
        s.add(Account(id="a1", name="Globex"))
        s.flush()
        s.add_all([Deal(id=f"d{i}", name=f"Globex {i}", account_id="a1", stage="discovery", competitor=rival)
                   for i, rival in enumerate(["Hooli", "Initech", "Initech", None])])
    lib = tmp_path / "library"
    lib.mkdir()
    (lib / "umbrella.md").write_text(CARD)
    cp.services.knowledge.ingest_paths([lib])
    t = cp.services.calls.transcriber()  # built lazily: the model itself loads on first transcription
    words = [w.strip() for w in t.hotwords.split(",")]
    # The CRM's, most frequent first, then the library's battle cards; never products (a long list derails
    # Whisper tiny).
    assert words == ["Initech", "Hooli", "Umbrella Analytics"]
    cp.close()
