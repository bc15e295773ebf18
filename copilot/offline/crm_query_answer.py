"""Offline answers to CRM questions: parse to a ``CrmQuery``, run it through the ``query_crm`` tool, and
say the figure, how the question was read, how it is computed, and what could not be applied."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import select

from copilot.offline.parse.link import Linker
from copilot.offline.parse.parser import QueryParser
from copilot.offline.parse.result import Parse
from knowledge.crm.models import Deal, ImportRun, Product, Team, User
from knowledge.crm.scoping import nameable_accounts, nameable_parents
from tools.compose import Composer
from tools.context import ToolContext
from tools.crm_query import describe_zh
from tools.crm_query.describe import ordinal
from tools.crm_query.resolve import fact_values
from tools.crm_query.result import CrmResult, fmt_money
from tools.crm_query.schema import ADDITIVE
from tools.query_crm import query_crm


def linker_for(ctx: ToolContext) -> Linker:
    """Names the asker may use: people, teams, products, competitors, and the accounts in their scope."""
    with ctx.crm.session() as s:
        names: dict[str, dict[str, str]] = {
            "person": dict(s.execute(select(User.id, User.name)).tuples().all()),
            "team": dict(s.execute(select(Team.id, Team.name)).tuples().all()),
            "product": dict(s.execute(select(Product.id, Product.name)).tuples().all()),
            "competitor": {c: c for c in s.scalars(select(Deal.competitor).distinct()) if c},
            # execs may name any account (the aggregate policy decides what they see of it); others, the accounts
            # in their scope and those of their deals
            "account": dict(s.execute(nameable_accounts(ctx.scope)).tuples().all()),
        }
        # the values of the customers' own facts (industry, region, tier, parent company) and product series
        names.update({kind: {v: v for v in values} for kind, values in fact_values(s).items()})
        names["parent"] = {v: v for v in s.scalars(nameable_parents(ctx.scope)) if v and v.strip()}
    return Linker(names)


@lru_cache(maxsize=32)
def _mapping_stages(name: str) -> tuple[tuple[str, str], ...]:
    """A mapping's source stage labels -> normalized stages; read from disk once per process."""
    from knowledge.crm.mapping import load_mapping

    try:
        mp = load_mapping(name)
    except Exception:  # noqa: BLE001 - a mapping moved or renamed since: its words are simply not known
        return ()
    return tuple((label, str(stage.value if hasattr(stage, "value") else stage)) for label, stage in mp.stages.items())


def source_stages(ctx: ToolContext) -> dict[str, str]:
    """The CRM's own stage names ('Engaging', 'Needs Analysis') -> normalized stages, from the mappings of the
    imports that loaded it, so people can ask in their CRM's words."""
    with ctx.crm.session() as s:
        names = {m for m in s.scalars(select(ImportRun.mapping).distinct()) if m}
    return {label.lower(): stage for name in sorted(names) for label, stage in _mapping_stages(name)}


def stage_labels(ctx: ToolContext) -> dict[str, str]:
    """Normalized stage -> the CRM's own name for it ('qualification' -> 'Engaging'), where its imports give it
    exactly one; answers show the words the asker's CRM uses."""
    with ctx.crm.session() as s:
        names = {m for m in s.scalars(select(ImportRun.mapping).distinct()) if m}
    seen: dict[str, set[str]] = {}
    for name in sorted(names):
        for label, stage in _mapping_stages(name):
            seen.setdefault(stage, set()).add(label)
    return {stage: next(iter(labels)) for stage, labels in seen.items()
            if len(labels) == 1 and next(iter(labels)).lower() != stage.replace("_", " ")}


def parse_question(ctx: ToolContext, question: str, linker: Linker | None = None) -> Parse:
    """The typed query for ``question``; ``linker``: the CRM's names when the caller has built them already."""
    return QueryParser(linker or linker_for(ctx), role=ctx.principal.role.value, today=ctx.today,
                       stage_words=source_stages(ctx)).parse(question)


