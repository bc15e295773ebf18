"""Speech recognition is biased toward our domain words (company, products, competitors)."""

from __future__ import annotations

from tests_support import make_settings_for

from copilot.app import Copilot
from knowledge.crm.models import Product


def test_whisper_transcriber_gets_competitor_hotwords_only(tmp_path):
    cp = Copilot(make_settings_for(tmp_path, speech="whisper:tiny.en"))
    with cp.crm.session() as s:
        s.add(Product(id="p1", name="Skylark Observe"))
    t = cp.calls.transcriber()  # built lazily: the model itself loads on first transcription
    words = [w.strip() for w in t.hotwords.split(",")]
    assert set(words) == {"OpsHawk", "Vantage IQ", "ClearSignal"}  # a long list derails Whisper tiny
    cp.close()
