"""Reading a reply's words (exchange/reply_text.py): which answer for which Mosaic ID."""

from decimal import Decimal

import pytest

from carebroker.exchange.reply_text import read_reply, unquoted


def kinds(subject: str, body: str, cases=("M1001", "M1002")) -> dict[str, set[str]]:
    return {case: answer.kinds for case, answer in read_reply(subject, body, cases).items()}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Please send the ISP for M1001", {"interest"}),
        ("M1001: Y - £24.10 per hour", {"yes"}),
        ("M1001 Y - part (Saturdays only)", {"part"}),
        ("M1001 N (C)", {"decline"}),
        ("M1001 N (Y)", {"decline"}),  # the code letter Y is not a yes
        ("M1001: we are unable to cover this", {"decline"}),
        ("M1001 thanks, will come back to you", set()),
    ],
)
def test_tracker_words_are_the_answers_of_seed_004(body, expected):
    """'Y - £(rate)', 'Y - part', 'N (X)' (seed 004 step 17) and plain words alike."""
    assert kinds("", body)["M1001"] == expected


def test_rate_and_code_are_read_with_the_answer():
    """The hourly rate after '£' and the reason code in 'N (X)' or 'code X'."""
    answers = read_reply("", "M1001 Y - £1,024.5 an hour\nM1002 no, code b", ["M1001", "M1002"])
    assert answers["M1001"].rates == {Decimal("1024.5")}
    assert answers["M1002"].codes == {"B"} and answers["M1002"].kinds == {"decline"}


def test_lines_without_a_case_answer_for_the_cases_named_elsewhere():
    """The case in the subject, the answer in the body: the answer is the case's."""
    assert kinds("Re: Package M1001", "Yes, we can meet this in full.", ["M1001"]) == {
        "M1001": {"yes"}
    }


def test_a_case_with_its_own_line_keeps_its_own_answer():
    """One line per case: each case its own answer, not the other's."""
    assert kinds("", "M1001 - yes\nM1002 - N (A)") == {"M1001": {"yes"}, "M1002": {"decline"}}


def test_quoted_text_is_not_read():
    """'>' lines and all after 'On ... wrote:' are our own email coming back."""
    body = "Yes please for M1001\n> M1002 N (A)\nOn Mon, 23 Nov 2026, Brokerage wrote:\nM1002"
    assert unquoted(body) == "Yes please for M1001"
    assert "M1002" not in unquoted(body)
