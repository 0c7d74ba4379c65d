"""A client keeps its environments while its connection lives, however long it is silent, and
loses them when its process hangs (heartbeats) or its connection closes."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import gymd
from conftest import start_gym_serve
from gymd.daemon_process import start_bridge

LIVENESS = ("--idle-timeout", "0.5", "--heartbeat", "0.2")
SERVERS = {
    "gym serve": lambda: start_gym_serve(*LIVENESS, "--log-level", "info"),
    "bridge": lambda: start_bridge("CartPole-v1", args=LIVENESS),
    "bridge with workers": lambda: start_bridge("CartPole-v1", args=LIVENESS + ("--workers", "1")),
}

HOLDER = textwrap.dedent("""
    import sys, gymd
    env = gymd.RemoteEnv("CartPole-v1", server=sys.argv[1])
    env.reset(seed=0)
    print("ready", flush=True)
    sys.stdin.readline()
""")


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize("server_kind", list(SERVERS))
def test_a_silent_live_client_keeps_its_envs_and_a_hung_one_loses_them(server_kind):
    with SERVERS[server_kind]() as daemon:
        env = gymd.RemoteEnv("CartPole-v1", server=daemon.endpoint)
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, daemon.endpoint], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            env.reset(seed=0)
            assert holder.stdout.readline().strip() == "ready"
            # The holder's process stops: it can no longer answer heartbeats.
            holder.send_signal(signal.SIGSTOP)
            assert wait_for(lambda: "disconnected: closing its 1 handle(s)" in daemon.output(), 10), daemon.output()[-2000:]
            # This client said nothing for longer than the idle timeout, on a live connection.
            time.sleep(2.5)
            _, reward, _, _, _ = env.step(np.int64(1))
            assert reward == 1.0
            assert daemon.output().count("closing its") == 1, daemon.output()[-2000:]
        finally:
            env.close()
            holder.kill()
            holder.wait()
