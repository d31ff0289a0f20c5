"""Run the demo's web server and worker as child processes, and stop them together.

Django-free. SIGINT and SIGTERM are forwarded to the children; if one child dies the other is
stopped too and the demo exits non-zero, so a half-running demo never looks healthy.
"""

import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType
from typing import TextIO

POLL_SECONDS = 0.2
GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class Child:
    name: str
    argv: Sequence[str]


class Supervisor:
    def __init__(self, children: Sequence[Child], out: TextIO) -> None:
        self.children = children
        self.out = out
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.stop_signal: int | None = None

    def start(self) -> None:
        # Handlers first: a Ctrl+C during start-up must still stop whatever has started.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)
        for child in self.children:
            try:
                process = subprocess.Popen(list(child.argv))
            except OSError:
                self.stop()  # never leave the first child running alone
                raise
            self.processes[child.name] = process
            self._say(f"Started {child.name} (pid {process.pid}): {' '.join(child.argv)}")

    def wait_for_port(self, host: str, port: int, timeout: float) -> bool:
        """True once something listens on host:port; False on timeout, a signal or a dead child."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.stop_signal is None and not self._dead():
            try:
                with socket.create_connection((host, port), timeout=POLL_SECONDS):
                    return True
            except OSError:
                time.sleep(POLL_SECONDS)
        return False

    def run(self) -> int:
        """Wait for a stop signal (exit 0) or a child's death (exit 1); stop every child."""
        while self.stop_signal is None:
            dead = self._dead()
            if dead:
                name, code = dead
                self._say(f"{name} stopped unexpectedly (exit code {code}): stopping the demo")
                self.stop()
                return 1
            time.sleep(POLL_SECONDS)
        self._say(f"Received {signal.Signals(self.stop_signal).name}: stopping the demo")
        self.stop()
        return 0

    def stop(self) -> None:
        live = [p for p in self.processes.values() if p.poll() is None]
        for process in live:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say(f"{name} did not stop within {GRACE_SECONDS:.0f}s: killing it")
                process.kill()
                process.wait()
        self._say("Stopped.")

    def _dead(self) -> tuple[str, int] | None:
        for name, process in self.processes.items():
            code = process.poll()
            if code is not None:
                return name, code
        return None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_signal = signum

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()


def port_is_free(host: str, port: int) -> bool:
    """True if a server could listen on host:port now.

    The probe sets SO_REUSEADDR as gunicorn does: a demo stopped a moment ago leaves its
    connections in TIME_WAIT, which do not stop a new server listening (issue 10 item 11).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True
