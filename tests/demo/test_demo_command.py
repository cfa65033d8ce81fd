"""``cohortcast demo`` as a user runs it: a real process, stopped with Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from cohortcast.demo.seed import DEMO_ACCOUNTS
from cohortcast.diagnostics import Report, run_diagnostics
from cohortcast.store.database import open_store
from cohortcast.store.routing import load_routing
from cohortcast.store.workspaces import get_default_workspace

COHORTCAST = Path(sys.executable).with_name("cohortcast")
CHROMIUM = Path("/usr/bin/chromium")
STOP_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RunningDemo:
    """A ``cohortcast demo`` process and everything it printed so far."""

    process: subprocess.Popen[str]
    data_dir: Path
    sandbox_url: str
    lines: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            assert self.process.poll() is None, self.output()
            time.sleep(0.2)
        raise AssertionError(f"No {text!r} within {timeout} s:\n{self.output()}")

    def stop_with_ctrl_c(self) -> int:
        """SIGINT, as the terminal sends; the exit status within STOP_SECONDS."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_SECONDS)


def _start_demo(tmp_path: Path, *options: str) -> RunningDemo:
    sandbox_port = _free_port()
    ports = ["--port", str(_free_port()), "--sandbox-port", str(sandbox_port)]
    data_dir = tmp_path / "demo"
    process = subprocess.Popen(
        [
            str(COHORTCAST),
            "demo",
            *ports,
            "--site-port",
            str(_free_port()),
            "--data-dir",
            str(data_dir),
            *options,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    demo = RunningDemo(process, data_dir, f"http://127.0.0.1:{sandbox_port}")
    threading.Thread(target=_collect, args=(demo,), daemon=True).start()
    return demo


def _collect(demo: RunningDemo) -> None:
    assert demo.process.stdout is not None
    for line in demo.process.stdout:
        demo.lines.append(line)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[list[RunningDemo]]:
    """Demos a test starts; any still running at the end are killed."""
    started: list[RunningDemo] = []
    yield started
    for demo in started:
        if demo.process.poll() is None:
            demo.process.kill()
            demo.process.wait()


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid``, from /proc (children of children too)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the fields after its ')' do not.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _routed_pairs(data_dir: Path) -> set[tuple[str, str]]:
    store = open_store(f"sqlite:///{data_dir / 'cohortcast.db'}")
    with store.read() as session:
        workspace = get_default_workspace(session)
        routing = load_routing(session, workspace.id)
    store.close()
    return {(r["tag_id"], code) for r in routing for code in r["cohort_codes"]}


def _audiences_by_account(sandbox_url: str) -> dict[str, list[dict[str, Any]]]:
    overview = httpx.get(f"{sandbox_url}/ads/audiences.json", timeout=5).json()
    return {account["id"]: account["audiences"] for account in overview["ad_accounts"]}


def _wait_for_filled_audiences(demo: RunningDemo, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    wanted = [account.id for account in DEMO_ACCOUNTS]
    while time.monotonic() < deadline:
        assert demo.process.poll() is None, demo.output()
        audiences = _audiences_by_account(demo.sandbox_url)
        if all(any(row["size"] > 0 for row in audiences[id_]) for id_ in wanted):
            return
        time.sleep(1)
    raise AssertionError(f"No audience filled in each account:\n{demo.output()}")


@pytest.mark.browser
@pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium"
)
@pytest.mark.timeout(300)
def test_browser_visitors_fill_audiences_per_account_and_ctrl_c_stops_everything(
    tmp_path: Path, running: list[RunningDemo]
) -> None:
    demo = _start_demo(tmp_path, "--visitors", "12", "--concurrency", "4")
    running.append(demo)

    demo.wait_for_line("Traffic: real browser sessions", timeout=90)
    _wait_for_filled_audiences(demo, timeout=150)

    routed = _routed_pairs(demo.data_dir)
    for account in DEMO_ACCOUNTS:
        audiences = _audiences_by_account(demo.sandbox_url)[account.id]
        made = {(row["tag_id"], row["cohort_code"]) for row in audiences}
        assert made == {pair for pair in routed if pair[0] == account.tag_id}
    hits = httpx.get(f"{demo.sandbox_url}/_sandbox/pixel_hits?limit=100000").json()
    assert hits["items"]
    assert {(hit["tid"], hit["ed"]["cohort_code"]) for hit in hits["items"]} <= routed

    _assert_the_demo_passes_its_pinterest_checks(demo)

    children = _descendants(demo.process.pid)
    assert demo.stop_with_ctrl_c() == 0
    assert demo.output().rstrip().endswith("Stopped.")
    time.sleep(1)
    assert [pid for pid in children if _alive(pid)] == []


def _report(data_dir: Path) -> Report:
    store = open_store(f"sqlite:///{data_dir / 'cohortcast.db'}")
    with store.read() as session:
        workspace = get_default_workspace(session)
        report = run_diagnostics(session, workspace.id, int(time.time() * 1000))
    store.close()
    return report


def _assert_the_demo_passes_its_pinterest_checks(demo: RunningDemo) -> None:
    """Test connection ran, the Tag IDs look nothing alike, and the members'
    browsers have the cookie the site's stand-in for Pinterest's tag sets."""
    routed = {code for _, code in _routed_pairs(demo.data_dir)}
    deadline = time.monotonic() + 60
    while True:
        report = _report(demo.data_dir)
        identifiable = [
            check
            for check in report.checks
            if check.id.startswith("audience_size.identifiable.")
        ]
        if len(identifiable) == len(routed) or time.monotonic() > deadline:
            break
        time.sleep(1)

    statuses = {check.id: check.status for check in report.checks}
    assert statuses["cohorts.tag_in_ad_account"] == "ok"
    assert statuses["routing.typos"] == "ok"
    assert [check.status for check in identifiable] == ["ok"] * len(routed)
    assert "Test connection passed" in demo.output()


@pytest.mark.timeout(120)
def test_without_a_browser_visitors_go_to_the_collect_endpoint_and_it_says_so(
    tmp_path: Path, running: list[RunningDemo]
) -> None:
    demo = _start_demo(tmp_path, "--no-browser", "--visitors", "4")
    running.append(demo)

    demo.wait_for_line("Traffic: server-side", timeout=60)
    demo.wait_for_line("The traffic is done", timeout=60)
    children = _descendants(demo.process.pid)

    assert demo.stop_with_ctrl_c() == 0
    output = demo.output()
    assert "no pixel fires" in output
    assert "(collect API)" in output
    assert "4 visitors" in output
    assert "Seeded a new demo workspace" in output
    time.sleep(1)
    assert [pid for pid in children if _alive(pid)] == []


@pytest.mark.timeout(120)
def test_a_second_run_reuses_the_data_and_prints_the_same_sign_in(
    tmp_path: Path, running: list[RunningDemo]
) -> None:
    first = _start_demo(tmp_path, "--no-browser", "--visitors", "1")
    running.append(first)
    first.wait_for_line("Traffic:", timeout=60)
    assert first.stop_with_ctrl_c() == 0

    second = _start_demo(tmp_path, "--no-browser", "--visitors", "1")
    running.append(second)
    second.wait_for_line("Traffic:", timeout=60)
    assert second.stop_with_ctrl_c() == 0

    sign_in = [line for line in first.lines if "sign in with" in line]
    assert sign_in
    assert sign_in[0] in second.lines
    assert "Reusing the demo data" in second.output()


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                str(COHORTCAST),
                "demo",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "demo"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ},
        )

    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr
