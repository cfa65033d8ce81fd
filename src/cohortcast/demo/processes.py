"""The demo's child processes: the Cohortcast server and the Pinterest sandbox.

Each runs as ``cohortcast serve`` / ``cohortcast sandbox`` in a session of its
own, so the terminal's Ctrl-C reaches only the demo, which then stops them in
order; on Linux they also get SIGTERM if the demo itself dies, so none is ever
left behind. Their output goes to a log file in the data directory.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

logger = logging.getLogger(__name__)

# Runs a ``cohortcast`` subcommand with this interpreter, installed or not.
CLI_SNIPPET = "from cohortcast.cli import main; main()"
_PR_SET_PDEATHSIG = 1


class PortInUseError(RuntimeError):
    """A port the demo needs is taken; ``str(error)`` names the option to change."""


class ChildFailedError(RuntimeError):
    """A child process exited or never answered; ``str(error)`` names its log."""


def check_ports_free(host: str, ports: Mapping[str, int]) -> None:
    """Raise :class:`PortInUseError` for the first port in use.

    ``ports`` maps the command-line option (``--port``) to the port.
    """
    for option, port in ports.items():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                raise PortInUseError(
                    f"Port {port} on {host} is already in use; stop what uses it "
                    f"or choose another with {option}."
                ) from None


class ChildProcess:
    """One ``cohortcast`` subcommand running in the background."""

    def __init__(
        self,
        name: str,
        arguments: Sequence[str],
        log_path: Path,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", CLI_SNIPPET, *arguments],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(environment or {})},
                start_new_session=True,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )
        logger.debug("Started %s (pid %s)", name, self._process.pid)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._process.pid

    def wait_until_up(self, url: str, timeout: float = 30.0) -> None:
        """Block until ``url`` answers 200; :class:`ChildFailedError` otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ChildFailedError(
                    f"The {self.name} exited with status {self._process.returncode}; "
                    f"see {self.log_path}."
                )
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise ChildFailedError(
            f"The {self.name} did not answer at {url} within {timeout:.0f} s; "
            f"see {self.log_path}."
        )

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; waits for the exit."""
        if self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            logger.warning(
                "The %s did not stop in %.0f s; killing it", self.name, timeout
            )
            self._process.kill()
            self._process.wait()


def die_with_parent() -> None:
    """In a child before exec: have Linux send it SIGTERM when the demo dies."""
    # Even a demo killed by SIGKILL then leaves no server behind.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
