"""gunicorn on loopback for the benchmarks that measure over HTTP (web.py, national.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_gunicorn(port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn serving the app on `port`, returned once its health page answers (at most
    30 s: a loaded machine starts four workers slowly)."""
    command = [sys.executable, "-m", "gunicorn", "carebroker.wsgi", "--bind",
               f"127.0.0.1:{port}", "--workers", str(workers),
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/healthz/", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")
