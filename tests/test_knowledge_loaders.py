"""Loaders for every format and heading-aware chunking."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.core.errors import UserError
from knowledge.chunking import chunk_sections
from knowledge.loaders import Section, iter_files, load_file, parse_markdown


def tiny_pdf(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF with Helvetica text, offsets computed so no repair is needed."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({t}) Tj T*" for t in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_markdown_front_matter_and_heading_paths(tmp_path: Path) -> None:
    f = tmp_path / "battlecard.md"
    f.write_text("---\ntitle: OpsHawk battlecard\ntype: battlecard\ncompetitor: OpsHawk\ntags: [a, b]\n---\n"
                 "# OpsHawk battlecard\nIntro text.\n## Pricing\nSelf-hosted means ops cost.\n"
                 "### Discounts\nNever lead with discount.\n```\n# not a heading\n```\n## Security\nSOC 2.\n")
    doc = load_file(f)
    assert doc.title == "OpsHawk battlecard"
    assert doc.metadata == {"title": "OpsHawk battlecard", "type": "battlecard", "competitor": "OpsHawk",
                            "tags": "a, b"}
    paths = [" > ".join(s.path) for s in doc.sections]
    assert paths == ["OpsHawk battlecard", "Pricing", "Pricing > Discounts", "Security"]
    assert "# not a heading" in doc.sections[2].text
    assert "competitor: OpsHawk" not in doc.text  # front matter is metadata, not text


def test_bad_front_matter_dates_do_not_fail(tmp_path: Path) -> None:
    f = tmp_path / "x.md"
    f.write_text("---\ndate: 2020-13-45\ntitle: Odd\n---\n# Odd\nBody words.\n")
    doc = load_file(f)
    assert doc.title == "Odd" and doc.metadata["date"] == "2020-13-45"


def test_text_html_docx_pdf(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Plain renewal notes.\n\nSecond paragraph.")
    txt = load_file(tmp_path / "notes.txt")
    assert txt.title == "Notes" and "Second paragraph." in txt.text

    (tmp_path / "page.html").write_text(
        "<html><head><title>Pricing FAQ</title><style>p{}</style></head><body><h1>Pricing FAQ</h1>"
        "<p>Intro.</p><h2>Discounts</h2><p>Up to 15% with approval.</p><script>alert(1)</script>"
        "<ul><li>Annual only</li></ul></body></html>")
    html = load_file(tmp_path / "page.html")
    assert html.title == "Pricing FAQ"
    discounts = next(s for s in html.sections if s.path[-1:] == ["Discounts"])
    assert "Up to 15% with approval." in discounts.text and "Annual only" in discounts.text
    assert "alert" not in html.text

    import docx

    d = docx.Document()
    d.add_heading("Security review guide", level=0)
    d.add_heading("HIPAA", level=1)
    d.add_paragraph("We sign BAAs for healthcare customers.")
    d.add_heading("Audit logs", level=2)
    d.add_paragraph("Retained for one year.")
    d.save(str(tmp_path / "guide.docx"))
    dx = load_file(tmp_path / "guide.docx")
    assert dx.title == "Security review guide"
    assert [(s.path, s.text) for s in dx.sections] == [
        (["HIPAA"], "We sign BAAs for healthcare customers."),
        (["HIPAA", "Audit logs"], "Retained for one year.")]

    (tmp_path / "sheet.pdf").write_bytes(tiny_pdf(["Skylark Observe datasheet", "Lineage for every table"]))
    pdf = load_file(tmp_path / "sheet.pdf")
    assert pdf.sections[0].path == ["Page 1"]
    assert "Lineage for every table" in pdf.text


def test_unreadable_files_raise_user_error(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    for name in ("broken.pdf", "broken.docx"):
        with pytest.raises(UserError, match=name):
            load_file(tmp_path / name)
    with pytest.raises(UserError, match="unsupported"):
        load_file(tmp_path / "x.xlsx")


def test_iter_files_skips_hidden_and_unsupported(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "b.md").write_text("# B")
    (tmp_path / "c.png").write_bytes(b"x")
    assert [p.name for p in iter_files(tmp_path)] == ["a.md"]


def test_chunking_sizes_overlap_and_section_paths() -> None:
    para = " ".join(f"w{i}" for i in range(120))
    sections = [Section(["Guide", "Long"], "\n\n".join([para] * 6)),
                Section(["Guide", "Tiny one"], "short text here"),
                Section(["Guide", "Tiny two"], "more short text"),
                Section(["Other"], "separate top level")]
    chunks = chunk_sections(sections)
    long = [c for c in chunks if c.section == "Guide > Long"]
    assert len(long) >= 2
    assert all(150 <= len(c.text.split()) <= 380 for c in long)
    # Overlap: the next chunk starts with the tail of the previous one.
    assert long[1].text.split()[:5] == long[0].text.split()[-30:-25]
    # Small siblings merge, keeping their common path and the sub-heading in the text.
    merged = [c for c in chunks if "short text here" in c.text]
    assert len(merged) == 1 and "more short text" in merged[0].text and "Tiny two" in merged[0].text
    assert merged[0].section == "Guide"
    assert chunks[-1].section == "Other" and chunks[-1].text == "separate top level"
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_markdown_title_not_repeated_in_section_path() -> None:
    doc = parse_markdown("# Guide\n\n## Steps\nDo it.\n", default_title="x")
    assert doc.title == "Guide" and doc.sections[0].path == ["Steps"]


LEVELS = """# AE career levels

