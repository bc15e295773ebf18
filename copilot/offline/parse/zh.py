"""Chinese CRM questions -> the parser's English words, names kept as they are.

The offline parser reads slots with English lexicons. Rather than a second parser, a Chinese question
is rewritten phrase by phrase into the words those lexicons read ("上个月" -> "last month", "赢单率" ->
"win rate", "三周没有跟进" -> "no activity in 3 weeks", "华东 vs 华南" stays a comparison), so both
languages share one typed query, one set of slot rules and one coverage report. Names are never
rewritten: CRM names found in the question (Chinese or not) are cut out first and put back unchanged,
so "华东" stays the team the linker knows. Chinese that no rule reads is left in place, so the parser
reports it as not applied instead of silently dropping it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from copilot.core.lang import HAN

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9}
_NUM = "[0-9零〇一二两俩三四五六七八九十百千]+"


def cn_number(text: str) -> int | None:
    """'三' -> 3, '十五' -> 15, '二十' -> 20, '120' -> 120, '一百二十' -> 120."""
    if text.isdigit():
        return int(text)
    total, cur = 0, 0
    for ch in text:
        if ch in _DIGITS:
            cur = _DIGITS[ch]
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (cur or 1) * unit
            cur = 0
        else:
            return None
    return total + cur


def _numbers(text: str) -> str:
    """Chinese numerals before a unit or a count become digits; 万 multiplies amounts by 10,000."""
    def amount(m: re.Match[str]) -> str:
        n = float(m.group(1)) if re.fullmatch(r"[0-9.]+", m.group(1)) else cn_number(m.group(1))
        return f" {int((n or 0) * 10000)} "

    text = re.sub(rf"([0-9.]+|{_NUM})\s*万", amount, text)
    return re.sub(rf"({_NUM})(?=\s*(?:个月|个星期|个季度|周|天|日|次|名|个|位|笔|单|年|月|星期|礼拜))",
                  lambda m: str(cn_number(m.group(1)) if cn_number(m.group(1)) is not None else m.group(1)), text)


_NOUN = {"产品": "product", "团队": "team", "销售": "rep", "行业": "sector"}
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
Rule = tuple[str, str | Callable[[re.Match[str]], str]]

# Phrases whose numerals are not counts ("最近一次" is "the latest"), read before numerals become digits.
EARLY: list[Rule] = [
    # '哪些客户今年丢过单，但是一单都没赢过': accounts by the deals they never had, before '一单都没赢' (reps at none)
    (r"(?:但是?|却|可是?)?\s*(?:一单都没|从来没|从没|一次都没)(?:有)?(?:赢|签|成交)(?:过|下来)?",
     lambda m: " but never won " if "客户" in m.string else m.group(0)),
    (r"丢过(?:单|商机|单子)|输过(?:单|商机|单子)", " lost deals "),
    (r"谁(?=[^?？]*(?:一单|一个|一笔)都没)", " which rep "),  # '谁这个月一单都没赢': the reps at none
    (r"(?:一单|一个|一笔)都没(?:有)?(?:赢|签下?|成交)(?:过|下来)?", " didn't win a single deal "),
    (r"(?:一单|一个|一笔)都没(?:有)?(?:丢|输)(?:过|掉)?", " didn't lose a single deal "),
    (r"^\W*(?:你好|您好|嗨|哈喽)\W*$", "hello"), (r"^\W*(?:谢谢|多谢|感谢)\W*$", "thanks"),
    (r"^\W*(?:你|您)(?:能|可以|会)(?:做|干)(?:什么|啥)\W*$", "what can you do"), (r"^\W*帮助\W*$", "help"),
    (r"最近一次|最后一次|上一次|上次", " last "),
    # '零售(retail)行业': an English gloss in brackets after the Chinese says the same thing; the Chinese is read
    (r"(?<=[\u4e00-\u9fff])\s*\(\s*[A-Za-z][A-Za-z .&-]*\)\s*(?=[\u4e00-\u9fff])", ""),
    (r"(?:全部|所有|整个)(?:的)?(?:时间|时期)|有史以来|历史(?:上|总计|累计)", " all time "),
    # '美国以外的客户': the accounts outside a country or region, said like '非美国'
    (r"(?:在)?(美国|中国|日本|德国|韩国|欧洲|亚太|北美)(?:以外|之外)", r"非\1"),
    (r"(?:客户)?[(（]?\s*(?:没有|无)母公司(?:的)?\s*[)）]?", " accounts with no parent "),  # before '子公司'
    (r"(?<=子公司)(?:客户)?\s*[(（]\s*有母公司(?:的)?\s*[)）]", " "),  # '子公司客户（有母公司的）': said twice
    (r"有母公司(?:的)?(?:客户)?|(?:属于|隶属于?)(?:某个)?(?:母公司|集团)(?:的)?(?:客户)?", " subsidiaries "),
    (r"\s*的?(?:各家|旗下)?子公司", " subsidiaries "),
    # '我今年的赢单金额里GTXPro占多少': the part follows '里' (the whole before it)
    (r"(?:里|当中|里面|(?<!进行)中)\s*[,，]?\s*(?=[^?？]*(?:占|比例|百分))", " came from "),  # 'Acme 的子公司': Acme as the parent company
    # '每个阶段', '各竞争对手', '每位销售': a grouping, said like '按阶段'
    (r"(?:每一?|各)(?:个|位|家)?(?=销售代表|销售员|销售|代表|团队|经理|产品|阶段|竞争对手|竞品|对手|行业|国家|季度|月)", "按"),
    # "A 和 B 的赢单率对比" -> "赢单率 A vs B": the metric first, the two sides around "vs"
    (r"^\s*(\S+?)\s*(?:和|与|跟|对比|vs\.?)\s*(\S+?)\s*的\s*(\S+?)\s*(?:对比|相比|比较|比一比|对照)\s*([?？]?)\s*$", r"\3 \1 vs \2\4"),
    (r"(最(?:高|多|大|好))的?(?:是|是哪位|是哪个)?谁", " which rep most "), (r"(最(?:低|少|小|差))的?(?:是|是哪位|是哪个)?谁", " which rep lowest "),
    (r"(?:成交|签约|签单|签|卖|赢)了?多少(?:钱|金额)?(?![单个笔条])", " revenue "),
    (r"(?:不管|无论|不论)(?:是)?(?:开着|进行中|打开|开放)(?:的)?(?:还是|或者?)(?:关了|关闭(?:了)?|已关闭)(?:的)?", " open or closed "),
    (r"(?:在)?(?:那边|那里|这边|那儿)?(?:我|我们)(?:都)?认识(?:谁|哪些人|的人)", " who do we know "),
    (r"(?:未来|接下来|今后|之后)(\d+)\s*(天|周|个星期|个月)(?:内|以内|之内)?",
     lambda m: f" in the next {m.group(1)} {dict(天='days', 周='weeks', 个星期='weeks', 个月='months')[m.group(2)]} "),
    (r"(?:预计)?(?:关闭|关单|结单)日期", " close date "), (r"(?:的)?(?:活动次数|跟进次数|活动数)", " activity count on "),
    (r"不止一次|多于一次|一次以上|超过一次", " more than once "),
    (r"(?:有)?(?:一阵子|好久|很久|一段时间|好一阵)(?:都|了)?(?:没有|没)(?:人)?(?:跟进|联系|活动|动过|碰过|管)", " haven't touched in a while "),
    (r"最大的(?:一单|一笔|单子|那单)", " biggest deal "), (r"最小的(?:一单|一笔|单子|那单)", " smallest deal "),
    (r"谁的(?:单子|商机)?(?:在|正在)?(?:滑|滑单|延期|推迟)", " who's slipping "),
    (r"下一步(?:在)?(本周|这周|下周|今天|明天|本月|这个月)(?:到期|截止)", r" next steps due \1 "),
    # a second figure asked in the same breath: "赢单率是多少，平均周期多长" -> "... and the average cycle"
    (r"[，,]\s*(?=(?:还有|以及)?(?:平均|总|多少|几|一共|赢单率|输单率|管道|签了|赢了|输了))", " and "),
    (r"前\s*([一二三四五六七八九十两])\s*(?=[的名个位大])", lambda m: f"前{cn_number(m.group(1))}"),
    (r"(?:和|跟|与)(?:我的|我们)?团队(?:里)?(?:的)?(?:其他人|其他成员|其他同事|其他销售|其余的人)(?:比|相比|比较|对比)?",
     " vs the rest of my team "),
    (r"(本周|这周|下周|今天|明天|本月|这个月|下个月)(?:到期|截止)的下一步", r" next steps due \1 "),
    (r"(commit|承诺|最佳情况|best case)\s*(?:的)?(?:金额|总额)?\s*(?:是多少|有多少|多少)", r" \1 pipeline "),
    (r"(?:last )?(?:联系|跟进|沟通|触达|拜访|通话)(?:的)?(?:时间|日期)?(?=.*(?:什么时候|何时|哪天|时间|日期))", " last touch "),
    # how-to questions belong to the case library, whatever CRM words they hold ("客户说太贵，怎么回应")
    (r"(?:我|我们)?(?:该|应该|要|能|可以)?(?:怎么|如何|怎样)(?:回应|应对|处理|回答|说服|回复|反驳|办|说|做|谈|赢)",
     " how should i respond "),
    (r"异议", " objection "), (r"政策|规定|制度", " policy "), (r"手册|打法|话术", " playbook "),
    (r"对比卡|竞品卡|作战卡", " battle card "), (r"最佳实践", " best practices "), (r"成功案例|赢单案例|案例", " case study "),
    (r"我(?:跟|和|与)(?:我的|我们)?团队(?:里)?(?:的)?(?:其他人|其他成员|其他同事|其他销售)(?:比|相比|比较|对比)?",
     " me vs the rest of my team "),
]

# (pattern, English words); applied in order, longest and most specific first.
RULES: list[Rule] = [
    # '平均成交金额': the average deal size, before '成交金额' alone is read as revenue
    (r"平均(?:的)?(?:每单|每笔)?(?:成交|赢单|签约|合同|单子|商机)?(?:的)?(?:金额|额|价值|大小|规模)", " average deal size "),
    (r"(?:还)?(?:没有|没|未)(?:关掉|关闭|关|结束|结掉|结)(?:的)?", " open "),  # '我还没关掉的单子': the open ones
    # '在11月30号（含）之前': by that day (inclusive); '之后' after it
    (r"在\s*([^，,。?？在]{2,16}?)\s*(?:[(（]\s*含\s*[)）])?\s*(?:之前|以前)", r" by \1 "),
    (r"在\s*([^，,。?？在]{2,16}?)\s*(?:[(（]\s*含\s*[)）])?\s*(?:之后|以后)", r" after \1 "),
    (r"(next step|close|关闭|预计关闭)\s*(?:的)?日期", r" \1 date "),
    (r"(\d{1,2})\s*月\s*(\d{1,2})\s*(?:号|日)", lambda m: f" {_MONTHS[int(m.group(1)) - 1]} {m.group(2)} "),
    # 'X 最低的3个销售': the bottom three (people, teams, products), before '最低' alone is read
    (r"最(?:低|少|小|差)的\s*(\d+)\s*(?:个|位|名)(?=\s*(?:销售|代表|团队|产品|经理|行业|国家))", r" bottom \1 "),
    (r"最(?:高|多|大|好)的\s*(\d+)\s*(?:个|位|名)(?=\s*(?:销售|代表|团队|产品|经理|行业|国家))", r" top \1 "),
    # inactivity and follow-up
    (r"(?:超过|已经|已|有)?(\d+)\s*(天|周|个星期|星期|个月|月)(?:以上|多)?(?:都|也)?(?:没有|没|未|无)(?:任何)?(?:人)?(?:跟进|联系|活动|动态|动静|消息|回音|进展|触达|沟通|互动|记录)",
     r" with no activity in \1 \2 "),
    (r"(?:没有|没|未|无)(?:人)?(?:跟进|联系|活动|触达)(?:超过|已经|了)?(\d+)\s*(天|周|个星期|星期|个月|月)(?:以上|了)?",
     r" with no activity in \1 \2 "),
    (r"(?:没有|没|无|缺少|缺)(?:下一步|下一步计划|下一步行动|后续步骤)", " with no next step "),
    (r"(?:有)?下一步(?:计划|行动)?", " next step "),
    (r"(?:被)?(?:推迟|延期|推后|延后|推了|改期)(?:过|了)?(?:至少)?(\d+)\s*次(?:及以上|或以上|以上|或更多|还多)?",
     r" pushed at least \1 times "),
    (r"(?:被)?(?:推迟|延期|推后|延后|滑单|滑期)(?:过|了)?(?:的)?", " pushed "),
    (r"什么时候|何时|哪天|哪一天", " when "), (r"逾期|过期|超期", " overdue "), (r"到期", " due "),
    (r"((?:过去|最近|近|上个?|本|这个?|今年|去年)[^\s,]{0,6}?)(?:新增|创建|新建|新开)(?:的)?", r" created \1 "),
    (r"(?:预计|将要|要|即将)(?:关单|成交|签单|签约|结单)(?:的)?(?:金额|总额|总金额)", " pipeline expected to close "),
    (r"在(?:当前)?阶段(?:停留|卡)(?:了)?(?:超过)?(\d+)\s*(天|周|个月)(?:以上)?", r" stuck in stage for \1 \2 "),
    (r"(?:最近|过去|近)(\d+)\s*(天|周|个星期)(?:内|以内)?有(?:过)?(?:活动|跟进|联系|动态)",
     lambda m: f" with activity in the last {m.group(1)} {'days' if m.group(2) == '天' else 'weeks'} "),
    (r"金额最(小|低)的\s*(\d+)\s*(?:个|笔|条)?", r" \2 smallest "), (r"金额最(大|高)的\s*(\d+)\s*(?:个|笔|条)?", r" \2 largest "),
    (r"最(小|低)的\s*(\d+)\s*(?:个|笔|条)", r" \2 smallest "), (r"最(大|高)的\s*(\d+)\s*(?:个|笔|条)", r" \2 largest "),
    (r"(?<!\d)(\d{1,2})\s*月(?:份)?(?:以来|至今|开始|起)", lambda m: f" since {_MONTHS[int(m.group(1)) - 1]} " if 1 <= int(m.group(1)) <= 12 else m.group(0)),
    (r"谁的\s*(.+?)\s*最多", r" who's got the most \1 "),
    # time
    (r"上个?月", " last month "), (r"(?:本|这个?|当)月", " this month "), (r"下个?月", " next month "),
    (r"上个?季度|上季", " last quarter "), (r"(?:本|这个?|当)季度|本季", " this quarter "), (r"下个?季度|下季", " next quarter "),
    (r"(?:今年|本年度?)(?:以来|至今|到目前为止)|年初至今", " year to date "),
    (r"(?:本季度|本季)(?:以来|至今)", " quarter to date "),
    (r"(?:今年)?年底(?:之前|以前|前)|年末(?:之前|以前|前)|(?:今年)?年底", " before the end of the year "),
    (r"(?:本|这个?)?季度末(?:之前|以前|前)?", " before the end of the quarter "),
    (r"(?:本|这个?)?月底(?:之前|以前|前)?", " before the end of the month "),
    (r"今年|本年度?", " this year "), (r"去年|上一年", " last year "), (r"明年|下一年", " next year "),
    (r"上(?:个)?(?:周|星期|礼拜)", " last week "), (r"(?:本|这个?)(?:周|星期|礼拜)", " this week "),
    (r"下(?:个)?(?:周|星期|礼拜)", " next week "),
    (r"(?:过去|最近|近)(\d+)\s*(天|日)", r" in the last \1 days "),
    (r"(?:过去|最近|近)(\d+)\s*(?:周|个星期)", r" in the last \1 weeks "),
    (r"(?:过去|最近|近)(\d+)\s*个?月", r" in the last \1 months "),
    (r"(?:过去|最近|近)(\d+)\s*个?季度", r" in the last \1 quarters "),
    (r"今天", " today "), (r"昨天", " yesterday "), (r"明天", " tomorrow "),
    (r"(20\d\d)\s*年\s*第?\s*([1-4一二三四])\s*季度", lambda m: f" q{cn_number(m.group(2))} {m.group(1)} "),
    (r"第\s*([1-4一二三四])\s*季度", lambda m: f" q{cn_number(m.group(1))} "),
    (r"(20\d\d)\s*年\s*(\d{1,2})\s*月", lambda m: f" {_MONTHS[int(m.group(2)) - 1]} {m.group(1)} "),
    (r"(?<!\d)(\d{1,2})\s*月(?:份)?", lambda m: f" {_MONTHS[int(m.group(1)) - 1]} " if 1 <= int(m.group(1)) <= 12 else m.group(0)),
    (r"(20\d\d)\s*年", r" \1 "),
    (r"(\d+)\s*个?月前", r" \1 months ago "), (r"(\d+)\s*(?:周|个星期)前", r" \1 weeks ago "), (r"(\d+)\s*天前", r" \1 days ago "),
    (r"(\d+)\s*个?季度", r" \1 quarters "), (r"(\d+)\s*(?:周|个星期|星期)", r" \1 weeks "), (r"(\d+)\s*(?:天|日)", r" \1 days "),
    (r"(\d+)\s*个?月", r" \1 months "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:国家|客户所在地|所在地|客户所在国家)|各(?:个)?国家", " by country "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:产品系列|产品线)|各(?:个)?产品系列", " by product series "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:客户层级|客户分层|客户规模|层级)", " by tier "),
    (r"(?:按|按照|分)(?:各个?|每个)?母公司", " by parent company "), (r"产品系列|产品线", " series "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:销售代表|销售员|销售|代表|负责人|人员|人)(?:来看|统计|排名|分组)?|每(?:个|位)(?:销售|代表|人)|各(?:个|位)?(?:销售代表|销售员|销售|代表)", " by rep "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:团队|区域|大区|地区|小组)(?:来看|统计|排名|分组)?|各(?:个)?(?:团队|区域|大区)|每个(?:团队|区域)",
     " by team "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:经理|主管)|各(?:位)?经理", " by manager "),
    (r"(?:按|按照|分)(?:各个?|每个)?产品|各(?:个)?产品|每个产品", " by product "),
    (r"(?:按|按照|分)(?:各个?|每个)?阶段|各(?:个)?阶段", " by stage "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:预测类别|预测分类)|各(?:个)?预测类别", " by forecast category "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:竞争对手|竞品|对手)", " by competitor "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:行业|细分市场)|各(?:个)?行业", " by sector "),
    (r"(?:按|按照|分)(?:各个?|每个)?(?:月份|月)|每(?:个)?月|逐月", " by month "),
    (r"(?:按|按照|分)(?:各个?|每个)?季度|每(?:个)?季度|逐季", " by quarter "),
    # a count each group must reach: '谁今年赢单超过10单' (who won more than 10 deals)
    (r"谁(?=[^?？]*(?:超过|多于|少于|不到|至少|不少于|不超过|至多|低于|高于)\s*\d)", " which rep "),
    (r"谁(?=[^?？]*最(?:短|长|快|慢))", " which rep "),
    # each group over two periods: '哪些人这个季度的赢单金额比上个季度高'
    (r"(?:要)?比\s*([^，,?？比]{2,24}?)\s*(?:的)?(?:要|还)?(?:高|多|好|大|增长|提升|上升)(?:了)?",
     r" higher than \1 "),
    (r"(?:要)?比\s*([^，,?？比]{2,24}?)\s*(?:的)?(?:要|还)?(?:低|少|差|小|下降|下滑)(?:了)?",
     r" lower than \1 "),
    (r"(?:相比|比起|对比|较)\s*(上个?季度|上季|上个?月|上月|去年|last quarter|last month|last year)\s*(?:有所)?(?:提升|增长|上升|提高|进步)(?:了)?", r" up from \1 "),
    (r"(?:相比|比起|对比|较)\s*(上个?季度|上季|上个?月|上月|去年|last quarter|last month|last year)\s*(?:有所)?(?:下降|下滑|减少|降低|退步)(?:了)?", r" down from \1 "),
    # each against the figure over all of them: '谁的赢单率高于团队整体', '哪些产品的平均金额低于平均水平'
    (r"谁(?=[^?？]*(?:高于|低于|超过|好于|优于|不如|差于|比)\s*(?:团队|全队|大家|整体|公司|平均))", " which rep "),
    (r"(?:谁|哪些人|哪几个人|哪位|哪些销售)(?=[^?？]*(?:(?:比|相比|比起|对比|较)\s*(?:上个?季度|上季|上个?月|上月|去年|上半年|last "
     r"quarter|last month|last year)|(?:higher|lower) than|(?:up|down) from last))",
     " which reps "),
    (r"(?:高于|超过|好于|优于|强于)\s*(?:团队|全队|大家|公司)?(?:的)?(?:整体|平均|总体|均值|平均水平|整体水平)(?:水平|值|数)?"
     r"|(?:高于|超过|好于|优于|强于)\s*(?:团队|全队|大家|公司)(?:的)?"
     r"|比\s*(?:团队|全队|大家|整体|公司)(?:的)?(?:整体|平均|总体|平均水平)?(?:水平)?(?:要|还)?(?:高|好|多|强)", " better than the team average "),
    (r"(?:低于|不如|差于|不到)\s*(?:团队|全队|大家|公司)?(?:的)?(?:整体|平均|总体|均值|平均水平|整体水平)(?:水平|值|数)?"
     r"|(?:低于|不如|差于)\s*(?:团队|全队|大家|公司)(?:的)?"
     r"|比\s*(?:团队|全队|大家|整体|公司)(?:的)?(?:整体|平均|总体|平均水平)?(?:水平)?(?:要|还)?(?:低|差|少)", " worse than the team average "),  # '谁…平均成交周期最短': the rep with the lowest figure
    (r"最(?:短|快)(?:的)?", " lowest "), (r"最(?:长|慢)(?:的)?", " highest "),
    (r"丢(?:掉)?(?:了)?的(?:单子|单|商机)", " lost deals "),
    (r"(\bby [a-z]+(?: [a-z]+)?)\s*(?:分|拆|统计)(?:一下|开)?", r"\1 "),  # '按产品分一下': by product
    (r"各(?=\s*(?:丢|赢|输|成交|签))", " "),
    (r"(单子|单|商机|机会)(?:数|数量)?\s*(?:超过|多于|大于|高于)\s*(\d[\d,]*)\s*(?:个|笔|张)(?!\s*(?:天|周|月))",
     r" \1 more than \2 deals each "),
    (r"(单子|单|商机|机会)(?:数|数量)?\s*(?:少于|低于|不到|小于)\s*(\d[\d,]*)\s*(?:个|笔|张)(?!\s*(?:天|周|月))",
     r" \1 fewer than \2 deals each "),
    (r"(?:至少|不少于)\s*(\d[\d,]*)\s*(?:个|笔|张)?\s*(?:单子|单|商机|机会)", r" at least \1 deals each "),
    (r"(?:超过|多于|大于|高于)\s*(\d[\d,]*)\s*(?:个|笔|张)?\s*(?:单子|单|商机|机会)", r" more than \1 deals each "),
    (r"(?:不超过|至多)\s*(\d[\d,]*)\s*(?:个|笔|张)?\s*(?:单子|单|商机|机会)", r" at most \1 deals each "),
    (r"(?:少于|低于|不到|小于)\s*(\d[\d,]*)\s*(?:个|笔|张)?\s*(?:单子|单|商机|机会)", r" fewer than \1 deals each "),
    # the customer's facts: industry, country or region, tier, headcount, product series; leaving one out
    (r"员工(?:数|人数)?\s*(?:超过|多于|大于|高于|至少|不少于|不低于)\s*(\d[\d,]*)\s*(?:人|名)?", r" over \1 employees "),
    (r"员工(?:数|人数)?\s*(?:少于|低于|不到|小于|不超过|至多)\s*(\d[\d,]*)\s*(?:人|名)?", r" under \1 employees "),
    (r"(\d[\d,]*)\s*人以上", r" over \1 employees "), (r"(\d[\d,]*)\s*人以下", r" under \1 employees "),
    (r"不包括|不包含|不含|除了|除去|排除|剔除|不算|不计入|不计算|不计", " excluding "),
    (r"非(?=\s*(?:美国|中国|日本|欧洲|亚太|企业级|零售|医疗|金融|科技|软件|制造|保险|能源|媒体))", " non "),
    (r"美国", " us "), (r"日本", " japan "), (r"中国", " china "), (r"德国", " germany "), (r"韩国", " korea "),
    (r"巴西", " brazil "), (r"意大利", " italy "), (r"菲律宾", " philippines "), (r"欧洲|欧非中东", " emea "),
    (r"亚太", " apac "), (r"北美", " north america "),
    (r"零售", " retail "), (r"医疗|医药", " medical "), (r"金融", " finance "), (r"高科技|科技", " technology "),
    (r"软件", " software "), (r"制造业?", " manufacturing "), (r"能源", " energy "), (r"保险", " insurance "),
    (r"物流", " logistics "), (r"传媒|媒体", " media "), (r"娱乐", " entertainment "), (r"电信", " telecom "),
    (r"市场营销|营销", " marketing "), (r"服务业", " services "),
    (r"企业级|大型企业", " enterprise "), (r"中型企业|中端市场", " mid-market "), (r"中小企业|小型企业", " smb "),
    # list price: '按标价算的管道', '低于标价成交的赢单', '平均折扣'
    (r"(?:按|以)(?:产品)?(?:标价|目录价|报价单价|牌价)(?:计算|算|来算)?(?:的)?(?:话)?(?:值|价值|一共值|总共值)?", " worth at list price "),
    (r"(?:低于|不到|小于)(?:产品)?(?:的)?(?:标价|目录价|牌价)", " below list price "),
    (r"(?:不低于|达到|高于|按)(?:产品)?(?:的)?(?:标价|目录价|牌价)", " at list price "),
    (r"(?:平均)(?:的)?(?:折扣|折扣率|让利)", " average discount "), (r"打(?:了)?折(?:的)?", " discounted "),
    (r"折扣率|折扣", " discount "),
    (r"(?:创建|建立|录入|打开|开启|进来)?(?:得|的)?最早(?:创建|建立|录入|打开|开启|进来)?的?(?:那|哪)?(一)?(个|条|笔|单)", " oldest one "),
    (r"(?:创建|建立|录入|打开|开启|进来)?(?:得|的)?最早(?:创建|建立|录入|打开|开启|进来)?的?", " oldest "),
    (r"最新(?:创建|建立|录入|进来)?的?(?:那|哪)?(一)?(个|条|笔|单)|最近创建的(?:那|哪)?(一)?(个|条|笔|单)", " newest one "),
    (r"最新(?:创建|建立|录入|进来)?的|最近创建的", " newest "),
    (r"(?<=周期)\s*(?:是|有|为)?(?:多少天|几天)", " in days "),  # '平均成交周期是多少天': the cycle, in days
    (r"从\s*([A-Za-z][\w-]*)\s*到\s*([A-Za-z][\w-]*)", r" from \1 to \2 "),  # '从engage到close'

    # metrics
    (r"输单率|丢单率|失单率|败率", " loss rate "),
    (r"赢单率|胜率|赢率|成单率|成交率|赢单比例|转化率", " win rate "),
    (r"(?:平均)?(?:销售|成交|签单)周期|(?:平均)?(?:多久|多长时间)(?:能)?(?:成交|签单|赢单|关单)"
     r"|(?:平均)?(?:成交|签单|赢单|关单)(?:所需|需要的)?天数|平均周期(?:多长|多久|是多少)?", " average sales cycle "),
    (r"平均(?:客单价|合同金额|合同额|交易额|交易金额|商机金额|金额|单价|订单金额)|客单价|平均(?:每单|每笔)(?:金额)?",
     " average deal size "),
    (r"管道|管线|销售漏斗|漏斗|pipeline", " pipeline "),
    (r"(?:有)?多少(?:个|条|笔|单|家|位|次)|(?:有)?多少(?=\S{0,6}?(?:商机|机会|客户|联系人|活动|通话|交易|订单|单子|续约))|(?:有)?几(?:个|条|笔|单|家|位|次)|数量|个数|笔数|总数",
     " how many "),
    (r"(?:金额|合同额|合同金额)(?=\s*(?:超过|大于|高于|多于|至少|不少于|不低于|低于|小于|少于|不到|不超过|至多|在))", " "),
    (r"(?:成交|签约|赢单)(?:金额|额)(?:合计|总计|总额|一共)?|(?:收入|营收|业绩|销售额|销售收入)(?:合计|总计|总额|一共)?", " revenue "),
    (r"总额|总金额|合计|金额", " total amount "),
    (r"卖得最好|销量最好|最畅销|卖得最多", " sells the most "), (r"卖得最差|卖得最少", " sells the least "),
    # objects
    (r"(?:续约|续费|续签)单", " renewal deals "), (r"续约|续费|续签", " renewal "), (r"增购|追加购买|扩容|扩展|加购|交叉销售", " expansion "),
    (r"新客户|新业务|新签|新logo", " new business "),
    (r"商机|机会|销售机会|单子|交易|订单|项目", " deals "),
    (r"联系人|对接人", " contacts "),
    (r"(?:电子)?邮箱(?:地址)?|邮件地址|email ?地址", " email address "), (r"发(?:给)?我(?:一下)?|给我发(?:一下)?", " show me "),
    (r"技术决策人|技术买家|技术(?:方面的?)?(?:负责人|把关人)", " technical buyer "),  # before 决策人 takes its tail
    (r"经济决策人|经济买家|决策人|拍板的人|预算负责人|管预算的", " economic buyer "),
    (r"内部支持者|内线|拥护者|教练", " champion "),
    (r"跟进记录|活动记录|活动|跟进|触达", " activities "), (r"通话录音|录音|通话|电话", " calls "),
    (r"会议|会面|拜访", " meetings "), (r"邮件", " emails "), (r"任务|待办", " tasks "),
    (r"客户|账户|公司", " accounts "),
    # stage and status
    (r"(?:在|处于)?谈判(?:阶段)?", " negotiation "), (r"(?:在|处于)?(?:方案|报价|提案)(?:阶段)?", " proposal "),
    (r"(?:在|处于)?(?:演示|demo)(?:阶段)?", " demo "), (r"(?:在|处于)?(?:需求调研|需求分析|探索|发现)(?:阶段)?", " discovery "),
    (r"(?:在|处于)?(?:资格确认|资格审查|筛选|验证)(?:阶段)?", " qualification "), (r"(?:在|处于)?(?:初步接触|线索|挖掘)(?:阶段)?", " prospecting "),
    (r"后期阶段|后期", " late stage "), (r"早期阶段|早期", " early stage "),
    (r"进行中(?:的)?|未关闭(?:的)?|未结(?:的)?|在跟(?:的)?|在谈(?!判)(?:的)?|开放(?:的)?|活跃(?:的)?|打开(?:的)?", " open "),
    (r"赢单|赢下|赢了|拿下|签下|成交(?:了)?|签约(?:了)?|赢得|赢", " won "),
    (r"输单|丢单|丢了|输了|输掉|丢掉|失单|输给|输", " lost "),
    (r"已关闭|关闭(?:了)?|结束(?:了)?|已结", " closed "),
    (r"(?:预测类别|预测分类)(?:为|是)?", " forecast category "),
    (r"承诺(?:类)?|确定(?:能)?签|commit", " commit "), (r"最佳情况|乐观(?:情况)?|best ?case", " best case "),
    (r"(?:处于|在)?(?:哪个|什么)阶段", " which stage "), (r"阶段", " stage "),
    # grouping, ranking, comparison
    # '技术决策人是哪位': a person asked for by role, not a ranking of reps
    (r"(?:(?<=buyer )|(?<=champion )|(?<=blocker )|(?<=contacts ))\s*(?:是|为)?\s*哪(?:位|一位|个人)", " who "),
    (r"哪个(?:销售代表|销售员|销售|代表|人)|哪位(?:销售|代表)?", " which rep "), (r"谁", " who "),
    (r"最(多|高|大|好)的(产品|团队|销售|行业)", lambda m: f" which {_NOUN[m.group(2)]} most "),
    (r"哪个(?:团队|区域|大区|地区)", " which team "), (r"哪个产品|哪款产品", " which product "),
    (r"哪个(?:竞争对手|竞品|对手)", " which competitor "), (r"哪个行业", " which sector "),
    (r"哪(?:个|些|家)(?:客户|账户|公司)", " which accounts "),
    (r"(?:排名)?前\s*(\d+)\s*(?:名|个|位|家|大)?", r" top \1 "), (r"后\s*(\d+)\s*(?:名|个|位|家)", r" bottom \1 "),
    (r"最(?:高|多|大|好)(?:的)?", " most "), (r"最(?:低|少|小|差)(?:的)?", " lowest "),
    (r"排名|排行", " ranking "),
    (r"销售代表|销售员|销售人员|(?<!按)销售(?!额|收入|周期|代表|员)", " reps "),
    (r"产品", " product "), (r"团队|大区|区域", " team "), (r"行业", " sector "),
    (r"\s*(?:对比|相比|比较|对阵|vs\.?|VS|和|与|跟)\s*(?=\S+\s*(?:相比|比较|对比|的对比))", " vs "),
    (r"(?:相比|比较|对比)(?:一下)?", " compare "),
    (r"我(?:们)?(?:的)?团队|我们组|本团队", " my team's "),
    (r"我(?:自己)?的|我负责的|我名下的|我手上的|我手(?:上|里|头上?)(?:的)?|我名下", " my "), (r"我们的|我们", " our "), (r"我", " i "),
    # competitors, amounts
    (r"(?:对手|竞品|竞争对手)(?:是|为)", " against "), (r"(?:和|跟|与)(?=\S+\s*竞争)", " against "), (r"竞争", " competing "),
    (r"(?:超过|大于|高于|多于|至少|不少于|不低于|以上)\s*\$?\s*(\d[\d,]*)", r" over \1 "),
    (r"\$?\s*(\d[\d,]*)\s*(?:美元|元|块)?\s*(?:以上|及以上)", r" over \1 "),
    (r"(?:低于|小于|少于|不到|不超过|至多)\s*\$?\s*(\d[\d,]*)", r" under \1 "),
    (r"\$?\s*(\d[\d,]*)\s*(?:美元|元|块)?\s*(?:以下|及以下)", r" under \1 "),
    (r"美元|元", " dollars "), (r"记录了|记了|登记了|录了", " logged "), (r"并且|而且|且", " and "),
    (r"(?:要|会|能|准备)关(?!闭|单)", " closing "), (r"(?:签了|签下|签约了|拿下了)(?:多少)?(?:金额|钱)?", " booked "),
    (r"单子|(?<![赢输签关成结下])单(?![价率据])", " deals "), (r"(?:看|瞧)(?:看|一下)?", " show "),
    # question words and verbs
    (r"列出|列一下|给我看|显示|展示|看看|看一下|查一下|查询|有哪些|哪些", " show "),
    (r"是多少|有多少|多少钱|多少", " what is "), (r"一共|总共|合计", " total "),
    (r"即将|要|预计|计划", " expected to "), (r"关单|结单|签单|成单", " close "),
    (r"创建(?:的)?|新建(?:的)?|新增(?:的)?", " created "),
    # a share of the whole ('…里来自子公司客户的占比'): the part comes after 'came from' (``to_english`` asks 'what share of')
    (r"来自于?|来源于|出自", " came from "),

    (r"表现|情况|怎么样|如何", " performance "),
    (r"统计|计算|汇总|多久|多长时间|分布", " "),
]
# Grammar words with no slot: removed once the rules have run.
PARTICLES = re.compile(r"那边|这边|那里|这里|那儿|发给我|发我|[的了吗呢吧啊呀么是在有都还也就过把被给请帮查下中里上内其个些这那哪]|已经|一下|一共|请问|告诉我|帮我|目前|现在|当前|所有|全部|之间|期间|"
                       r"分别|各自|以及|并且|还有|和|与|及|或者|或|对|为|从|到|于|按|以|来|去|做|得|地|着|让|等")
_HAN_RUN = re.compile(f"[{HAN}]+")
_SHARE = re.compile(r"(?:的)?(?:所占(?:的)?比例|占比|(?<!赢单)(?<!输单)(?<!丢单)比例|占(?:了)?(?:多少|几成|百分之几)(?:的)?(?:比例|比重)?|百分之几|百分比)(?:是|有|为)?(?:多少|几)?")


def unread(english: str, names: Iterable[str] = ()) -> list[str]:
    """Chinese words left in ``to_english``'s output that are not CRM names: what no rule understood."""
    keep = set(names)
    return [w for w in _HAN_RUN.findall(english) if w not in keep]


