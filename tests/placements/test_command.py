"""`carebroker make-document`: a thin wrapper over make_document; refusals as CommandError."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from carebroker.placements.documents import documents_for
from tests.placements.conftest import pdf_text


def test_make_document_command_keeps_and_writes_the_ipa(awarded, tmp_path):
    """The command makes the IPA, keeps it with the package and writes both files to --out."""
    council, package, _, _ = awarded
    out = io.StringIO()
    call_command(
        "make_document",
        "--package=M1001",
        "--kind=ipa",
        f"--council={council.slug}",
        f"--out={tmp_path}",
        stdout=out,
    )
    names = sorted(path.name for path in tmp_path.iterdir())
    assert len(names) == 2
    assert all("(A.L. & M1001) IPA for Alder Homecare." in name for name in names)
    assert sorted(d.filename for d in documents_for(package)) == names
    assert sorted(out.getvalue().splitlines()) == names
    pdf = next(path for path in tmp_path.iterdir() if path.suffix == ".pdf")
    assert "M1001" in pdf_text(pdf.read_bytes())


def test_make_document_command_passes_the_code_to_not_chosen(awarded, tmp_path):
    """--code reaches the not chosen notice."""
    council, package, _, _ = awarded
    call_command(
        "make_document",
        "--package=M1001",
        "--kind=not_chosen",
        f"--council={council.slug}",
        "--provider=Birch Care & Support",
        "--code=D3",
        f"--out={tmp_path}",
        stdout=io.StringIO(),
    )
    (path,) = tmp_path.iterdir()
    assert "D3" in pdf_text(path.read_bytes())


def test_make_document_command_names_what_is_wrong(awarded):
    """An unknown package and a refused document come back as CommandError naming the field."""
    council, _, _, _ = awarded
    with pytest.raises(CommandError, match="^--package: .* no package 'M9999'"):
        call_command("make_document", "--package=M9999", "--kind=isp", f"--council={council.slug}")
    with pytest.raises(CommandError, match="^provider: this document is for one provider"):
        call_command("make_document", "--package=M1001", "--kind=isp", f"--council={council.slug}")
