"""The two plain-word notes of a CRM answer in Chinese (the same content as describe.py, Chinese word order).

Chinese puts every modifier before the noun: "上个月关闭的、你负责的赢单商机的数量". The parts are
built from the query itself, not by translating the English sentence.
"""

from __future__ import annotations

import re

from copilot.core.visibility import Scope
from tools.crm_query.describe import bound, fact_bounds
from tools.crm_query.schema import ADDITIVE, CrmQuery

METRIC = {"list": "列表", "count": "数量", "sum": "总金额", "avg": "平均金额", "win_rate": "赢单率",
          "loss_rate": "输单率", "pipeline": "管道总额", "cycle_length": "平均销售周期",
          "activity_count": "活动次数", "last_touch": "最近一次活动日期", "account_count": "客户数（去重）",
          "list_value": "按标价计算的总额", "discount": "平均折扣"}
DEFINITION = {
    "list": "符合条件的记录", "count": "符合条件的记录数",
    "sum": "符合条件商机的金额之和（缺失金额按 0 计）", "avg": "有金额的符合条件商机的平均金额",
    "win_rate": "符合条件的已关闭商机中 赢单 /（赢单 + 输单）", "loss_rate": "符合条件的已关闭商机中 输单 /（赢单 + 输单）",
    "pipeline": "符合条件的进行中商机的金额之和", "cycle_length": "符合条件的已关闭商机（默认赢单，问输单时为输单）从创建到关闭的平均天数",
    "activity_count": "符合条件记录上记录的活动数", "last_touch": "符合条件记录中最近的活动日期",
    "account_count": "符合条件商机涉及的不同客户数（同一客户多单只算一次）",
    "list_value": "符合条件商机所含产品的标价之和（没有产品或标价的按 0 计）",
    "discount": "同时有金额和标价的符合条件商机的 1 - 金额 / 标价 的平均值",
}
FACT_BOUND_WORDS = {
    "employees_min": "客户员工数不少于 {} 的", "employees_max": "客户员工数不多于 {} 的",
    "revenue_min": "客户年收入不少于 {} 的", "revenue_max": "客户年收入不多于 {} 的",
    "founded_min": "客户成立于 {} 年或之后的", "founded_max": "客户成立于 {} 年或之前的"}
OBJECT = {"deals": "商机", "accounts": "客户", "contacts": "联系人", "activities": "活动", "calls": "通话"}
STATUS = {"open": "进行中", "won": "赢单", "lost": "输单", "closed": "已关闭", "any": ""}
FIELD = {"created": "创建于", "close": "预计关闭于", "closed": "关闭于", "last_activity": "最近活动于",
         "next_step": "下一步到期于"}
STAGE = {"prospecting": "初步接触", "qualification": "资格确认", "discovery": "需求调研", "demo": "演示",
         "proposal": "方案报价", "negotiation": "谈判", "closed_won": "赢单", "closed_lost": "输单"}
GROUP = {"rep": "销售代表", "team": "团队", "manager": "经理", "product": "产品", "stage": "阶段",
         "competitor": "竞争对手", "account": "客户", "sector": "行业", "deal_type": "商机类型", "series": "产品系列",
         "region": "客户所在地区", "tier": "客户层级", "parent": "母公司",
         "forecast_category": "预测类别", "loss_reason": "输单原因", "month": "月份", "quarter": "季度"}
EXCLUDE_WORDS = {"parent company": "母公司", "product series": "产品系列", "deal type": "商机类型", "industry": "行业",
                 "region": "地区", "tier": "层级", "stage": "阶段", "product": "产品", "competitor": "竞争对手"}
DEAL_TYPE = {"new": "新业务", "renewal": "续约", "expansion": "增购"}
LABEL = {"this month": "本月", "last month": "上个月", "next month": "下个月", "this quarter": "本季度",
         "last quarter": "上季度", "next quarter": "下季度", "this year": "今年", "last year": "去年",
         "next year": "明年", "this week": "本周", "last week": "上周", "next week": "下周", "today": "今天",
         "year to date": "今年至今", "quarter to date": "本季度至今", "before the end of the year": "年底前"}


def label_zh(label: str | None) -> str:
    """A period as the asker said it, in Chinese where the words are known ('last quarter' -> '上季度')."""
    return _label(label)


def _label(label: str | None) -> str:
    if not label:
        return ""
    return LABEL.get(label.lower(), label)


