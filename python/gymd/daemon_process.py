"""Daemons as child processes on free loopback ports: the Swift ``gym serve`` or this package's bridge.

For tests, examples and benchmarks that must start and stop their own server.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

_LISTENING = re.compile(r"listening on (tcp://\S+?)[;\s]")


class DaemonProcess:
    """A daemon started with ``tcp://127.0.0.1:*``; ``endpoint`` is read from its 'listening on' log line.

    ``ready`` is the log line pattern that means it has started (its first group, if any, is the
    endpoint). Use as a context manager, or call ``stop``. Its merged stdout/stderr is kept in ``log``.
    """

    def __init__(self, command: list[str], name: str = "daemon", startup_timeout: float = 60.0,
                 ready: re.Pattern = _LISTENING):
        self.name = name
        self.log: list[str] = []
        self.endpoint = ""
        env = {**os.environ, "SDL_AUDIODRIVER": "dummy", "SDL_VIDEODRIVER": "dummy", "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        found = threading.Event()
        started = []

        def drain():
            for line in self.process.stdout:
                self.log.append(line)
                match = ready.search(line)
                if match and not found.is_set():
                    self.endpoint = match.group(1) if match.groups() else ""
                    started.append(True)
                    found.set()
            found.set()

        self._reader = threading.Thread(target=drain, daemon=True)
        self._reader.start()
        if not found.wait(startup_timeout) or not started:
            self.stop()
            raise RuntimeError(f"{name} did not start ({' '.join(command)}):\n{self.output()[-2000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signals the daemon, waits for it and returns its exit status."""
        # The signal is repeated: a daemon that has just started may not be watching for it yet.
        for _ in range(10):
            if self.process.poll() is not None:
                break
            self.process.send_signal(sig)
            try:
                self.process.wait(2)
            except subprocess.TimeoutExpired:
                continue
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._reader.join(2)
        return self.process.returncode

    def output(self) -> str:
        """Everything the daemon logged so far."""
        return "".join(self.log)

    def __enter__(self) -> "DaemonProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def find_gym_binary(preferred: str | os.PathLike | None = None) -> Path:
    """``preferred``, else ``$GYM_BIN``, else ``gym`` on PATH, else a release or debug build in the
    current directory or in the repository this package sits in (for an editable install)."""
    candidates = [preferred, os.environ.get("GYM_BIN"), shutil.which("gym")]
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        candidates += [root / ".build" / "release" / "gym", root / ".build" / "debug" / "gym"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError("no gym binary: build it (swift build -c release) or set GYM_BIN")


def start_gym_serve(*args: str, binary: str | os.PathLike | None = None) -> DaemonProcess:
    """Starts the Swift daemon on a free loopback port with extra arguments."""
    command = [str(find_gym_binary(binary)), "serve", "--bind", "tcp://127.0.0.1:*", *args]
    return DaemonProcess(command, "gym serve")


def start_bridge(*env_ids: str, args: tuple[str, ...] = ()) -> DaemonProcess:
    """Starts ``python -m gymd serve`` for the given Gymnasium ids on a free loopback port."""
    command = [sys.executable, "-m", "gymd", "serve", "--bind", "tcp://127.0.0.1:*", *args]
    for env_id in env_ids:
        command += ["--env", env_id]
    return DaemonProcess(command, "gymd bridge")
