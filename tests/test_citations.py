"""Citations in code, tests and docs point at a file in `docs/` and at a section it has.

A citation is a document name (`docs/policies.md`, or bare `scenarios.md`) and the sections
that follow it (`§4.2`, `§5.1, §6.1`, `§5.2–5`, `§3-§6`, `§ Output`). A `§` number with no
document before it cites the rulebook, `docs/policies.md` (see its introduction). A number
must be the number of a heading of the document (`### 4.2 Batch`); a name must begin the
text of one (`## Output`). Nothing may point outside the repository at `../shared/`.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("carebroker", "tests", "docs", "bench", "examples", "README.md")
SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".json", ".css", ".cfg", ".ini"}
SKIPPED_DIRS = {"__pycache__", "node_modules", ".venv", "var"}
RULEBOOK = "policies.md"  # what a bare § number cites

# A document: `docs/<name>.md` or a bare `<name>.md`, not part of another path.
DOCUMENT = re.compile(r"(?<![\w./-])(?:docs/)?(?P<name>[a-z][a-z0-9_-]*)\.md\b")
# A section: a number, a range of numbers, or a name.
SECTION = re.compile(
    r"§\s?(?:(?P<number>\d+(?:\.\d+)?)(?:\s?[–-]\s?§?(?P<last>\d+(?:\.\d+)?))?"
    r"|(?P<title>[A-Z][^.,;:()`\n]*))"
)
# What may stand between a document and its sections, or between two sections of one list.
JOINER = re.compile(r"[\s`,#*]*(?:(?:and|&)[\s`]*)?")
OUTSIDE = re.compile(r"(?:\.\./|/work/)shared/|\bshared/(?:docs|seeds)/")
HEADING = re.compile(r"^#{1,6}\s+(?:(?P<number>\d+(?:\.\d+)*)\.?\s+)?(?P<title>.+?)\s*$")


def scanned_files(root: Path) -> list[Path]:
    files = []
    for name in SCANNED:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix in SUFFIXES
                and not SKIPPED_DIRS.intersection(p.relative_to(root).parts)
                and p.resolve() != Path(__file__).resolve()
            )
    return files


def headings(document: Path) -> tuple[set[str], list[str]]:
    """The section numbers and the lower-cased titles of a Markdown file's headings."""
    numbers, titles, fenced = set(), [], False
    for line in document.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            if match["number"]:
                numbers.add(match["number"])
            titles.append(match["title"].lower())
    return numbers, titles


def numbers_in(section: re.Match[str]) -> list[str]:
    """`§5.2–5` is 5.2 to 5.5, `§3–6` is 3 to 6, `§2-§3` is 2 and 3."""
    first, last = section["number"], section["last"]
    if last is None:
        return [first]
    if "." in first:
        major, minor = first.split(".")
        end = int(last.split(".")[-1])
        return [f"{major}.{n}" for n in range(int(minor), end + 1)]
    return [str(n) for n in range(int(first), int(last.split(".")[0]) + 1)]


def citations(text: str) -> list[tuple[int, str, re.Match[str] | None]]:
    """(offset, document, section or None) for every citation in `text`, in order."""
    found: list[tuple[int, str, re.Match[str] | None]] = []
    documents = {m.start(): m for m in DOCUMENT.finditer(text)}
    sections = {m.start(): m for m in SECTION.finditer(text)}
    owner, end = None, -1
    for start in sorted(documents.keys() | sections.keys()):
        joined = end >= 0 and JOINER.fullmatch(text, end, start) is not None
        if start in documents:
            match = documents[start]
            owner, end = f"{match['name']}.md", match.end()
            found.append((start, owner, None))
        else:
            match = sections[start]
            document = owner if joined and owner else RULEBOOK
            if not (joined and owner) and match["title"]:
                owner, end = None, -1  # "README § Configuration" and the like: not ours to check
                continue
            owner, end = document, match.end()
            found.append((start, document, match))
    return found


