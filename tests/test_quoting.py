"""Quoting a long section within a budget: the answering lines survive, wherever they sit in it."""

from __future__ import annotations

from copilot.offline.quoting import sentences, window
from copilot.offline.sections import clean
from copilot.offline.terms import words


def test_a_list_number_or_an_abbreviation_ends_no_sentence() -> None:
    line = "2. Ask the customer if data migration is required. In most cases, it's not! Repos can be re-indexed."
    assert sentences(line) == ["2. Ask the customer if data migration is required.", "In most cases, it's not!",
                               "Repos can be re-indexed."]
    assert sentences("Use a form, e.g. the demo request. Then wait.") == ["Use a form, e.g. the demo request.",
                                                                           "Then wait."]
    assert sentences("See reason 3. Then stop.") == ["See reason 3.", "Then stop."]


def test_an_off_topic_numbered_step_keeps_its_first_sentence() -> None:
    # Before, '2. Ask the customer ...' was cut after its list number and quoted as '2. ...'.
    steps = ["1. Make a copy of the intake doc and work with the customer to fill it out.",
             "2. Ask the customer if data migration is required. In most cases, it's not! " + "Repos re-index. " * 12,
             *(f"{i}. Step {i}: " + "more detail on the rollout " * 8 for i in range(3, 9)),
             "9. If a data migration is required, contact the IE team, who use the src snapshot tool."]
    cut = window("\n".join(steps), "do we need to migrate their data, and what tool does IE use?", 900)
    assert "2. Ask the customer if data migration is required." in cut
    assert "src snapshot tool" in cut and len(cut) <= 900


def test_two_answering_lines_far_apart_are_both_quoted() -> None:
    # Before, only the best run of consecutive lines was quoted: the acceptance deadline near the top of a long
    # rules list was dropped for the rates at its bottom, which held more question words.
    rules = ["- Partners make qualified referrals in writing to the head of business development.",
             "- We accept or reject qualified referrals within 5 business days after receipt.",
             *(f"- Rule {i}: " + "the partner stays engaged and responsive in the opportunity " * 3 for i in range(20)),
             "- Referral rates: we pay the partner 10% of first-year ARR on an accepted referral.",
             "- Referral rates for expansions: 5% in months 7-12 of an accepted referral."]
    cut = window("\n".join(rules), "a partner emailed a referral, how quickly do we tell them if we accept it?", 700)
    assert "within 5 business days" in cut
    assert "10% of first-year ARR" in cut and len(cut) <= 700
    lines = cut.splitlines()
    # Shown in document order, a gap marked '...' between lines that are not next to each other.
    assert lines.index("- We accept or reject qualified referrals within 5 business days after receipt.") \
        < lines.index("- Referral rates: we pay the partner 10% of first-year ARR on an accepted referral.")
    assert "..." in lines and lines[-1] != lines[-2]


def test_a_list_under_its_answering_line_comes_with_it() -> None:
    # The line that answers introduces a list whose items hold none of the question's words.
    text = "\n".join(["Certification happens in week five, after a rubric review with the manager.",
                      *(f"Filler line {i} about mentoring cadence and calendar invites." for i in range(15)),
                      "Each CE demos each of the 5 primary use cases, 10-15 minutes each:",
                      "- Code Search", "- Incident Response", "- Code Reuse", "- Onboarding", "- Security",
                      *(f"Closing line {i} about feedback forms and surveys for mentors." for i in range(15))])
    cut = window(text, "for CE demo certification how long should each use case demo be and which use cases?", 600)
    assert all(item in cut for item in ("10-15 minutes", "Incident Response", "Code Reuse", "Security"))


def test_a_nested_list_keeps_its_depth_and_a_rule_list_comes_whole() -> None:
    # Before, every indent became one space, so the items under '... the following indicators:' looked like
    # siblings of it and were not quoted with it.
    assert clean("- Extensions follow these indicators:\n    1.  Budget signed off?\n    2.  Decision made?") == \
        "- Extensions follow these indicators:\n  1. Budget signed off?\n  2. Decision made?"
    text = clean("\n".join([*(f"- Churn rule {i}: " + "subscription term end date plus one day " * 3 for i in range(8)),
                            "- End of period extensions are evaluated on the following indicators:",
                            "    1. Budget: has it been signed off?", "    2. Decision: has the buyer approved?",
                            "    3. Evidence: written/email evidence of intent to renew?",
                            *(f"- Renewal note {i}: " + "order forms and signatures " * 4 for i in range(8))]))
    cut = window(text, "what does finance look at before approving an end of period extension?", 500)
    assert all(f in cut for f in ("Budget: has it been signed off?", "written/email evidence")) and len(cut) <= 500


def test_words_the_heading_already_holds_pick_no_line() -> None:
    # 'SDR' and 'promotion' are why 'SDR Promotion Process' was chosen; the line must answer 'doesn't pass'.
    # Before, the lines richest in 'SDR' and 'promotion' filled the quote and the answer was left out.
    filler = [f"- Filler note {i} about calendars, templates and the quarterly kickoff agenda." for i in range(12)]
    promo = [f"- SDR promotion rule {i}: " + "applications go through the direct manager with evidence. " * 5
             for i in range(4)]
    text = "\n".join([*filler[:6], *promo, "- If the candidate does not pass, a plan for areas to improve is given.",
                      *filler[6:]])
    cut = window(text, "what happens if an SDR doesn't pass the promotion panel?", 380, "SDR Team > SDR Promotion Process")
    assert "plan for areas to improve" in cut and len(cut) <= 380


def test_a_number_word_after_a_step_name_is_its_number() -> None:
    # 'week one' never met the heading 'Week 1 Goals:' (and 'week 1' never met 'Week Two' as anything but 'week').
    assert words("focus during week one, Week Two, stage three")[-6:] == ["week", "1", "week", "2", "stage", "3"]
    assert words("one of my SDRs")[:1] == ["one"]


def test_a_list_inside_a_blockquote_is_kept_with_the_line_that_introduces_it() -> None:
    # Handbook batch 28 (first run): a suggested answer quoted as a blockquote lists the paid features under a line
    # ending in ': [trim as needed]'. The '> - ' items were not read as a list, nor that line as its intro, and the
    # short items that answer ('Code navigation', 'High-availability cluster deployment') were left out.
    text = "\n".join([
        "Here is an answer you can trim down. " + "It assumes the team already uses the product daily. " * 3,
        "> You're using the product to speed up development. " + "Usage levels tell us a lot about value. " * 3,
        ">",
        "> In your trial of the free tier you already see the value of key paid features: [keep the points relevant "
        "to the customer]",
        ">",
        "> - Code navigation (go-to-definition and find-references).",
        "> - Search is the first step. " + "Developers then need to know who changed the code and where it runs. " * 3,
        "> - Code reviews are faster. " + "Reviewers see references inline and catch problems earlier. " * 3,
        "> - Single sign-on (SSO) user authentication for every developer.",
        "> - High-availability cluster deployment.",
        "> - Technical support. " + "A day of lost work costs more than the paid tier. " * 3,
        "> - Official builds. " + "If you run the open source edition you must build the images yourself. " * 3,
    ])
    cut = window(text, "why not just build and run the free open source edition? besides SSO and support, what "
                       "paid stuff should i call out?", 500)
    assert "Code navigation" in cut and "High-availability cluster deployment" in cut, cut
    assert len(cut) <= 500
