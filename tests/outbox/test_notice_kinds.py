"""Notice kinds are the engine's words (engine/vocabulary.py NoticeKind), each with its
template `notices/<kind>.txt`; package statuses are the vocabulary's, with its labels."""

from __future__ import annotations

from django.template.loader import get_template

from carebroker.engine import vocabulary
from carebroker.outbox.models import NoticeKind
from carebroker.sourcing.models import PackageStatus


def test_the_outbox_kinds_are_the_vocabularys_notice_kinds_each_with_its_template() -> None:
    assert [(k.value, k.label) for k in vocabulary.NoticeKind] == NoticeKind.choices
    for kind in NoticeKind.values:
        assert get_template(f"notices/{kind}.txt")  # raises TemplateDoesNotExist if missing


def test_package_status_choices_are_the_stored_statuses_in_words() -> None:
    assert PackageStatus.choices == [(s.value, s.label) for s in vocabulary.STORED_STATUSES]
    assert PackageStatus.HELD == vocabulary.PackageStatus.HELD
    assert PackageStatus.ON_HOLD.label == "Waiting for a decision"
