"""The Ray actors: one per service process, placed on a node, holding a ``ServiceProcess`` there.

Ray only places, starts, watches and restarts them; the services talk over their own ZeroMQ
sockets. An actor is named ``RUN.ROLE.INDEX`` in the ``gymd`` namespace: its ``endpoint()`` is
how the actors that need it (``{ROLE.endpoint}`` in a plan) find it, after a restart too.
"""

from __future__ import annotations

import time

from .kinds import KINDS, hello_probe
from .plan import Plan, service_arguments
from .service_process import ServiceProcess, install_exit_handlers

NAMESPACE = "gymd"
#: Seconds an actor waits for the endpoints its arguments need.
LOOKUP_TIMEOUT = 120.0


def actor_name(run: str, role: str, index: int) -> str:
    return f"{run}.{role}.{index}"


class ServiceActor:
    """Runs instance ``index`` of ``plan``'s role ``role`` on the node Ray placed it on.

    ``environment`` is what the launcher's environment says of the variables Ray sets in its
    workers (``OMP_NUM_THREADS=1``): the service gets the launcher's value, or none, so that
    OpenBLAS in a learner runs as it does when started by hand. ``niceness`` is the launcher's
    too: Ray runs its workers at 15, behind everything else on the node.

    The process starts in ``__init__``, so when Ray restarts the actor (its node was lost) the
    new one starts the process again on its new node, looking its dependencies' endpoints up anew.
    """

    service = ""

    def __init__(self, plan: Plan, role: str, index: int, binary: str, environment: dict[str, str | None] | None = None,
                 niceness: int | None = None):
        import ray

        install_exit_handlers()
        self.plan, self.role, self.index = plan, plan.roles[role], index
        self.node_ip = ray.util.get_node_ip_address()
        self.node_id = ray.get_runtime_context().get_node_id()
        self.host = self.node_ip if plan.host == "node" else plan.host
        self.label = f"{role}.{index}"
        self._args: list[str] = []
        self.process = ServiceProcess(self.label, KINDS[self.role.service], binary, self._arguments, restarts=self.role.restarts,
                                      ready_timeout=self.role.ready_timeout, run=plan.name, environment=environment,
                                      niceness=niceness)
        self.process.start()

    def _arguments(self) -> list[str]:
        args = service_arguments(self.plan, self.role.name, self.index, self.host, self._endpoint)
        self.process.probe = hello_probe(self.role.service, args)
        self._args = args
        return args

    def _endpoint(self, role: str, index: int) -> str:
        import ray

        name = actor_name(self.plan.name, role, index)
        deadline = time.monotonic() + LOOKUP_TIMEOUT
        while True:
            try:
                endpoint = ray.get(ray.get_actor(name, namespace=NAMESPACE).endpoint.remote(), timeout=10)
                if endpoint:
                    return endpoint
            except (ValueError, ray.exceptions.RayError):
                pass  # not created yet, or being restarted with its node
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} published no endpoint within {LOOKUP_TIMEOUT:.0f} s")
            time.sleep(0.5)

    # MARK: Remote methods

    def ready(self, timeout: float | None = None) -> dict:
        """Waits until the service is ready; its status (raises when it failed first)."""
        self.process.wait_ready(timeout)
        return self.status()

    def endpoint(self) -> str:
        """The service's endpoint once it is ready, else ''."""
        return self.process.endpoint if self.process.state == "ready" else ""

    def status(self) -> dict:
        return {**self.process.status(), "role": self.role.name, "index": self.index, "node_ip": self.node_ip,
                "node_id": self.node_id, "args": self._args}

    def poll(self, cursor: int) -> tuple[dict, list[str], int, int]:
        """Status and the log lines from ``cursor`` on (see ``ServiceProcess.logs``)."""
        lines, next_cursor, dropped = self.process.logs(cursor)
        return self.status(), lines, next_cursor, dropped

    def stop(self, grace: float = 5.0) -> dict:
        """Kills the process group; the final status."""
        self.process.stop(grace)
        return self.status()


class EnvServerActor(ServiceActor):
    """``gym serve``: an environment daemon."""
    service = "serve"


class BufferActor(ServiceActor):
    """``gym buffer``: the replay-buffer service."""
    service = "buffer"


class RecorderActor(ServiceActor):
    """``gym record``: stores the episodes of a daemon's event stream."""
    service = "record"


class LearnerActor(ServiceActor):
    """``gym train ALGO --no-spawn``: a learner whose workers join its parameter service."""
    service = "train"


class TrainerActor(ServiceActor):
    """``gym train ALGO --server ADDR``: a learner without workers, against remote env servers."""
    service = "trainer"


class WorkerActor(ServiceActor):
    """``gym worker --learner ADDR``: an Ape-X actor or an A3C worker."""
    service = "worker"


class BridgeActor(ServiceActor):
    """``python -m gymd serve``: Gymnasium environments behind the daemon protocol."""
    service = "bridge"


ACTOR_CLASSES = {cls.service: cls for cls in (EnvServerActor, BufferActor, RecorderActor, LearnerActor, TrainerActor, WorkerActor, BridgeActor)}
