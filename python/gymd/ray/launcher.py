"""``up``: start a plan's roles on a Ray cluster in dependency order, stream their logs, wait for
the role that ends the run, and tear everything down however the run ends."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import TextIO

from .actors import ACTOR_CLASSES, NAMESPACE, actor_name
from .placement import check_resources, reserve_groups, resolve_binary
from .plan import Plan
from .plan_yaml import PlanError

#: Seconds between log and status polls of the actors.
POLL_INTERVAL = 1.0
#: Variables Ray sets in its worker processes that the services must see as the launcher has them.
RAY_SETS = ("OMP_NUM_THREADS",)
#: Seconds without an answer to a poll after which an instance counts as lost.
LOST_AFTER = 10.0
_remote_classes: dict = {}


def _remote(service: str):
    import ray

    if service not in _remote_classes:
        _remote_classes[service] = ray.remote(ACTOR_CLASSES[service])
    return _remote_classes[service]


class Launch:
    """One run of a plan on the Ray cluster ``ray.init`` is connected to.

    ``running`` is set once every role is ready; ``statuses`` holds the last status of each
    instance (``ROLE.INDEX``). ``run()`` returns the run's summary (see ``summary``).
    """

    def __init__(self, plan: Plan, binary: str | None = None, log: TextIO = sys.stderr):
        self.plan, self.log = plan, log
        self.binary = resolve_binary(plan, binary)
        self.handles: dict[tuple[str, int], object] = {}
        self.statuses: dict[str, dict] = {}
        self.cursors: dict[tuple[str, int], int] = {}
        self.lost: set[tuple[str, int]] = set()
        self.groups: list = []
        self.running = threading.Event()
        self.failure = ""
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        print(f"gymd.ray: {text}", file=self.log, flush=True)

    def run(self) -> dict:
        """Validates against the cluster, starts, waits and tears down; the run's summary."""
        import ray

        check_resources(self.plan, ray.nodes())
        for name in self.plan.order:
            for index in range(self.plan.roles[name].count):
                try:
                    ray.get_actor(actor_name(self.plan.name, name, index), namespace=NAMESPACE)
                except ValueError:
                    continue
                raise self.plan.error(f"a run named {self.plan.name!r} is already up on this cluster "
                                      f"(python -m gymd.ray down --run {self.plan.name})", 1)
        try:
            self.groups = reserve_groups(self.plan)
            for name in self.plan.order:
                self._start_role(name)
            self.running.set()
            self.say(f"run {self.plan.name!r} is up: {', '.join(f'{n}×{self.plan.roles[n].count}' for n in self.plan.order)}; "
                     f"waiting for {self.plan.until}")
            self._watch()
        except KeyboardInterrupt:
            self.failure = "interrupted"
            self.say("interrupted; tearing down")
        except PlanError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure tears down and is reported
            self.failure = self.failure or f"{type(error).__name__}: {error}"
            self.say(f"failed: {self.failure}")
        finally:
            self.teardown()
        return self.summary()

    def _start_role(self, name: str) -> None:
        import ray
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        role = self.plan.roles[name]
        for index in range(role.count):
            options = {"name": actor_name(self.plan.name, name, index), "namespace": NAMESPACE, "num_cpus": role.cpus,
                       "resources": role.resources_for(index), "max_restarts": role.restarts, "max_concurrency": 8}
            if role.group is not None:
                options["scheduling_strategy"] = PlacementGroupSchedulingStrategy(
                    self.groups[role.group], placement_group_bundle_index=index)
            self.handles[(name, index)] = _remote(role.service).options(**options).remote(
                self.plan, name, index, self.binary, {variable: os.environ.get(variable) for variable in RAY_SETS},
                os.getpriority(os.PRIO_PROCESS, 0))
        pending = {index: self.handles[(name, index)].ready.remote(role.ready_timeout) for index in range(role.count)}
        for index, ref in pending.items():
            key = (name, index)
            try:
                status = ray.get(ref, timeout=role.ready_timeout + 30)
            except Exception as error:  # noqa: BLE001
                self._drain(key)
                raise RuntimeError(f"{name}.{index} did not start: {getattr(error, 'cause', None) or error}") from None
            self.statuses[f"{name}.{index}"] = status
            self.say(f"{name}.{index} ready on {status['node_ip']}{' at ' + status['endpoint'] if status['endpoint'] else ''}"
                     f" (pid {status['pid']})")

    def _drain(self, key) -> None:
        """Prints what a failed instance logged (best effort)."""
        import ray

        try:
            status, lines, cursor, _ = ray.get(self.handles[key].poll.remote(self.cursors.get(key, 0)), timeout=5)
        except Exception:  # noqa: BLE001
            return
        for line in lines[-40:]:
            print(f"[{key[0]}.{key[1]}] {line}", file=self.log, flush=True)
        self.cursors[key] = cursor
        self.statuses[f"{key[0]}.{key[1]}"] = status

    def _watch(self) -> None:
        """Streams logs until every instance of the ending role is done. A poll an actor does not
        answer within ``LOST_AFTER`` seconds (its node is gone, Ray is restarting it) marks it
        lost without holding up the others' logs."""
        import ray

        until = [(self.plan.until, index) for index in range(self.plan.roles[self.plan.until].count)]
        outstanding: dict[tuple[str, int], tuple[object, float]] = {}
        while True:
            now = time.monotonic()
            for key, handle in self.handles.items():
                if key not in outstanding:
                    outstanding[key] = (handle.poll.remote(self.cursors.get(key, 0)), now)
            refs = [ref for ref, _ in outstanding.values()]
            ray.wait(refs, num_returns=len(refs), timeout=POLL_INTERVAL)
            for key, (ref, asked) in list(outstanding.items()):
                label = f"{key[0]}.{key[1]}"
                ready, _ = ray.wait([ref], timeout=0)
                error = None
                if ready:
                    del outstanding[key]
                    try:
                        status, lines, cursor, dropped = ray.get(ref)
                    except ray.exceptions.RayError as failure:
                        error = failure
                elif time.monotonic() - asked > LOST_AFTER:
                    del outstanding[key]
                    error = TimeoutError(f"no answer within {LOST_AFTER:.0f} s")
                else:
                    continue
                if error is not None:
                    if key not in self.lost:
                        self.lost.add(key)
                        self.statuses.setdefault(label, {})["state"] = "lost"
                        self.say(f"{label} was lost ({type(error).__name__}: its node may be gone); Ray restarts it "
                                 f"elsewhere if a node has its resources")
                    if key in until:
                        self.failure = f"{label} ({self.plan.until}, the role that ends the run) was lost"
                        return
                    continue
                if key in self.lost:
                    self.lost.discard(key)
                    self.say(f"{label} is back on {status['node_ip']}")
                if dropped:
                    print(f"[{label}] ({dropped} log line(s) dropped)", file=self.log)
                for line in lines:
                    print(f"[{label}] {line}", file=self.log)
                self.cursors[key] = cursor
                self.statuses[label] = status
            self.log.flush()
            states = [self.statuses.get(f"{k[0]}.{k[1]}", {}).get("state") for k in until]
            if all(state in ("exited", "failed", "stopped") for state in states):
                if any(state != "exited" for state in states):
                    reasons = "; ".join(self.statuses[f"{k[0]}.{k[1]}"].get("reason", "") for k in until)
                    self.failure = f"{self.plan.until} ended badly: {reasons}"
                return
            time.sleep(POLL_INTERVAL)

    def teardown(self) -> None:
        """Stops every instance in reverse dependency order and removes the placement groups."""
        import ray
        from ray.util.placement_group import remove_placement_group

        for name in reversed(self.plan.order):
            keys = [key for key in self.handles if key[0] == name]
            refs = {key: self.handles[key].stop.remote(3.0) for key in keys if key not in self.lost}
            if refs:
                ray.wait(list(refs.values()), num_returns=len(refs), timeout=20)
            for key, ref in refs.items():
                label = f"{key[0]}.{key[1]}"
                try:
                    final = ray.get(ref, timeout=0)
                    watched = self.statuses.get(label, {}).get("state")
                    self.statuses[label] = {**final, "state": watched if watched in ("exited", "failed", "lost") else final["state"]}
                except Exception:  # noqa: BLE001 - a lost actor has nothing left to stop
                    pass
            for key in keys:
                try:
                    ray.kill(self.handles[key], no_restart=True)
                except Exception:  # noqa: BLE001
                    pass
        for reserved in self.groups:
            try:
                remove_placement_group(reserved)
            except Exception:  # noqa: BLE001
                pass
        self.handles.clear()

    def summary(self) -> dict:
        """``ok``, the ending role's ``--json`` summary, every instance's state and restarts."""
        until = [self.statuses.get(f"{self.plan.until}.{i}", {}) for i in range(self.plan.roles[self.plan.until].count)]
        ok = not self.failure and all(status.get("state") == "exited" for status in until)
        return {"run": self.plan.name, "ok": ok, "failure": self.failure or None, "until": self.plan.until,
                "summary": until[0].get("summary") if len(until) == 1 else [status.get("summary") for status in until],
                "wall_s": round(time.monotonic() - self.started, 3),
                "instances": {label: {"state": status.get("state"), "restarts": status.get("restarts", 0),
                                      "node_ip": status.get("node_ip"), "exit_codes": status.get("exit_codes", [])}
                              for label, status in sorted(self.statuses.items())}}


def terminate_as_interrupt() -> None:
    """SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread, so ``up`` tears down."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, handler)
