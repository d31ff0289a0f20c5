"""From a template and its context to file bytes: PDF (WeasyPrint), encrypted PDF (pypdf),
DOCX (docxtpl over a Word template built with python-docx)."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pypdf
from django.template.loader import render_to_string
from docxtpl import DocxTemplate

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_from_template(template: str, context: Mapping[str, Any]) -> bytes:
    """The HTML template under templates/documents/ rendered and printed to PDF."""
    html = render_to_string(f"documents/{template}", dict(context))
    # WeasyPrint logs each layout step at INFO (ten lines a document in the worker's log),
    # some on import: quieten it first. Imported here, its import costs every command.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    import weasyprint

    # No base_url: the templates carry their CSS inline and load nothing from outside.
    return bytes(weasyprint.HTML(string=html).write_pdf())


def encrypted_pdf(pdf: bytes, password: str) -> bytes:
    """`pdf` encrypted with AES-256 (seed 001: the ISP "will be password protected").

    The same password opens and owns it: the provider may print and copy what it reads.
    """
    if not password:
        raise ValueError("password: empty; an encrypted document needs one")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    try:
        writer.encrypt(user_password=password, algorithm="AES-256")
    except pypdf.errors.DependencyError as missing:
        # pypdf does AES only through the `cryptography` package (pypdf[crypto]).
        raise RuntimeError(f"AES-256 needs the cryptography package: {missing}") from None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_from_template(template: bytes, context: Mapping[str, Any]) -> bytes:
    """A Word template (docxtpl's Jinja tags in a .docx) filled with `context`."""
    document = DocxTemplate(io.BytesIO(template))
    # Autoescape: a provider named "Smith & Sons" must not break the document's XML.
    document.render(dict(context), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class DocumentFile:
    """One file a builder made: its description (the name without the date), its bytes."""

    description: str
    extension: str
    content_type: str
    content: bytes
    encrypted: bool = False
    password: str = ""  # what opens it, when encrypted (kept sealed with the document)
