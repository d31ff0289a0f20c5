"""The var/ directory (CAREBROKER_VAR): the SQLite file, mail files, collected static files
and the development secret key.

Importing the settings only reads from it. The commands make it: `carebroker ...`
(cli.py) and the web server (wsgi.py) call `prepare()` as they start, so the web server and
the worker of one checkout share one development key, and sessions survive a restart.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
KEY_FILE = "secret_key"


def var_dir() -> Path:
    return Path(os.environ.get("CAREBROKER_VAR") or BASE_DIR / "var")


def is_production() -> bool:
    return os.environ.get("CAREBROKER_ENV", "development") == "production"


def development_key(var: Path) -> str | None:
    """The key made by `prepare()` in this var/, if there is one."""
    path = var / KEY_FILE
    return path.read_text().strip() if path.is_file() else None


def prepare() -> Path:
    """Make var/ and what lives in it, private to this user (personal data: the SQLite file,
    mail): var/ and var/mail 0700, the SQLite file 0600 before SQLite makes it (its -wal and
    -shm files copy its mode) and, in development without SECRET_KEY, a random key (0600)."""
    var = var_dir()
    var.mkdir(mode=0o700, parents=True, exist_ok=True)
    mail = var / "mail"
    mail.mkdir(mode=0o700, exist_ok=True)
    mail.chmod(0o700)
    sqlite = sqlite_file(var)
    if sqlite is not None and sqlite.parent.is_dir():
        os.close(os.open(sqlite, os.O_CREAT | os.O_WRONLY, 0o600))
        sqlite.chmod(0o600)
    path = var / KEY_FILE
    if not os.environ.get("SECRET_KEY") and not is_production() and not path.exists():
        _write_once(path, secrets.token_urlsafe(50))
    return var


def sqlite_file(var: Path) -> Path | None:
    """The SQLite file DATABASE_URL names (by default var/carebroker.sqlite3), if any."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{var / 'carebroker.sqlite3'}"
    if not url.startswith("sqlite:"):
        return None
    name = str(dj_database_url.parse(url)["NAME"])
    return None if name in ("", ":memory:") else Path(name)


def _write_once(path: Path, text: str) -> None:
    """Write `path` whole, 0600 from the start, unless another process got there first."""
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    try:
        os.link(draft, path)  # atomic, and fails if the key is there: the first one wins
    except FileExistsError:
        pass
    finally:
        draft.unlink()
