"""Ray as the control plane of the gym services (``pip install gymd[ray]``).

Ray places, starts, watches and restarts the service processes (``gym serve``, ``gym buffer``,
``gym record``, ``gym train --no-spawn``, ``gym worker``, the Python bridge); every observation,
transition and weight still travels over their ZeroMQ sockets, never through Ray's object store.
Run a plan with ``python -m gymd.ray up PLAN.yaml``; plans are described in ``gymd.ray.plan``.
The plan modules import without Ray; starting anything needs it.
"""

from .plan import Plan, Role, load_plan, parse_plan
from .plan_yaml import PlanError

__all__ = ["Plan", "PlanError", "Role", "load_plan", "parse_plan"]
