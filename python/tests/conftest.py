"""Fixtures that run real daemons: the Swift ``gym serve`` (the debug build scripts/test makes
first, or ``$GYM_BIN``) and the Python bridge, each on a free loopback port."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from gymd.daemon_process import DaemonProcess, start_bridge
from gymd.daemon_process import start_gym_serve as _start_gym_serve

REPO = Path(__file__).resolve().parents[2]

# CURVE defaults come from the user's config file and GYM_* variables: the tests (and the
# daemons they start) see neither, so only the keys a test hands out apply.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="gymd-tests-config-")
for _variable in ("GYM_CURVE_SECRET", "GYM_SERVER_KEY", "GYM_ALLOW"):
    os.environ.pop(_variable, None)


def gym_binary() -> Path:
    """``$GYM_BIN`` or the repository's debug build; a clear failure when it is missing."""
    path = Path(os.environ.get("GYM_BIN", REPO / ".build" / "debug" / "gym"))
    if not path.is_file():
        pytest.fail(f"{path} does not exist: build it first (swift build), or set GYM_BIN", pytrace=False)
    return path


def start_gym_serve(*args: str) -> DaemonProcess:
    """The Swift daemon with one worker (the tests' machines have few cores)."""
    return _start_gym_serve("--workers", "1", *args, binary=gym_binary())


@pytest.fixture(scope="session")
def gym_serve():
    """One Swift daemon for the whole session."""
    with start_gym_serve() as daemon:
        yield daemon


@pytest.fixture(scope="session")
def server(gym_serve) -> str:
    """The Swift daemon's endpoint."""
    return gym_serve.endpoint


#: The bridge's two ways of stepping: in its own process, and sharded over worker processes
#: through shared memory. The bridge suite runs in both.
BRIDGE_MODES = {"in-process": (), "workers": ("--workers", "2")}


@pytest.fixture(scope="session", params=list(BRIDGE_MODES))
def bridge_mode(request) -> tuple[str, ...]:
    """The command-line arguments of one bridge mode."""
    return BRIDGE_MODES[request.param]


@pytest.fixture(scope="session")
def bridge(bridge_mode):
    """One bridge serving CartPole-v1 (compared bit for bit with the Swift daemon) and
    Blackjack-v1 (a Tuple observation space) for the whole session, in each mode."""
    with start_bridge("CartPole-v1", "Blackjack-v1", args=bridge_mode) as daemon:
        yield daemon