def _headline_zh(res: CrmResult, read: str) -> str:
    q = res.query
    if q.compare and res.rows:
        return "；".join(f"**{g.group}** {res.fmt(g.value)}（{g.n} 条记录）" for g in res.rows) + "。"
    if res.rows and q.rank:
        g = res.rows[0]
        return f"{'倒数' if q.order == 'asc' else ''}第 {q.rank} 名是 **{g.group}**：**{res.fmt(g.value)}**（{g.n} 条记录）。"
    if res.rows and q.limit == 1:
        g = res.rows[0]
        return f"**{g.group}** {'最低' if q.order == 'asc' else '最高'}：**{res.fmt(g.value)}**（{g.n} 条记录）。"
    group = describe_zh.GROUP.get(q.group_by or '', q.group_by or '分组')
    if q.versus_window is not None:
        now, then = _periods(q, zh=True)
        if q.trend:
            return f"从{then}到{now}{'上升' if q.trend == 'up' else '下降'}的{group}有 **{len(res.rows)}** 个" + \
                ("：" if res.rows else "。")
        return f"按{group}，{now}与{then}对比："
    if q.versus_all:
        if q.versus_all == "both":
            return f"{'各组平均' if q.metric in ADDITIVE else '整体'}为 **{res.fmt(res.value)}**（{res.total} 条记录）；各{group}与之相比："
        side = "高于" if q.versus_all == "above" else "低于"
        base = "各组平均" if q.metric in ADDITIVE else "整体"
        return f"{base}为 **{res.fmt(res.value)}**（{res.total} 条记录）；{side}{base}的{group}有 **{len(res.rows)}** 个" + \
            ("：" if res.rows else "。")
    if (q.value_min is not None or q.value_max is not None) and not res.rows:
        return f"没有符合条件的{group}（共查看 {res.total} 条记录）。"
    if q.value_min is not None or q.value_max is not None:
        return f"共有 **{len(res.rows)}** 个{group}符合条件："
    if res.rows:
        return f"{'后' if q.order == 'asc' else '前'} {len(res.rows)} 名：" if q.limit else \
            f"按{describe_zh.GROUP.get(q.group_by or '', q.group_by or '分组')}："
    noun = describe_zh.OBJECT.get(q.object, q.object)
    if q.metric == "list" and q.rank and q.order and res.records:
        return f"在 {res.total} 条匹配的{noun}中，金额第 {q.rank} {'小' if q.order == 'asc' else '大'}的一条："
    if q.metric == "list" and q.limit and q.order and res.records and len(res.records) < res.total:
        what = ("创建最早" if q.order == "asc" else "创建最晚") if q.sort_by == "created" else \
            "金额最小" if q.order == "asc" else "金额最大"
        return f"在 {res.total} 条匹配的{noun}中，{what}的 {len(res.records)} 条："
    if q.metric == "list":
        total = (f"，合计 {fmt_money(sum(r.amount or 0 for r in res.records))}" if q.object == "deals" and
                 res.records and res.total <= len(res.records) else "")
        return f"共有 **{res.total}** 条{noun}符合条件{total}："
    if q.share_of:
        part, whole = res.share_terms()
        records = f"；{res.total} / {res.whole_total} 条记录" if q.metric != "count" else ""
        return f"{read}：**{res.fmt(res.value)}**（{part} / {whole}{records}）。"
    return f"{read}：**{res.fmt(res.value)}**" + (f"（基于 {res.total} 条记录）" if q.metric != "count" else "") + "。"


def _record_line_zh(c: Composer, res: CrmResult, i: int) -> str:
    r = res.records[i]
    ref = c.cite(res.citations[i + 1])
    if r.kind != "deal":
        return _record_line(c, res, i, ref=ref)
    bits = [describe_zh.STAGE.get(r.stage or "", r.stage) if r.stage else None,
            fmt_money(r.amount) if r.amount is not None else "无金额",
            f"预计 {r.close_date} 关闭" if r.close_date else None, r.owner,
            f"最近活动 {r.last_activity}" if r.last_activity else "没有活动记录",
            f"关闭日期推迟过 {r.pushes} 次" + (f"（最初为 {r.detail['first_close']}）" if "first_close" in r.detail else "")
            if r.pushes else None,
            f"竞争对手 {r.detail['competitor']}" if r.detail.get("competitor") else None,
            f"创建于 {r.detail['created']}（{r.detail['age_days']} 天前）" if "age_days" in r.detail else None,
            f"下一步：{r.next_step}" if r.next_step else "没有下一步"]
    return f"- **{r.name}**：{'，'.join(b for b in bits if b)} {ref}"


