"""Checking a plan against a cluster's nodes and reserving its placement groups, before anything starts."""

from __future__ import annotations

import os
from pathlib import Path

from ..daemon_process import find_gym_binary
from .plan import Plan
from .plan_yaml import PlanError

#: Seconds a placement group may take to be reserved before the plan counts as unplaceable.
PLACEMENT_TIMEOUT = 60.0


def resolve_binary(plan: Plan, preferred: str | None = None) -> str:
    """The gym binary's path: the plan's ``binary`` (checked here: on a real cluster it must be
    at the same path on every node), else ``preferred``/``$GYM_BIN``/PATH/the build."""
    if all(role.service == "bridge" for role in plan.roles.values()):
        return ""
    if plan.binary is not None:
        path = Path(os.path.expanduser(plan.binary))
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise plan.error(f"binary {plan.binary!r} is not an executable file here (it must be at this path on every node)",
                             plan.binary_line)
        return str(path.resolve())
    try:
        return str(find_gym_binary(preferred).resolve())
    except FileNotFoundError as error:
        raise plan.error(f"missing binary: {error}; or give 'binary: PATH' in the plan", 1) from None


def demand(plan: Plan, role_name: str, index: int) -> dict[str, float]:
    """What instance ``index`` of a role asks Ray for (CPU and its custom resources)."""
    role = plan.roles[role_name]
    wanted = {"CPU": role.cpus} if role.cpus > 0 else {}
    wanted.update(role.resources_for(index))
    return wanted


def bundles(plan: Plan, group_index: int) -> list[dict[str, float]]:
    """Bundle i of a group holds instance i of each of its roles."""
    group = plan.groups[group_index]
    count = plan.roles[group.roles[0]].count
    result = []
    for index in range(count):
        bundle: dict[str, float] = {}
        for role in group.roles:
            for name, amount in demand(plan, role, index).items():
                bundle[name] = bundle.get(name, 0.0) + amount
        result.append(bundle or {"CPU": 0.01})
    return result


def _fits(wanted: dict[str, float], node: dict[str, float]) -> bool:
    return all(node.get(name, 0.0) + 1e-9 >= amount for name, amount in wanted.items())


def check_resources(plan: Plan, nodes: list[dict]) -> None:
    """Raises ``PlanError`` (naming the role's line) for an instance or bundle no alive node can
    hold, and for a strict-spread group with more bundles than nodes."""
    totals = [node.get("Resources", {}) for node in nodes if node.get("Alive", node.get("alive", False))]
    described = "; ".join(", ".join(f"{k}={v:g}" for k, v in sorted(t.items()) if not k.startswith("node:") and "memory" not in k)
                          for t in totals) or "no alive node"
    for name in plan.order:
        role = plan.roles[name]
        line = role.resources_line or role.line
        if role.group is not None:
            continue
        for index in range(role.count):
            wanted = demand(plan, name, index)
            if not any(_fits(wanted, total) for total in totals):
                raise plan.error(f"unplaceable resources: {name}.{index} needs {wanted}, which no node has (nodes: {described})", line)
    for group_index, group in enumerate(plan.groups):
        for index, bundle in enumerate(bundles(plan, group_index)):
            if not any(_fits(bundle, total) for total in totals):
                raise plan.error(f"unplaceable resources: bundle {index} of group {group.roles} needs {bundle}, which no node has "
                                 f"(nodes: {described})", group.line)
        count = plan.roles[group.roles[0]].count
        if group.strategy == "STRICT_SPREAD" and count > len(totals):
            raise plan.error(f"unplaceable resources: STRICT_SPREAD of {count} bundles over {len(totals)} node(s)", group.line)


def reserve_groups(plan: Plan) -> list:
    """Creates the plan's placement groups and waits until Ray has reserved them."""
    import ray
    from ray.util.placement_group import placement_group, remove_placement_group

    groups = []
    try:
        for group_index, group in enumerate(plan.groups):
            reserved = placement_group(bundles(plan, group_index), strategy=group.strategy, name=f"{plan.name}.group{group_index}")
            groups.append(reserved)
            ready, _ = ray.wait([reserved.ready()], timeout=PLACEMENT_TIMEOUT)
            if not ready:
                raise PlanError(f"unplaceable resources: Ray could not reserve group {group.roles} ({group.strategy}) "
                                f"within {PLACEMENT_TIMEOUT:.0f} s", group.line, plan.path)
    except BaseException:
        for reserved in groups:
            remove_placement_group(reserved)
        raise
    return groups