def read_as(q: CrmQuery, labels: dict[str, str], scope: Scope) -> str:
    f = q.filters
    mods: list[str] = []
    if "owner" in labels:
        mods.append("你负责的" if labels["owner"] == "you" else f"{labels['owner']} 负责的")
    if "manager" in labels:
        mods.append(f"{labels['manager']} 下属的")
    if "team" in labels:
        mods.append(f"{labels['team']} 团队的")
    for w in f.windows:
        span = f"{w.start or '…'} 至 {w.end or '…'}"
        mods.append(f"{FIELD[w.field]}{_label(w.label)}（{span}）的" if w.label else f"{FIELD[w.field]} {span} 的")
    if f.stages:
        mods.append("处于" + "或".join(STAGE.get(s, s) for s in f.stages) + "阶段的")
    if f.forecast_categories:
        mods.append("预测类别为 " + " 或 ".join(f.forecast_categories) + " 的")
    for slot, word in (("product", "产品为 {} 的"), ("account", "客户为 {} 的"), ("competitor", "竞争对手为 {} 的")):
        if slot in labels:
            mods.append(word.format(labels[slot]))
    for slot, word in (("sector", "客户行业为 {} 的"), ("region", "客户位于 {} 的"), ("tier", "客户层级为 {} 的"),
                       ("parent", "客户为 {} 子公司的"), ("series", "产品系列为 {} 的")):
        if slot in labels:
            mods.append(word.format(labels[slot]))
    if "exclude" in labels:
        left_out = labels["exclude"].replace("'s deals", " 负责的商机")
        for en, zh in EXCLUDE_WORDS.items():
            left_out = left_out.replace(f"{en} ", f"{zh} ")
        mods.append(f"不含{left_out}的")
    mods += fact_bounds(q, FACT_BOUND_WORDS)
    if f.has_parent is not None:
        mods.append("子公司客户（有母公司）的" if f.has_parent else "没有母公司的客户的")
    if f.deal_type:
        mods.append(f"{DEAL_TYPE.get(f.deal_type, f.deal_type)}类型的")
    if f.has_competitor is not None:
        mods.append("有竞争对手的" if f.has_competitor else "没有竞争对手的")
    if f.below_list is not None:
        mods.append("成交价低于产品标价的" if f.below_list else "成交价不低于产品标价的")
    if f.amount_min is not None:
        mods.append(f"金额不低于 ${f.amount_min:,.0f} 的")
    if f.amount_max is not None:
        mods.append(f"金额不高于 ${f.amount_max:,.0f} 的")
    if f.activities_min is not None:
        mods.append(f"至少有 {f.activities_min} 条活动记录的")
    if f.activities_max is not None:
        mods.append(f"最多有 {f.activities_max} 条活动记录的")
    if f.inactive_days:
        mods.append(f"最近 {f.inactive_days} 天没有活动的")
    if f.min_days_in_stage:
        mods.append(f"在当前阶段至少 {f.min_days_in_stage} 天的")
    if f.min_pushes:
        mods.append(f"预计关闭日期至少推迟过 {f.min_pushes} 次的")
    if f.has_next_step is not None:
        mods.append("有下一步的" if f.has_next_step else "没有下一步的")
    if f.buying_role:
        mods.append(f"购买角色为 {f.buying_role.replace('_', ' ')} 的")
    if f.activity_kind:
        mods.append(f"类型为 {f.activity_kind} 的")
    if f.without_deals:
        mods.append(f"没有{STATUS.get(f.without_deals, '')}商机的" if q.object == "accounts" else
                    f"客户没有{STATUS.get(f.without_deals, '')}商机的")
    if f.with_contact_role:
        mods.append(f"客户有 {f.with_contact_role.replace('_', ' ')} 联系人的")
    if f.without_contact_role:
        mods.append(f"客户没有 {f.without_contact_role.replace('_', ' ')} 联系人的")
    status = STATUS[q.effective_status()] if q.object == "deals" else ""
    noun = f"{'、'.join(mods)}{status}{OBJECT.get(q.object, q.object)}"
    text = f"{noun}的{METRIC[q.metric]}" if q.metric != "list" else f"{noun}列表"
    if q.compare == ["me_vs_rest"]:
        text += f"，{f.owner}与其团队其他成员对比" if f.owner and f.owner.lower() not in ("me", "my", "i") else "，你与团队其他成员对比"
    elif q.compare:
        text += f"，按{GROUP.get(q.group_by or '', q.group_by or '')}对比 {q.compare[0]} 与 {q.compare[1]}"
    elif q.group_by:
        text += f"，按{GROUP.get(q.group_by, q.group_by)}分组"
    if q.value_min is not None:
        text += f"，只列出不少于 {bound(q, q.value_min)} 的"
    if q.value_max == 0:
        text += "，只列出为 0 的"
    elif q.value_max is not None:
        text += f"，只列出不多于 {bound(q, q.value_max)} 的"
    if q.versus_window is not None:
        w = q.versus_window
        text += f"，与{_label(w.label) or '另一时段'}（{w.start or '…'} 至 {w.end or '…'}）对比" + \
            (f"，只列出{'上升' if q.trend == 'up' else '下降'}的" if q.trend else "")
    if q.min_records:
        text += f"，只列出至少有 {q.min_records} 条记录的分组"
    if q.versus_all:
        bar = "各组平均值" if q.metric in ADDITIVE else "整体数值"
        text += f"，每组与{bar}对比" if q.versus_all == "both" else \
            f"，只列出{'高于' if q.versus_all == 'above' else '低于'}{bar}的"
    if q.rank:
        text += f"，{'倒数' if q.order == 'asc' else ''}第 {q.rank} 名"
    elif q.limit and q.sort_by == "created" and q.order:
        text += f"，{'最早' if q.order == 'asc' else '最新'}的 {q.limit} 条"
    elif q.limit and (q.metric != "list" or q.order):
        text += f"，{'后' if q.order == 'asc' else '前'} {q.limit} 名"
    elif q.metric == "list" and q.order and q.sort_by == "created":
        text += "，按创建日期从早到晚" if q.order == "asc" else "，按创建日期从晚到早"
    elif q.metric == "list" and q.order:
        text += "，金额从大到小" if q.order == "desc" else "，金额从小到大"
    if q.share_of:
        text += "，占去掉该条件后整体的比例"
    return text