def _headline(res: CrmResult) -> str:
    q = res.query
    if q.compare and res.rows:
        pair = " vs ".join(f"**{g.group}** {res.fmt(g.value)} ({g.n} records)" for g in res.rows)
        return f"{pair}."
    if res.rows and q.rank:
        g = res.rows[0]
        return f"**{g.group}** is {ordinal(q.rank)} {'from the bottom' if q.order == 'asc' else ''} with " \
               f"**{res.fmt(g.value)}** ({g.n} records).".replace("  ", " ")
    if res.rows and q.limit == 1:
        g = res.rows[0]
        word = "is lowest" if q.order == "asc" else "leads"
        return f"**{g.group}** {word} with **{res.fmt(g.value)}** ({g.n} records)."
    bounded = q.value_min is not None or q.value_max is not None
    if q.versus_window is not None:
        now, then = _periods(q)
        noun = (q.group_by or "group").replace("_", " ")
        if q.trend:
            return f"**{len(res.rows)}** {noun}(s) {'up' if q.trend == 'up' else 'down'} from {then} to {now}" + \
                (":" if res.rows else ".")
        return f"By {noun}, {now} beside {then}:"
    if q.versus_all:
        noun = (q.group_by or "group").replace("_", " ")
        base = f"Average per {noun}" if q.metric in ADDITIVE else "Overall"
        if q.versus_all == "both":
            return f"{base}: **{res.fmt(res.value)}** ({res.total} records). Each {noun} against it:"
        return f"{base}: **{res.fmt(res.value)}** ({res.total} records). **{len(res.rows)}** {noun}(s) " \
               f"{'above' if q.versus_all == 'above' else 'below'} it" + (":" if res.rows else ".")
    if bounded and not res.rows:
        return f"No {(q.group_by or 'group').replace('_', ' ')} matches ({res.total} records looked at)."
    if bounded:
        return f"**{len(res.rows)}** {(q.group_by or 'group').replace('_', ' ')}(s) match:"
    if res.rows:
        return f"{'Bottom' if q.order == 'asc' else 'Top'} {len(res.rows)}:" if q.limit else "By " + \
            (q.group_by or "group").replace("_", " ") + ":"
    if q.metric == "list" and q.rank and q.order and res.records:
        return f"The {ordinal(q.rank)} {'smallest' if q.order == 'asc' else 'largest'} {q.object.rstrip('s')} of " \
               f"{res.total} matching:"
    if q.metric == "list" and q.limit and q.order and res.records and len(res.records) < res.total:
        size = ("oldest" if q.order == "asc" else "newest") if q.sort_by == "created" else \
            "smallest" if q.order == "asc" else "largest"  # 'the biggest deal this quarter': the one(s) asked for
        noun = q.object if len(res.records) != 1 else q.object.rstrip("s")
        return f"The {size} {len(res.records) if len(res.records) > 1 else ''} {noun} of {res.total} matching:".replace("  ", " ")
    if q.metric == "list":
        noun = q.object if res.total != 1 else q.object.rstrip("s")
        return f"**{res.total}** {noun} match" + ("es" if res.total == 1 else "") + \
            (f", {fmt_money(sum(r.amount or 0 for r in res.records))} in total" if q.object == "deals" and
             res.records and res.total <= len(res.records) else "") + ":"
    what = res.read_as[0].upper() + res.read_as[1:]
    if q.share_of:
        part, whole = res.share_terms()
        records = f"; {res.total} of {res.whole_total} records" if q.metric != "count" else ""
        return f"{what}: **{res.fmt(res.value)}** ({part} of {whole}{records})."
    return f"{what}: **{res.fmt(res.value)}**" + (f" (from {res.total} records)" if q.metric != "count" else "") + "."


