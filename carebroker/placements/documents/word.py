"""Word templates built with python-docx: docxtpl's Jinja tags in plain paragraphs and
table cells, one run each (a tag split across runs would not render).

A council that wants its own layout can save one of these, edit it in Word keeping the
tags, and use that file instead: the context stays the same.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt


def new_document(council_tag: str, title: str) -> DocxDocument:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"  # type: ignore[attr-defined]
    style.font.size = Pt(10.5)  # type: ignore[attr-defined]
    document.add_paragraph().add_run(council_tag).bold = True
    document.add_heading(title, level=1)
    document.add_paragraph("Mosaic ID {{ mosaic_id }} · issued {{ issued }}")
    return document


def facts_table(document: DocxDocument, rows: Iterable[tuple[str, str]]) -> None:
    """Two columns: what, and its value (a tag)."""
    rows = list(rows)
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.cells[0].paragraphs[0].add_run(label).bold = True
        row.cells[1].paragraphs[0].add_run(value)


def signature_block(document: DocxDocument, heading: str, note: str = "") -> None:
    document.add_heading(heading, level=3)
    if note:
        document.add_paragraph(note)
    facts_table(document, [("Signature", ""), ("Name", ""), ("Position", ""), ("Date", "")])


def saved(document: DocxDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
