"""The one check every request the bridge decodes goes through before anything is made from it:
the wire limits (``gymd.wire_limits``, the mirror of the Swift daemon's ``WireLimits``) on every
tensor, value, key and count, and the bridge's own bounds on what it hands Gymnasium."""

from __future__ import annotations

import math

from ..errors import InvalidArgumentError, MalformedError
from ..protocol import gym_pb2
from ..wire_limits import ACTION, MAX_KEY_BYTES, check_value_map, echo

#: Most seeds one reset may carry (one per env at most).
MAX_SEEDS = 4096
#: Most action arrays one step may carry (one per action leaf).
MAX_ACTION_LEAVES = 1024
#: Most kwargs or reset options one request may carry.
MAX_ENTRIES = 256
#: Largest magnitude of a number in kwargs or reset options: environments loop or overflow on
#: absurd magnitudes (Acrobot's angle wrap never ends for 1e20).
MAX_MAGNITUDE = 1e6


def validate_request(request: gym_pb2.Request, max_envs: int = MAX_SEEDS) -> None:
    """Raises ``MalformedError`` or ``InvalidArgumentError`` for a request outside the limits."""
    kind = request.WhichOneof("body")
    if kind == "make":
        make = request.make
        if len(make.env_id.encode()) > MAX_KEY_BYTES:
            raise MalformedError(f"environment id of {len(make.env_id.encode())} bytes, more than {MAX_KEY_BYTES}")
        if make.num_envs > max_envs:
            raise InvalidArgumentError(f"num_envs {make.num_envs} is over this bridge's limit of {max_envs}")
        _check_entries(make.kwargs, "kwarg")
    elif kind == "reset":
        if len(request.reset.seeds) > min(max_envs, MAX_SEEDS):
            raise InvalidArgumentError(f"reset carries {len(request.reset.seeds)} seeds; at most one per env")
        _check_entries(request.reset.options, "reset option")
    elif kind == "step":
        actions = request.step.actions
        if len(actions) > MAX_ACTION_LEAVES:
            raise InvalidArgumentError(f"step carries {len(actions)} action arrays; at most {MAX_ACTION_LEAVES}")
        for number, tensor in enumerate(actions):
            ACTION.check(tensor, f"action {number}")
    elif kind == "hello" and len(request.hello.client_name.encode()) > MAX_KEY_BYTES:
        raise MalformedError(f"client name of {len(request.hello.client_name.encode())} bytes, more than {MAX_KEY_BYTES}")


def _check_entries(entries, what: str) -> None:
    if len(entries) > MAX_ENTRIES:
        raise InvalidArgumentError(f"{len(entries)} {what}s; at most {MAX_ENTRIES}")
    check_value_map(entries, what)
    for key, value in entries.items():
        _check_numbers(value, f"{what} {echo(key)}")


def _check_numbers(value: gym_pb2.Value, what: str) -> None:
    """Every number inside ``value`` is finite and at most ``MAX_MAGNITUDE`` (the nesting is
    already bounded by ``check_value_map``)."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = item.WhichOneof("kind")
        if kind == "number" and not (math.isfinite(item.number) and abs(item.number) <= MAX_MAGNITUDE):
            raise InvalidArgumentError(f"{what}: {item.number} is not a finite number within ±{MAX_MAGNITUDE:g}")
        if kind == "integer" and abs(item.integer) > MAX_MAGNITUDE:
            raise InvalidArgumentError(f"{what}: {item.integer} is beyond ±{MAX_MAGNITUDE:g}")
        if kind == "list":
            pending.extend(item.list.values)
        elif kind == "map":
            pending.extend(item.map.entries.values())