<table>
  <tr>
   <td colspan="3" ><strong>Career Levels</strong>
   </td>
  </tr>
  <tr>
   <td><strong>Job Level</strong></td>
   <td><strong>Mid-market (P3)</strong></td>
   <td><strong>Enterprise (P4)</strong></td>
  </tr>
  <tr>
   <td><strong>Quota Target</strong></td>
   <td>$885K; New Logos: 8</td>
   <td>$1.154M; New Logos: 8
<p>
Reviewed every year.</td>
  </tr>
  <tr>
   <td><strong>Prospecting</strong></td>
   <td>Owners:<p>- CE<p>- TAM</td>
   <td><p>- Edits outreach sequences for each prospect's seniority<p>- Plans cold calls ahead with a permission opener</td>
  </tr>
</table>

| area | Skylark | OpsHawk |
|---|---|---|
| license | from $30,000 per year | free core |

```
| not | a | table |
|---|---|---|
| kept | as | is |
```
"""


def test_a_table_cell_is_stored_under_its_row_label_and_column_header() -> None:
    text = parse_markdown(LEVELS, default_title="x").text
    lines = text.splitlines()
    assert "**Career Levels**" in lines  # a row spanning the table is its caption
    assert "- Quota Target — Enterprise (P4): $1.154M; New Logos: 8; Reviewed every year." in lines
    assert "- Prospecting — Mid-market (P3): Owners: CE; TAM" in lines  # short items stay on one line
    assert "- Prospecting — Enterprise (P4): Plans cold calls ahead with a permission opener" in lines  # long: one each
    assert "- Quota Target — Mid-market (P3): $885K; New Logos: 8" in lines
    assert "- license — OpsHawk: free core" in lines  # markdown pipe tables too
    assert "<td>" not in text and "| kept | as | is |" in text  # a table in a code fence is left alone


def test_html_page_tables_are_stored_cell_by_cell(tmp_path: Path) -> None:
    f = tmp_path / "levels.html"
    f.write_text("<html><head><title>Levels</title></head><body><h1>Levels</h1><table><tr><th>Level</th>"
                 "<th>Quota</th></tr><tr><td>P4</td><td>$1.154M</td></tr></table></body></html>")
    assert "- P4 — Quota: $1.154M" in load_file(f).text


def test_a_chunk_that_goes_on_inside_a_merged_sub_section_opens_with_its_heading() -> None:
    # handbook batch 17: 'Complete Role Mapping' (a small section merged under 'Hand-off steps') spilled into a
    # next chunk that carried only the run's path, so its table rows were read as the run's opening, never
    # joined back to their section, and the quote stopped at 'as follows:'
    steps = Section(["Steps"], " ".join(["populate"] * 100))  # small: the next section is merged into its run
    roles = "\n".join(f"- Role {i} — Definition: does task {i} for the customer today" for i in range(17))
    mapping = Section(["Steps", "Role Mapping"], " ".join(["map"] * 45) + "\n\n" + roles)  # 45 + 204 words
    chunks = chunk_sections([steps, mapping])
    assert [c.section for c in chunks] == ["Steps", "Steps"]  # one run, cut once (its headings add words)
    assert chunks[1].text.startswith("## Role Mapping\n") and "Role 16" in chunks[1].text
