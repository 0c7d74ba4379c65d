"""One supervised service process: started in its own process group, watched until it is ready,
health-checked, restarted a bounded number of times when it dies, and killed with its whole
group when it is stopped or when the process that supervises it ends.

No Ray here: a Ray actor (``gymd.ray.actors``) holds one of these on the node it was placed on.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import signal
import subprocess
import threading
import time
import weakref
from collections import deque
from typing import Callable

from .kinds import ServiceKind, has_option

#: Log lines kept per process for the launcher to stream; older ones are dropped and counted.
MAX_LOG_LINES = 4000
#: Longest log line kept; a process writing more on one line has it cut.
MAX_LINE = 4000
#: Seconds between health checks, and failed checks in a row that count as a dead service.
HEALTH_INTERVAL, HEALTH_FAILURES = 5.0, 3
#: Environment variable set in every process started here, naming the run (tests find them by it).
RUN_MARKER = "GYMD_RAY_RUN"

_PR_SET_PDEATHSIG = 1
try:
    _libc = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - not Linux
    _libc = None
_live: "weakref.WeakSet[ServiceProcess]" = weakref.WeakSet()


def _die_with_parent(parent: int, niceness: int | None) -> Callable[[], None]:
    """A preexec function: the child gets SIGKILL when the thread that started it ends (Linux's
    parent-death signal), so a supervisor killed with -9 (or its node) leaves no orphan; and it
    runs at ``niceness`` when given (Ray's workers run at 15, which a service must not inherit:
    behind every other process of the machine it would lose its CPU; lowering it needs
    CAP_SYS_NICE, and the child keeps the inherited value without)."""

    def preexec():
        if _libc is not None:
            _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
        if niceness is not None:
            try:
                os.setpriority(os.PRIO_PROCESS, 0, niceness)
            except OSError:
                pass

    return preexec


def kill_group(pid: int, grace: float = 5.0, process: subprocess.Popen | None = None) -> None:
    """SIGTERM to the process group ``pid`` leads, then SIGKILL after ``grace`` seconds."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    deadline = time.monotonic() + grace
    while process is not None and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if process is not None:
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
            pass


def kill_all_live() -> None:
    """Kills every live service process of this interpreter (atexit and SIGTERM use it)."""
    for service in list(_live):
        service.stop(grace=1.0)


def install_exit_handlers() -> None:
    """Kill this interpreter's services at exit and on SIGTERM/SIGINT/SIGHUP (main thread only)."""
    atexit.register(kill_all_live)
    if threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        previous = signal.getsignal(number)

        def handler(signum, frame, previous=previous):
            kill_all_live()
            if callable(previous):
                previous(signum, frame)
            else:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)

        signal.signal(number, handler)