def problems(root: Path) -> list[str]:
    """Every citation that does not resolve, as `path:line: why`."""
    docs = {p.name: headings(p) for p in (root / "docs").glob("*.md")}
    found = []
    for path in scanned_files(root):
        text = path.read_text(errors="replace")
        where = path.relative_to(root)
        for match in OUTSIDE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{where}:{line}: points outside the repository ({match[0]})")
        for offset, document, section in citations(text):
            line = text.count("\n", 0, offset) + 1
            if document not in docs:
                found.append(f"{where}:{line}: cites docs/{document}, which does not exist")
                continue
            if section is None:
                continue
            numbers, titles = docs[document]
            if section["title"]:
                title = section["title"].strip().lower()
                if not any(t.startswith(title) for t in titles):
                    found.append(
                        f"{where}:{line}: cites docs/{document} § {title}: no such heading"
                    )
                continue
            for number in numbers_in(section):
                if number not in numbers:
                    found.append(
                        f"{where}:{line}: cites docs/{document} §{number}: no such heading"
                    )
    return list(dict.fromkeys(found))  # a section of a missing document: said once


def test_every_citation_names_a_doc_and_a_section_that_exist():
    found = problems(ROOT)
    assert not found, "broken citations:\n" + "\n".join(found)


def test_the_docs_the_issue_asks_for_exist_with_the_rulebook_numbering():
    numbers, _ = headings(ROOT / "docs" / "policies.md")
    for number in ("1", "2", "3", "4", "4.1", "4.2", "4.3", "4.4", "5", "5.1", "5.5", "6.5"):
        assert number in numbers, f"docs/policies.md has no section {number}"
    for name in ("glossary.md", "architecture.md", "scenarios.md"):
        assert (ROOT / "docs" / name).is_file(), f"docs/{name} is missing"


def write(root: Path, name: str, text: str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text)


def test_a_section_removed_from_a_doc_is_reported_at_the_citing_line(tmp_path):
    write(tmp_path, "docs/policies.md", "# Rules\n\n## 4. Essex\n\n### 4.2 Batch\n")
    write(tmp_path, "docs/architecture.md", "# Architecture\n\n## 6. The outbox\n")
    write(
        tmp_path,
        "carebroker/batch.py",
        '"""The batch (docs/policies.md §4.2)."""\n'
        "# docs/policies.md §4.3: Tier 2\n"
        "x = 1  # a bare §4.4 cites the rulebook\n"
        "# docs/architecture.md §6, §7\n",
    )
    assert problems(tmp_path) == [
        "carebroker/batch.py:2: cites docs/policies.md §4.3: no such heading",
        "carebroker/batch.py:3: cites docs/policies.md §4.4: no such heading",
        "carebroker/batch.py:4: cites docs/architecture.md §7: no such heading",
    ]


def test_a_missing_doc_and_the_shared_folder_are_reported(tmp_path):
    write(tmp_path, "docs/policies.md", "## 1. Time\n")
    write(tmp_path, "README.md", "See design.md and ../shared/docs/policies.md §1.\n")
    assert problems(tmp_path) == [
        "README.md:1: points outside the repository (../shared/)",
        "README.md:1: cites docs/design.md, which does not exist",
    ]


def test_ranges_lists_and_named_sections_are_each_checked(tmp_path):
    write(tmp_path, "docs/policies.md", "## 5. Kent\n### 5.2 A\n### 5.3 B\n### 5.4 C\n")
    write(tmp_path, "docs/scenarios.md", "# Scenarios\n## Input\n## Output\n")
    write(
        tmp_path,
        "tests/test_x.py",
        "# docs/policies.md §5.2–5\n"
        "# docs/scenarios.md § Output, § Policies\n"
        "# docs/policies.md §5.2, §5.3 and §6\n"
        "# see README § Configuration\n",
    )
    assert problems(tmp_path) == [
        "tests/test_x.py:1: cites docs/policies.md §5.5: no such heading",
        "tests/test_x.py:2: cites docs/scenarios.md § policies: no such heading",
        "tests/test_x.py:3: cites docs/policies.md §6: no such heading",
    ]