def _record_line(c: Composer, res: CrmResult, i: int, ref: str | None = None, own: dict[str, str] | None = None) -> str:
    r = res.records[i]
    ref = ref or c.cite(res.citations[i + 1])
    if r.kind == "contact":
        d = r.detail
        bits = [d.get("title"), (d.get("role") or "").replace("_", " ") or None, d.get("email")]
        return f"- **{r.name}** ({r.account}): {', '.join(b for b in bits if b)} {ref}"
    if r.kind in ("activity", "call"):
        return f"- {r.last_activity} {r.detail.get('kind', '')}: {r.name} ({r.account or 'no account'}) {ref}"
    if r.kind == "account":
        return f"- **{r.name}**: owner {r.owner or 'nobody'}, last activity {r.last_activity or 'never'} {ref}"
    bits = [(own or {}).get(r.stage, r.stage.replace("_", " ")) if r.stage else None, fmt_money(r.amount) if r.amount is not None else "no amount",
            f"{'closed' if (r.stage or '').startswith('closed') else 'closes'} {r.close_date}" if r.close_date else None, r.owner,
            f"last activity {r.last_activity}" if r.last_activity else "no activity logged",
            f"close date pushed {r.pushes}x" + (f" (first {r.detail['first_close']})" if "first_close" in r.detail else "")
            if r.pushes else None,
            f"competitor {r.detail['competitor']}" if r.detail.get("competitor") else None,
            f"opened {r.detail['created']} ({r.detail['age_days']} days ago)" if "age_days" in r.detail else None,
            f"next step: {r.next_step}" if r.next_step else "no next step"]
    return f"- **{r.name}**: {', '.join(b for b in bits if b)} {ref}"


def crm_answer(ctx: ToolContext, c: Composer, parse: Parse) -> tuple[float, dict]:
    assert parse.query is not None
    res = query_crm(ctx, parse.query)
    c.used("query_crm", res)
    ref = c.cite(res.citations[0])
    zh = res.zh = ctx.lang == "zh"
    read = describe_zh.read_as(res.query, res.labels, ctx.scope) if zh else res.read_as
    computed = describe_zh.computed_as(res.query, ctx.scope, res.total) if zh else res.computed_as
    c.add(f"{_headline_zh(res, read) if zh else _headline(res)} {ref}")
    own = stage_labels(ctx) if res.query.group_by == "stage" or res.records and res.query.object == "deals" else {}
    for g in res.rows if not (res.query.limit == 1 and res.rows) or res.query.compare else []:
        group = f"{own[g.group]} ({g.group.replace('_', ' ')})" if res.query.group_by == "stage" and g.group in own \
            else g.group
        if g.group == "none" and res.query.group_by:  # records with no value for the grouping, said as such
            group = "（未记录）" if zh else f"(no {res.query.group_by.replace('_', ' ')} on record)"
        c.add(f"- {group}：{res.fmt(g.value)}（{g.n} 条记录{_moved(res, g, zh)}）" if zh else
              f"- {group}: {res.fmt(g.value)} ({g.n} records{_moved(res, g, zh)})")
    _period_change(c, res, zh)
    for i in range(len(res.records)):
        c.add(_record_line_zh(c, res, i) if zh else _record_line(c, res, i, own=own))
    if res.total > len(res.records) and res.query.metric == "list" and not ((res.query.limit or res.query.rank) and res.query.order):
        c.add(f"- …… 另有 {res.total - len(res.records)} 条" if zh else f"- ... and {res.total - len(res.records)} more")
    c.add("")
    c.add(f"_我对问题的理解：{read}。_" if zh else f"_How I read your question: {read}._")
    c.add(f"_计算方式：{computed}。_" if zh else f"_How it is computed: {computed}._")
    for n in parse.assumptions + res.notes:
        c.add(f"_注：{describe_zh.note_zh(n)}_" if zh else f"_Note: {n}_")
    for extra in parse.also:
        more = query_crm(ctx, extra)
        c.used("query_crm", more)
        more_read = describe_zh.read_as(more.query, more.labels, ctx.scope) if zh else more.read_as
        c.add(f"{'另外' if zh else 'Also'}: {more_read}: **{more.fmt(more.value)}** {c.cite(more.citations[0])}")
        _difference(c, res, more, zh)
    if parse.unapplied:
        words = ", ".join(f"'{w}'" for w in parse.unapplied)
        c.add(f"_我没能把 {words} 用到查询中；如果它很重要，请换个说法。_" if zh else
              f"_I couldn't apply {words} to the query; rephrase if it matters._")
    return parse.confidence, res.data()


