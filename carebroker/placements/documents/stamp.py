"""The council's countersignature stamped on a signed PDF (seed 004 step 24: "insert your own
signature and details").

The stamp is a page of the same size as the signed document's last page, printed by
WeasyPrint with a bordered box in its lower right corner and nothing else (a transparent
background), then merged onto that last page with pypdf: the provider's signature and
everything else it sent stay exactly as they came.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from html import escape

import pypdf

from carebroker.placements.documents.facts import DocumentRefused

# A signed IPA runs to a few pages; a file of hundreds is not one, and would only cost time.
MAX_PAGES = 60


def readable_pdf(content: bytes) -> pypdf.PdfReader:
    """The PDF opened, or DocumentRefused naming what is wrong with the file."""
    if not content.startswith(b"%PDF-"):
        raise DocumentRefused("file: the selected file is not a PDF")
    try:
        reader = pypdf.PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise DocumentRefused(
                "file: the selected PDF is password protected; send it without a password "
                "so the council can countersign it"
            )
        pages = len(reader.pages)
    except DocumentRefused:
        raise
    except Exception:  # pypdf raises many kinds on a damaged file: all mean the same here
        raise DocumentRefused("file: the selected PDF cannot be read (it may be damaged)") from None
    if pages == 0:
        raise DocumentRefused("file: the selected PDF has no pages")
    if pages > MAX_PAGES:
        raise DocumentRefused(
            f"file: the selected PDF has {pages} pages; a signed IPA has at most {MAX_PAGES}"
        )
    return reader


def stamped(content: bytes, lines: Sequence[str]) -> bytes:
    """`content` (a PDF) with a box holding `lines` merged onto its last page."""
    reader = readable_pdf(content)
    last = reader.pages[-1]
    width, height = float(last.mediabox.width), float(last.mediabox.height)
    stamp = pypdf.PdfReader(io.BytesIO(_stamp_page(width, height, lines))).pages[0]
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.pages[-1].merge_page(stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp_page(width: float, height: float, lines: Sequence[str]) -> bytes:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    import weasyprint  # imported here: its import costs every command (rendering.py)

    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = (
        "<html><head><style>"
        f"@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 0 }}"
        "html, body { background: transparent; margin: 0 }"
        ".stamp { position: absolute; right: 36pt; bottom: 36pt; width: 230pt;"
        " border: 2pt solid #1d70b8; padding: 6pt 8pt; background: white;"
        " font: 9pt Arial, Helvetica, sans-serif; color: #0b0c0c }"
        ".stamp p { margin: 0 0 3pt }"
        "</style></head>"
        f'<body><div class="stamp">{body}</div></body></html>'
    )
    return bytes(weasyprint.HTML(string=html).write_pdf())
