"""The offline engine's fixed sentences in Chinese, for answers to questions asked in Chinese.

CRM answers are written in Chinese where they are composed (``crm_query_answer``, ``describe_zh``);
everything else the offline engine says around quoted sources (leads, refusals, the offline notice,
notes) is a fixed sentence with slots, translated here by pattern. Quoted source text, names, figures
and dates pass through untouched. A sentence with no pattern stays English rather than being guessed.
"""

from __future__ import annotations

import re

from copilot.core.domain import Answer
from tools.compose import OFFLINE_NOTICE

# (English pattern, Chinese); whole sentences or line leads of the offline templates.
PATTERNS: list[tuple[str, str]] = [
    (re.escape(OFFLINE_NOTICE), "_离线模式：未配置语言模型，本回答直接引用并列出来源。_"),
    (r"^What the sources say:", "资料中的相关内容："),
    (r"^How the case library says to handle it:", "案例库建议的处理方式："),
    (r"^I'm not sure the case library answers this; the closest it comes:",
     "不确定案例库能否回答这个问题，最接近的内容是："),
    (r"^How we compare with (.+?):$", r"我们与 \1 的对比："),
    (r"^Also: ", "另见："),
    (r"^I found nothing in the case library about this\. .*$", "案例库中没有相关内容。请换个说法，或先导入相关文档。"),
    (r"^I found nothing in the case library about (.+?)\. .*$", r"案例库中没有关于\1的内容。请换个说法，或先导入相关文档。"),
    (r"^Which account do you mean\?.*$", "你指的是哪个客户？请在问题中写出客户名称。"),
    (r"^Which deal do you mean\?.*$", "你指的是哪个商机？请写出客户或商机名称。"),
    (r"^I couldn't find an account, person, team or product called '(.+?)' among those you can see\..*$",
     r"在你可见的范围内，没有找到名为“\1”的客户、人员、团队或产品。请检查拼写，或询问你的经理它是否属于其他团队。"),
    (r"^I can't show that: (.+?) is an exec and sees aggregates only, not account, deal or contact records.*$",
     r"无法显示：\1 是高管角色，只能查看汇总数据，不能查看具体的客户、商机或联系人记录（可以问汇总问题，例如“上季度各团队的赢单率”）。"),
    (r"^I can't show that: (.+)$", r"无法显示：\1"),
    (r"^I couldn't find an account matching '(.+?)' among the accounts you can see$", r"在你可见的客户中，没有找到与“\1”匹配的客户"),
    (r"^I read this as a CRM question but couldn't build it: (.+?)\. Could you rephrase\?$",
     r"我把这个问题理解为 CRM 查询，但无法构建：\1。能换个说法吗？"),
    (r"^The champion at (.+?): (.+)$", r"\1 的内部支持者（champion）：\2"),
    (r"^The economic buyer at (.+?): (.+)$", r"\1 的经济决策人（economic buyer）：\2"),
    (r"^No contact at (.+?) is marked as (.+?) in the CRM (.*)$", r"CRM 中 \1 没有标记为 \2 的联系人 \3"),
    (r"^Latest activity:$", "最近的活动："), (r"^Other contacts:$", "其他联系人："), (r"^From the notes:$", "来自笔记："),
    (r"^- Next step: (.+)$", r"- 下一步：\1"), (r"^- Competitor in play: (.+)$", r"- 竞争对手：\1"),
    (r"^- Close date pushed (\d+) time\(s\)(.*)$", r"- 关闭日期推迟过 \1 次\2"),
    (r"^- Loss reason: (.+)$", r"- 输单原因：\1"), (r"^- Champion: (.+)$", r"- 内部支持者：\1"),
    (r"^- Customer health (.+)$", r"- 客户健康分 \1"),
    (r"^- \.\.\. and (\d+) more$", r"- …… 另有 \1 条"),
]
NOTES: list[tuple[str, str]] = [
    (r"^The language model (.+); answered by the offline engine instead\.$", r"语言模型\1；已改由离线引擎回答。"),
    (r"^The language model failed \((.+)\); answered by the offline engine\.$", r"语言模型调用失败（\1）；已改由离线引擎回答。"),
    (r"^asked to clarify$", "需要澄清"), (r"^unknown name$", "名称未知"), (r"^proposed, not executed$", "已提议，尚未执行"),
]
_COMPILED = [(re.compile(p, re.M), r) for p, r in PATTERNS]
_NOTES = [(re.compile(p), r) for p, r in NOTES]


def text_to_zh(text: str) -> str:
    for pat, rep in _COMPILED:
        text = pat.sub(rep, text)
    return text


def note_to_zh(note: str) -> str:
    for pat, rep in _NOTES:
        if pat.search(note):
            return pat.sub(rep, note)
    return note


def to_zh(answer: Answer) -> Answer:
    """The answer with the engine's own sentences in Chinese; ``answer.language`` set to 'zh'."""
    answer.text = text_to_zh(answer.text)
    answer.notes = [note_to_zh(n) for n in answer.notes]
    answer.language = "zh"
    return answer
