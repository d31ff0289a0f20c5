"""Reading an uploaded return in a child process with a memory and CPU limit (issue 12
finding 1): whatever a crafted workbook makes openpyxl do, the web worker that took the
upload never grows with it and answers within `WALL_SECONDS`.

`read_isolated(path, name)` runs `python -m carebroker.exchange.isolation PATH NAME`; the
child sets its own limits (RLIMIT_AS, RLIMIT_CPU) before anything else, reads the file as
`interest.read_return` does, and prints the sheet (or the refusal) as JSON; a child that
runs out of memory or time is a refusal naming the file. The caps in `sheets.py` still
apply inside: this is the second wall, not the first.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

# Address space: Django and openpyxl loaded peak under 100 MB; a 5 MB return read whole
# stays far below. CAREBROKER_UPLOAD_MEMORY_MB lowers it (the test that the wall holds).
MEMORY_LIMIT = int(os.environ.get("CAREBROKER_UPLOAD_MEMORY_MB", "512")) * 1024 * 1024
CPU_SECONDS = 30
WALL_SECONDS = 60


def read_isolated(path: Path, name: str) -> tuple[Any, Any]:
    """(Sheet, About | None) of the return at `path`, read in a limited child process."""
    from carebroker.exchange.interest import _About
    from carebroker.exchange.sheets import ImportRefused, Sheet, SheetRow

    try:
        done = subprocess.run(
            [sys.executable, "-m", "carebroker.exchange.isolation", str(path), name],
            capture_output=True,
            timeout=WALL_SECONDS,
            env=os.environ.copy(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImportRefused([f"{name}: took too long to read; the file is refused"]) from None
    try:
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        answer = None
    if answer is None:
        raise ImportRefused(
            [f"{name}: could not be read within the memory and time an upload may use"]
        )
    if "refused" in answer:
        raise ImportRefused(answer["refused"])
    raw = answer["sheet"]
    sheet = Sheet(
        raw["name"],
        frozenset(raw["present"]),
        tuple(raw["prefixed"]),
        [SheetRow(number, cells) for number, cells in raw["rows"]],
    )
    about = answer["about"]
    if about is not None:
        about = _About(
            about["council"],
            about["area"],
            date.fromisoformat(about["day"]),
            about["signature"],
            tuple(about["cases"]),
        )
    return sheet, about


def _child(path: str, name: str) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
    import django

    django.setup()
    from carebroker.exchange.interest import read_return
    from carebroker.exchange.sheets import ImportRefused

    try:
        sheet, about = read_return(Path(path), name)
    except ImportRefused as refused:
        print(json.dumps({"refused": list(refused.problems)}))
        return 0
    print(
        json.dumps(
            {
                "sheet": {
                    "name": sheet.name,
                    "present": sorted(sheet.present),
                    "prefixed": list(sheet.prefixed),
                    "rows": [[row.number, row.cells] for row in sheet.rows],
                },
                "about": None
                if about is None
                else {
                    "council": about.council,
                    "area": about.area,
                    "day": about.day.isoformat(),
                    "signature": about.signature,
                    "cases": list(about.cases),
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], sys.argv[2]))
