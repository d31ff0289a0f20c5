"""Reading a provider's reply text: which answer it gives for which case (no Django, no I/O).

Providers answer by email in their own words (seeds 000, 004): "please send the ISPs for
M1001 and M1002", "Yes - £24.10 per hour", "Y - part", "N (C)". `read_reply` finds, for
each Mosaic ID mentioned, the kinds of answer the text gives for it:

- a line naming cases answers for those cases; lines naming none answer for every case
  the reply names without a line of its own (the case is usually in the subject);
- quoted text (lines starting with ">", and everything after "On ... wrote:", "-----
  Original Message-----", "From:") is our own email coming back and is not read: a reply
  to the batch email quotes every Mosaic ID of the batch;
- kinds: `interest` (asks for the ISP), `yes` (meets the package), `part` (meets part of
  it), `decline` (cannot), with any rate ("£24.10") and any reason code ("N (C)", "code
  C"). Deciding what the kinds mean for a request, and when to ask a broker, is the
  caller's (`replies.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import lxml.html
from lxml import etree

_QUOTE_STARTS = (
    re.compile(r"^\s*On .{0,200}wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Original|Forwarded) Message", re.IGNORECASE),
    re.compile(r"^\s*From:\s", re.IGNORECASE),
    re.compile(r"^\s*_{8,}\s*$"),
    re.compile(r"^\s*Sent from my ", re.IGNORECASE),
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_-]{0,29}")
_RATE = re.compile(r"£\s*(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?)")
_CODE = re.compile(
    r"\bN\s*[-–]?\s*\(\s*([A-Za-z0-9]{1,3})\s*\)|\b(?:reason\s+)?code\s*:?\s*([A-Za-z0-9]{1,3})\b",
    re.IGNORECASE,
)
KINDS: dict[str, re.Pattern[str]] = {
    "interest": re.compile(
        r"\b(interested|express(?:ing)? (?:an |our )?interest|request(?:ing)? (?:the )?ISPs?"
        r"|send (?:us |me )?(?:the |an )?ISPs?|like (?:the |an )?ISPs?|ISPs? please)\b",
        re.IGNORECASE,
    ),
    "yes": re.compile(
        r"(?:^\W*|[-–:]\s*)(?:yes|y)\b|\by\s*[-–]\s*£"
        r"|\b(?:yes,? we can|we can (?:meet|cover|offer|take|do|provide)"
        r"|able to (?:meet|cover|offer|take|provide)|happy to (?:offer|take|accept)"
        r"|can meet|meet (?:this|it|the package) in full|we accept|accept the package)\b",
        re.IGNORECASE | re.MULTILINE,
    ),
    "part": re.compile(
        r"\b(?:y\s*[-–]\s*part|(?:meet|cover|offer|in|only) part|part of (?:the|this|it)"
        r"|partial(?:ly)?|some of the (?:hours|calls|visits))\b",
        re.IGNORECASE,
    ),
    "decline": re.compile(
        r"^\W*no\b|\bN\s*[-–]?\s*\(\s*[A-Za-z0-9]{1,3}\s*\)|\b(?:unable to|cannot|can't|can not"
        r"|not able to|no capacity|decline|declining|not in a position)\b",
        re.IGNORECASE | re.MULTILINE,
    ),
}


@dataclass
class CaseAnswer:
    """What the reply says about one case."""

    kinds: set[str] = field(default_factory=set)
    rates: set[Decimal] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)


_BREAKS = ("br", "p", "div", "tr", "li", "table", "blockquote", "h1", "h2", "h3", "h4", "h5")


def html_text(markup: str) -> str:
    """The text of an HTML email, a line per paragraph, row or <br>; scripts, styles and
    comments dropped. libxml2's HTML parser takes linear time on any input (the regex it
    replaces took 103 s on 40,000 `<script>`; stdlib html.parser is quadratic on some)."""
    if not markup.strip():
        return ""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml.html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError):  # no element at all: nothing to read
        return ""
    etree.strip_elements(root, "script", "style", "head", "title", with_tail=False)
    for element in root.iter(*_BREAKS):
        element.tail = "\n" + (element.tail or "")
    return str(root.text_content())


def unquoted(text: str) -> str:
    """The reply's own words: quoted lines and the quoted original after them dropped."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if any(pattern.match(line) for pattern in _QUOTE_STARTS):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept)


def tokens(text: str) -> set[str]:
    """Words that may be Mosaic IDs (the caller keeps those that are its packages')."""
    return {token.strip("-/_") for token in _TOKEN.findall(text)}


def read_reply(subject: str, body: str, cases: Iterable[str]) -> dict[str, CaseAnswer]:
    """The answer for each of `cases` (the Mosaic IDs found in this reply), by the rules of
    the module docstring. Case matching ignores letter case."""
    wanted = {case.casefold(): case for case in cases}
    answers = {case: CaseAnswer() for case in wanted.values()}
    general = CaseAnswer()
    own_line: set[str] = set()
    for line in unquoted(body).split("\n"):
        if not line.strip():
            continue
        named = {wanted[t.casefold()] for t in tokens(line) if t.casefold() in wanted}
        read = _read_line(line)
        for case in named:
            _merge(answers[case], read)
            if read.kinds:
                own_line.add(case)
        if not named:
            _merge(general, read)
    for case, answer in answers.items():
        if case not in own_line:
            _merge(answer, general)
    return answers


def _read_line(line: str) -> CaseAnswer:
    read = CaseAnswer(lines=[line.strip()[:300]])
    for kind, pattern in KINDS.items():
        if pattern.search(line):
            read.kinds.add(kind)
    if "part" in read.kinds:
        read.kinds.discard("yes")  # "Y - part" is a part offer, not a full one (seed 004)
    if "decline" in read.kinds and _CODE.search(line) and "yes" in read.kinds:
        read.kinds.discard("yes")  # "N (Y)": the code letter, not a yes
    for match in _RATE.finditer(line):
        read.rates.add(Decimal(match.group(1).replace(",", "")))
    for match in _CODE.finditer(line):
        read.codes.add((match.group(1) or match.group(2)).upper())
    if read.codes and not read.kinds - {"decline"}:
        read.kinds.add("decline")
    return read


def _merge(into: CaseAnswer, read: CaseAnswer) -> None:
    into.kinds |= read.kinds
    into.rates |= read.rates
    into.codes |= read.codes
    if read.kinds or read.rates or read.codes:
        into.lines.extend(read.lines)