class ServiceProcess:
    """Supervises one service process of ``kind``.

    ``arguments()`` gives the process's arguments at each (re)start; it may block while the
    endpoints it needs are looked up, and raises to fail the start. ``probe(endpoint)`` (may be
    None) raises when the running service does not answer a hello.
    """

    def __init__(self, label: str, kind: ServiceKind, binary: str, arguments: Callable[[], list[str]],
                 restarts: int = 3, ready_timeout: float = 120.0, run: str = "",
                 probe: Callable[[str], None] | None = None, health_interval: float = HEALTH_INTERVAL,
                 environment: dict[str, str | None] | None = None, niceness: int | None = None):
        self.label, self.kind, self.binary = label, kind, binary
        self._arguments, self.probe = arguments, probe
        self.restarts, self.ready_timeout, self.run = restarts, ready_timeout, run
        self.health_interval = health_interval
        #: Variables set (a string) or removed (None) for the process, over this interpreter's.
        self.environment = dict(environment or {})
        #: The niceness the process runs at (None: this interpreter's).
        self.niceness = niceness
        self.state = "starting"
        self.endpoint = ""
        self.restarts_used = 0
        self.exit_codes: list[int] = []
        self.summary: dict | None = None
        self.reason = ""
        self._lines: deque = deque(maxlen=MAX_LOG_LINES)
        self._sequence = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._done = threading.Event()
        self._stopping = threading.Event()
        self._process: subprocess.Popen | None = None
        self._thread = threading.Thread(target=self._supervise, name=f"supervise {label}", daemon=True)
        _live.add(self)

    # MARK: What callers use

    def start(self) -> "ServiceProcess":
        self._thread.start()
        return self

    def wait_ready(self, timeout: float | None = None) -> str:
        """Waits until the service is ready and returns its endpoint ('' when it has none);
        raises RuntimeError when it failed or exited first, TimeoutError past ``timeout``."""
        timeout = self.ready_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while not self._ready.is_set():
            if self._done.is_set():
                raise RuntimeError(f"{self.label} {self.state} before it was ready: {self.reason}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.label} was not ready within {timeout:.0f} s")
            self._ready.wait(0.1)
        return self.endpoint

    def wait_done(self, timeout: float | None = None) -> bool:
        """Whether the supervision ended (exited, failed or stopped) within ``timeout``."""
        return self._done.wait(timeout)

    def status(self) -> dict:
        process = self._process
        return {"label": self.label, "service": self.kind.name, "state": self.state, "endpoint": self.endpoint,
                "pid": process.pid if process is not None and process.poll() is None else None,
                "restarts": self.restarts_used, "exit_codes": list(self.exit_codes), "reason": self.reason,
                "summary": self.summary}

    def logs(self, cursor: int = 0) -> tuple[list[str], int, int]:
        """Log lines from sequence number ``cursor`` on: (lines, next cursor, lines dropped before them)."""
        with self._lock:
            first = self._sequence - len(self._lines)
            start = max(cursor, first)
            lines = list(self._lines)[start - first:]
            return lines, self._sequence, max(0, first - cursor)

    def stop(self, grace: float = 5.0) -> dict:
        """Stops supervising and kills the process group (idempotent); returns the final status."""
        self._stopping.set()
        process = self._process
        if process is not None:
            kill_group(process.pid, grace, process)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(grace + 10)
        if self.state not in ("exited", "failed"):
            self.state = "stopped"
        self._done.set()
        return self.status()

    # MARK: Supervision (one long-lived thread: the children's parent-death signal is tied to it)

    def _log(self, text: str) -> None:
        with self._lock:
            self._lines.append(text[:MAX_LINE])
            self._sequence += 1

    def _supervise(self) -> None:
        bind_endpoint = None  # after the first start, restarts bind the endpoint already published
        try:
            while not self._stopping.is_set():
                try:
                    args = self._arguments()
                except Exception as error:  # noqa: BLE001 - any lookup failure fails the start
                    self.reason = f"could not build the arguments: {error}"
                    self.state = "failed"
                    return
                if bind_endpoint and self.kind.bind_option:
                    args = _rebind(args, self.kind.bind_option, bind_endpoint)
                code = self._run_once(args)
                if self._stopping.is_set():
                    return
                if self.endpoint:
                    bind_endpoint = self.endpoint
                self.exit_codes.append(code)
                if code == 0:
                    self.state, self.reason = "exited", "exit status 0"
                    return
                if self.restarts_used >= self.restarts or self.reason.startswith("cannot start"):
                    self.state = "failed"
                    self.reason = self.reason or f"exit status {code}; {self.restarts_used} restart(s) used of {self.restarts}"
                    self._log(f"gymd.ray: {self.label} failed: {self.reason}")
                    return
                self.restarts_used += 1
                self.state = "restarting"
                self._log(f"gymd.ray: {self.label} exited with status {code}; restart {self.restarts_used} of {self.restarts}")
                self._stopping.wait(min(10.0, 0.5 * 2 ** (self.restarts_used - 1)))
        finally:
            self._done.set()

    def _run_once(self, args: list[str]) -> int:
        """Runs the process once until it exits (or is killed); returns its exit status."""
        command = self.kind.command(self.binary, args)
        env = {**os.environ, RUN_MARKER: self.run or self.label, "PYGAME_HIDE_SUPPORT_PROMPT": "1",
               "SDL_AUDIODRIVER": "dummy", "SDL_VIDEODRIVER": "dummy"}
        for name, value in self.environment.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env=env, start_new_session=True, preexec_fn=_die_with_parent(os.getpid(), self.niceness))
        except OSError as error:
            # A binary missing on this node will not appear by restarting: fail at once.
            self.reason = f"cannot start {command[0]}: {error}"
            self._log(f"gymd.ray: {self.reason}")
            return 127
        self._process = process
        self._log(f"gymd.ray: started {' '.join(command)} (pid {process.pid})")
        readers = [threading.Thread(target=self._read, args=(stream, stream is process.stdout), daemon=True)
                   for stream in (process.stdout, process.stderr)]
        for reader in readers:
            reader.start()
        started = time.monotonic()
        if self.kind.ready is None:
            self._mark_ready("")
        failures = 0
        last_check = time.monotonic()
        while process.poll() is None and not self._stopping.is_set():
            # Sleep in wait(): an exit (or stop(), which kills the group) wakes it at once, and a
            # ready service costs no wake-ups between health checks.
            try:
                process.wait(0.5 if self.state != "ready" else max(0.05, self.health_interval - (time.monotonic() - last_check)))
            except subprocess.TimeoutExpired:
                pass
            if process.poll() is not None or self._stopping.is_set():
                break
            if self.state != "ready" and time.monotonic() - started > self.ready_timeout:
                self._log(f"gymd.ray: {self.label} was not ready within {self.ready_timeout:.0f} s; killing it")
                break
            if self.state == "ready" and self.probe and self.endpoint and time.monotonic() - last_check > self.health_interval:
                last_check = time.monotonic()
                try:
                    self.probe(self.endpoint)
                    failures = 0
                except Exception as error:  # noqa: BLE001 - any failure to answer counts
                    failures += 1
                    self._log(f"gymd.ray: health check {failures}/{HEALTH_FAILURES} of {self.endpoint} failed: {error}")
                    if failures >= HEALTH_FAILURES:
                        break
        kill_group(process.pid, 5.0 if self._stopping.is_set() else 2.0, process)
        for reader in readers:
            reader.join(2)
        code = process.returncode if process.returncode is not None else -9
        self._log(f"gymd.ray: {self.label} (pid {process.pid}) ended with status {code}")
        return code if code != 0 or self.state == "ready" or self.kind.ready is None else 1

    def _read(self, stream, is_stdout: bool) -> None:
        for line in stream:
            line = line.decode("utf-8", "replace").rstrip("\n")
            self._log(line)
            if is_stdout and line.startswith("{"):
                try:
                    value = json.loads(line)
                except ValueError:
                    value = None
                if isinstance(value, dict):
                    self.summary = value
            if self.state != "ready" and self.kind.ready is not None:
                match = self.kind.ready.search(line)
                if match:
                    self._mark_ready(match.group(1) if match.groups() else "")
        stream.close()

    def _mark_ready(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.state = "ready"
        self._ready.set()
        self._log(f"gymd.ray: {self.label} ready{' on ' + endpoint if endpoint else ''}")


def _rebind(args: list[str], option: str, endpoint: str) -> list[str]:
    """``args`` with ``option``'s value replaced by ``endpoint`` (a restart keeps its address)."""
    out = list(args)
    for index, arg in enumerate(out):
        if arg == option and index + 1 < len(out):
            out[index + 1] = endpoint
            return out
        if arg.startswith(option + "="):
            out[index] = f"{option}={endpoint}"
            return out
    return out if has_option(out, option) else [*out, option, endpoint]