def computed_as(q: CrmQuery, scope: Scope, n: int) -> str:
    who = scope.principal
    reach = ("全部记录" if scope.all_records else "仅汇总数据（过小的分组不显示）" if scope.aggregates_only
             else "你自己的记录" if who.role.value == "rep" else "你团队的记录")
    if q.share_of:
        return f"部分的{DEFINITION[q.metric]}，除以整体的同一数值；在{reach}中部分匹配到 {n} 条记录"
    return f"{DEFINITION[q.metric]}；在{reach}中匹配到 {n} 条记录"


# The notes an answer carries (how the question was read, what was left out), in Chinese; a note with no rule here
# is shown as it is.
NOTES: list[tuple[str, str]] = [
    (r"^set aside '(.+)' \(why you ask, not what\)$", r"已略去“\1”（这是提问的原因，不是问题本身）"),
    (r"^this quarter, since no period was given$", "按本季度计算，因为问题没有给出时间段"),
    (r"^the accounts, each with its number of matching deals$", "列出客户，以及每个客户符合条件的商机数"),
    (r"^ranked by number of records$", "按记录数排序"), (r"^ranked by won amount$", "按赢单金额排序"),
    (r"^a total over a past period is read as won revenue$", "过去时段的总额按赢单金额理解"),
    (r"^open deals only, since going quiet is about open deals.*$", "只看进行中的商机，因为“没有跟进”说的是进行中的商机；如需包含已关闭的，请说“全部”或“赢单”"),
    (r"^deals of every status \(open, won and lost\).*$", "包括所有状态的商机（进行中、赢单、输单），因为问的是创建时间；只看进行中的请说“进行中”"),
    (r"^open pipeline is today's.*$", "管道金额只有当前值，没有保存历史值，因此无法对比"),
    (r"^(\d+) group\(s\) with fewer than (\d+) records suppressed$", r"\1 个少于 \2 条记录的分组未显示"),
    (r"^people's names are pseudonymized in aggregate views$", "汇总视图中的人名已做匿名处理"),
    (r"^(\d+) record\(s\) with no (.+) on record are left out( of the ranking)?$", r"\1 条记录没有\2信息，未计入"),
    (r"^(\d+) matching deal\(s\) have no amount.*$", r"\1 条符合条件的商机没有金额（求和按 0 计，求平均时不计入）"),
    (r"^(\d+) matching deal\(s\) have no product list price.*$", r"\1 条符合条件的商机没有产品标价（求和按 0 计，求平均时不计入）"),
]


def note_zh(note: str) -> str:
    """One of an answer's notes in Chinese, where a rule knows its wording."""
    for pattern, zh in NOTES:
        if re.match(pattern, note):
            return re.sub(pattern, zh, note)
    return note
