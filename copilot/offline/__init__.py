"""The offline engine: a deterministic pipeline over the same tools, used when no LLM is configured
or the LLM fails (DESIGN.md section 4). It routes, looks up, quotes and cites; it never paraphrases
beyond templates, and says plainly that it is in offline mode."""
