"""The supervision each gymd.ray actor runs on its node (gymd.ray.service_process), without Ray:
readiness from the log, bounded restarts, the whole process group killed on stop, no orphan
when the supervisor is killed, and a real `gym serve` restarted on its endpoint."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("yaml", reason="gymd.ray needs PyYAML (pip install 'gymd[ray]')")

from gymd.connection import Connection  # noqa: E402
from gymd.ray.kinds import KINDS, ServiceKind, hello_probe  # noqa: E402
from gymd.ray.service_process import RUN_MARKER, ServiceProcess  # noqa: E402

from conftest import gym_binary  # noqa: E402

SCRIPT_KIND = ServiceKind("script", "a shell script standing in for a service", re.compile(r"listening on (tcp://\S+?)[;\s]"))


def marked(run: str) -> list[int]:
    """Live (not zombie) processes whose environment carries ``run``'s marker."""
    marker = f"{RUN_MARKER}={run}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0") and \
                        (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def wait_until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def script(tmp_path: Path, body: str) -> str:
    """An executable taking the kind's subcommand as $1 (ignored)."""
    path = tmp_path / "service.sh"
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return str(path)


def test_restarts_are_bounded_and_logged(tmp_path):
    binary = script(tmp_path, "echo 'listening on tcp://127.0.0.1:9 ; ok' >&2\nexit 3\n")
    service = ServiceProcess("s.0", SCRIPT_KIND, binary, lambda: [], restarts=2, run=f"t{os.getpid()}a").start()
    assert service.wait_ready(10) == "tcp://127.0.0.1:9"
    assert service.wait_done(30)
    status = service.status()
    assert status["state"] == "failed" and status["exit_codes"] == [3, 3, 3] and status["restarts"] == 2
    lines, cursor, dropped = service.logs()
    assert any("restart 2 of 2" in line for line in lines) and dropped == 0 and cursor == len(lines)
    assert service.logs(cursor)[0] == []


def test_a_service_that_never_says_it_listens_is_killed_and_fails(tmp_path):
    binary = script(tmp_path, "sleep 30\n")
    service = ServiceProcess("s.0", SCRIPT_KIND, binary, lambda: [], restarts=0, ready_timeout=1.0, run=f"t{os.getpid()}b").start()
    with pytest.raises(RuntimeError, match="failed before it was ready"):
        service.wait_ready(20)
    assert marked(f"t{os.getpid()}b") == []


def test_stop_kills_the_whole_process_group(tmp_path):
    run = f"t{os.getpid()}c"
    binary = script(tmp_path, "sleep 300 &\nsleep 300 &\necho 'listening on tcp://127.0.0.1:9 ;' >&2\nwait\n")
    service = ServiceProcess("s.0", SCRIPT_KIND, binary, lambda: [], run=run).start()
    service.wait_ready(10)
    assert wait_until(lambda: len(marked(run)) == 3), marked(run)
    assert service.stop(grace=1.0)["state"] == "stopped"
    assert wait_until(lambda: marked(run) == []), marked(run)


def test_a_killed_supervisor_leaves_no_orphan(tmp_path):
    """SIGKILL (no atexit, no handler) of the process holding the supervisor: the parent-death
    signal takes the service down with it."""
    run = f"t{os.getpid()}d"
    binary = script(tmp_path, "echo 'listening on tcp://127.0.0.1:9 ;' >&2\nexec sleep 300\n")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import re, sys, time
        from gymd.ray.kinds import ServiceKind
        from gymd.ray.service_process import ServiceProcess
        kind = ServiceKind("script", "", re.compile(r"listening on (tcp://\\S+?)[;\\s]"))
        ServiceProcess("s.0", kind, {binary!r}, lambda: [], run={run!r}).start().wait_ready(10)
        print("ready", flush=True)
        time.sleep(300)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert wait_until(lambda: len(marked(run)) == 1)
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        assert wait_until(lambda: marked(run) == []), marked(run)
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_gym_serve_is_restarted_on_its_endpoint():
    run = f"t{os.getpid()}e"
    args = ["--workers", "1", "--bind", "tcp://127.0.0.1:*"]
    service = ServiceProcess("env.0", KINDS["serve"], str(gym_binary()), lambda: list(args), run=run,
                             probe=hello_probe("serve", args), health_interval=0.2).start()
    try:
        endpoint = service.wait_ready(60)
        assert re.fullmatch(r"tcp://127\.0\.0\.1:\d+", endpoint)
        Connection(endpoint, timeout=5).close()
        first = service.status()["pid"]
        os.kill(first, signal.SIGKILL)
        assert wait_until(lambda: service.status()["pid"] not in (None, first) and service.state == "ready", 30), service.status()
        assert service.endpoint == endpoint and service.status()["restarts"] == 1
        assert wait_until(lambda: _answers(endpoint), 20)
    finally:
        service.stop()
    assert wait_until(lambda: marked(run) == [])


def _answers(endpoint: str) -> bool:
    try:
        Connection(endpoint, timeout=1).close()
        return True
    except Exception:  # noqa: BLE001
        return False


def test_a_missing_binary_fails_at_once_without_restarts(tmp_path):
    service = ServiceProcess("s.0", SCRIPT_KIND, str(tmp_path / "no-such-gym"), lambda: [], restarts=3).start()
    with pytest.raises(RuntimeError, match="cannot start .*no-such-gym"):
        service.wait_ready(10)
    assert service.status()["restarts"] == 0 and service.state == "failed"