def to_english(question: str, names: Iterable[str] = ()) -> str:
    """The question in the parser's words. ``names``: CRM names to keep verbatim (longest first)."""
    keep: list[str] = []
    text = question.replace("，", ", ").replace("？", "?").replace("：", ": ").replace("（", " (").replace("）", ") ")
    text = text.replace("、", ", ").replace("！", "!").replace("。", ". ").replace("；", "; ")
    for name in sorted({n for n in names if n and re.search(f"[{HAN}]", n)}, key=len, reverse=True):
        if name in text:
            keep.append(name)
            text = text.replace(name, f" \x00{len(keep) - 1}\x00 ")
    for pat, rep in EARLY:
        text = re.sub(pat, rep, text, flags=re.I)
    share = _SHARE.search(text)  # '…的占比是多少': a part as a share of its whole
    text = _SHARE.sub(" ", text) if share else text
    # "Acme Corp 的管道": a Latin name before 的 is what the question is about ("pipeline for Acme Corp"),
    # so an unknown one is reported as unknown instead of being read as other words.
    text = re.sub(r"(?<![\w])((?:[A-Z][\w&'.-]*)(?:\s+[A-Z0-9][\w&'.-]*){0,4})\s*的(?!\s*(?:对比|相比|比较))",
                  lambda m: m.group(0) if re.search(r"(?:对比|相比|比较|vs\.?|和|与|跟)\s*$", text[:m.start()]) else f" for {m.group(1)} ",
                  text)
    text = re.sub(r"^\s*((?:[A-Z][\w&'.-]*)(?:\s+[A-Z0-9][\w&'.-]*){0,4})\s*(?=[\u4e00-\u9fff])", r"for \1 ", text)
    text = _numbers(text)
    for pat, rep in RULES:
        text = re.sub(pat, rep, text, flags=re.I)
    # '按产品分一下，每个产品各丢了几单': the grouping said twice is one grouping
    text = re.sub(r"\b(by (?:product series|product|rep|team|manager|sector|stage|competitor|month|quarter|country))\b"
                  r"(.*?)\s*,?\s*\1\b", r"\1\2", text)
    text = _HAN_RUN.sub(lambda m: " " + PARTICLES.sub(" ", m.group(0)) + " ", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: keep[int(m.group(1))], text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(.+?)\s*activity count on\s*([?.!]?)$", r"activity count on \1\2", text)  # '…商机的活动次数'
    # Chinese puts the head noun last ("推迟过两次的商机"); English slot rules read "deals pushed twice".
    # "按预测类别统计管道": English says "pipeline by forecast category"; a leading group-by goes last.
    lead = re.match(r"by (forecast category|rep|team|manager|product series|product|stage|competitor|sector|country|tier|"
                    r"parent company|month|quarter) (.+)$", text)
    if lead:
        text = f"{lead.group(2)} by {lead.group(1)}"
    if share:
        return "what share of " + re.sub(r"(?:came from\s+){2,}", "came from ", text)
    m = None if text.startswith("activity count on") else re.fullmatch(r"(.+?)\s+(deals|accounts|contacts)\s*([?.!]?)", text)
    return f"{m.group(2)} {m.group(1)}{m.group(3)}" if m and " " in m.group(1).strip() or m and m.group(1).startswith("pushed") else text
