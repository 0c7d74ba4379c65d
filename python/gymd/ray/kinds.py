"""The service processes a plan can start, and how each one says it is ready and where it listens."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceKind:
    """One kind of service process (a ``gym`` subcommand or the Python bridge).

    ``ready`` matches the log line the process writes once it serves (its first group, if any,
    is the endpoint with the port resolved); None means it is ready once it has started.
    ``bind_option`` is the option the launcher fills with the plan's host and a free port when
    the role's arguments do not give it; ``probe`` is the protocol whose hello health-checks it.
    """

    name: str
    summary: str
    ready: re.Pattern | None
    bind_option: str | None = None
    default_args: tuple[str, ...] = ()
    probe: str | None = None  # "gym" (daemon) or "buffer"
    python: bool = False
    subcommand: str = ""

    def command(self, binary: str, args: list[str]) -> list[str]:
        """The full command line for ``args`` (the subcommand is part of the kind)."""
        if self.python:
            return [sys.executable, "-m", "gymd", "serve", *args]
        return [binary, self.subcommand or self.name, *args]


_LISTENING = re.compile(r"listening on (tcp://\S+?)[;,\s]")

KINDS: dict[str, ServiceKind] = {kind.name: kind for kind in (
    ServiceKind("serve", "environment daemon (gym serve)", _LISTENING, "--bind", probe="gym"),
    ServiceKind("buffer", "replay-buffer service (gym buffer)", _LISTENING, "--bind", probe="buffer"),
    ServiceKind("record", "recorder (gym record)", re.compile(r"recording \S+ into")),
    # The learner's parameter service: workers join it with `gym worker --learner ADDR`.
    ServiceKind("train", "learner (gym train ALGO --no-spawn)", re.compile(r"parameter service on (tcp://\S+?)[,;\s]"),
                "--bind-parameters", default_args=("--no-spawn",)),
    # A learner with no workers (PPO, DQN, ...) training against remote env servers.
    ServiceKind("trainer", "learner without workers (gym train ALGO --server ADDR)", None, subcommand="train"),
    ServiceKind("worker", "worker or actor (gym worker --learner ADDR)", None),
    ServiceKind("bridge", "Gymnasium bridge (python -m gymd serve)", _LISTENING, "--bind", probe="gym", python=True),
)}


def has_option(args: list[str], option: str) -> bool:
    """Whether ``args`` gives ``option`` (as ``--opt value`` or ``--opt=value``)."""
    return any(arg == option or arg.startswith(option + "=") for arg in args)


def hello_probe(service: str, args: list[str]):
    """The hello health check of a ``serve``/``bridge`` (daemon protocol) or ``buffer`` service;
    None for other services and for CURVE ones (the actor holds no client key)."""
    protocol = KINDS[service].probe
    if protocol is None or has_option(args, "--curve-secret"):
        return None

    def probe(endpoint: str) -> None:
        from ..connection import Connection

        kwargs = {}
        if protocol == "buffer":
            from ..protocol import buffer_pb2

            kwargs = {"request_type": buffer_pb2.BufferRequest, "response_type": buffer_pb2.BufferResponse}
        Connection(endpoint, timeout=3.0, client_name="gymd.ray health check", **kwargs).close()

    return probe
