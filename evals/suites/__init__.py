"""One module per suite; ``SUITES`` lists them in run order."""

SUITES = ["retrieval", "qa", "routing", "calls", "followups", "roleplay", "forecast", "safety", "handbook", "crm_questions", "chinese", "reports_zh"]