def _difference(c: Composer, res: Any, more: Any, zh: bool) -> None:
    """'this quarter vs last quarter': the same figure for two periods, and how far apart they are."""
    a, b = res.query, more.query
    if res.value is None or more.value is None or a.group_by or a.metric != b.metric or a.metric == "list" \
            or len(a.filters.windows) != 1 or len(b.filters.windows) != 1 \
            or a.model_copy(update={"filters": a.filters.model_copy(update={"windows": []})}) \
            != b.model_copy(update={"filters": b.filters.model_copy(update={"windows": []})}):
        return
    diff = float(res.value) - float(more.value)
    size = more.fmt(abs(diff)) + ((" 个百分点" if zh else " points") if a.metric in ("win_rate", "loss_rate") else "")
    first, second = a.filters.windows[0].label, b.filters.windows[0].label
    c.add(f"差额（前者减后者）：**{'+' if diff >= 0 else '-'}{size}**" if zh else
          f"Difference ({first} minus {second}): **{'+' if diff >= 0 else '-'}{size}**")


def _period_change(c: Composer, res: CrmResult, zh: bool) -> None:
    """Two months or quarters side by side ('won rev QoQ, q4 minus q3'): how far the later one moved."""
    q = res.query
    if q.group_by not in ("month", "quarter") or len(res.rows) != 2 or q.compare or q.limit or q.rank \
            or any(g.value is None or g.group == "none" for g in res.rows) or q.metric in ("list", "last_touch"):
        return
    early, late = sorted(res.rows, key=lambda g: g.group)
    diff = float(late.value or 0) - float(early.value or 0)
    size = res.fmt(abs(diff)) + ((" 个百分点" if zh else " points") if q.metric in ("win_rate", "loss_rate") else "")
    c.add(f"变化（{late.group} 减 {early.group}）：**{'+' if diff >= 0 else '-'}{size}**" if zh else
          f"Change ({late.group} minus {early.group}): **{'+' if diff >= 0 else '-'}{size}**")


def _periods(q: Any, zh: bool = False) -> tuple[str, str]:
    """The query's own period and the one it is set beside, as the asker said them."""
    other = q.versus_window
    now = next((w for w in q.filters.windows if w.field == other.field), None)
    said = describe_zh.label_zh if zh else (lambda x: x)
    return (said(now.label) or f"{now.start} to {now.end}") if now else "now", said(other.label) or f"{other.start} to {other.end}"


def _moved(res: CrmResult, g: Any, zh: bool) -> str:
    """', last quarter: 61.0%, +0.4 points': a group's figure over the other period, and the move; '+$41,750 vs the
    average': a group's distance from the bar it is measured against."""
    if res.query.versus_all and res.value is not None and g.value is not None:
        diff = float(g.value) - float(res.value)
        size = f"{abs(diff) * 100:.1f}" + (" 个百分点" if zh else " points") if res.query.metric in ("win_rate", "loss_rate") \
            else res.fmt(abs(diff))
        return f"；与平均相差 {'+' if diff >= 0 else '-'}{size}" if zh else f"; {'+' if diff >= 0 else '-'}{size} vs the bar"
    if res.query.versus_window is None:
        return ""
    _, then = _periods(res.query, zh)
    if g.previous is None or g.value is None:
        return f"；{then}：无" if zh else f"; {then}: none"
    diff = float(g.value) - float(g.previous)
    rate = res.query.metric in ("win_rate", "loss_rate")
    size = f"{abs(diff) * 100:.1f}" + (" 个百分点" if zh else " points") if rate else res.fmt(abs(diff))
    sign = "+" if diff >= 0 else "-"
    return f"；{then}：{res.fmt(g.previous)}，{sign}{size}" if zh else f"; {then}: {res.fmt(g.previous)}, {sign}{size}"
