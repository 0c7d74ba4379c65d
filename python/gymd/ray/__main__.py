"""``python -m gymd.ray up PLAN.yaml | down | status``: run a plan's services on a Ray cluster."""

from __future__ import annotations

import argparse
import json
import sys

from .plan import MAX_COUNT, load_plan
from .plan_yaml import PlanError


def _connect(address: str | None, resources: dict[str, float] | None = None):
    try:
        import ray
    except ImportError:
        sys.exit("gymd.ray: Ray is not installed (pip install 'gymd[ray]')")
    from .actors import NAMESPACE

    if not ray.is_initialized():
        extra = {"resources": resources} if address is None and resources else {}
        ray.init(address=address, namespace=NAMESPACE, include_dashboard=False, log_to_driver=False,
                 configure_logging=True, logging_level="warning", **extra)
    return ray


def _up(args) -> int:
    plan = load_plan(args.plan)  # a bad plan fails here, before Ray starts
    from .launcher import Launch, terminate_as_interrupt

    terminate_as_interrupt()
    # Without --address the run gets a local node of its own, which carries every custom
    # resource the plan pins roles to (one machine stands in for all the plan's nodes).
    local = {name: float(MAX_COUNT) for role in plan.roles.values() for index in range(role.count)
             for name in role.resources_for(index)}
    ray = _connect(args.address, local)
    try:
        launch = Launch(plan, binary=args.binary)
        summary = launch.run()
    finally:
        if args.address is None:
            ray.shutdown()
    learner = summary["summary"]
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(f"{plan.until}: {json.dumps(learner) if learner is not None else '(no summary)'}")
        print(f"run {plan.name}: {'finished' if summary['ok'] else 'FAILED: ' + str(summary['failure'])} in {summary['wall_s']:.1f} s")
    return 0 if summary["ok"] else 1


def _named(ray, run: str | None) -> list[str]:
    from .actors import NAMESPACE

    names = [entry["name"] if isinstance(entry, dict) else entry for entry in ray.util.list_named_actors(all_namespaces=False)]
    return sorted(name for name in names if run is None or name.startswith(run + "."))


def _status(args) -> int:
    ray = _connect(args.address)
    from .actors import NAMESPACE

    rows = []
    for name in _named(ray, args.run):
        try:
            rows.append(ray.get(ray.get_actor(name, namespace=NAMESPACE).status.remote(), timeout=10))
        except Exception as error:  # noqa: BLE001
            rows.append({"label": name, "state": f"unreachable ({type(error).__name__})"})
    if args.json:
        print(json.dumps({"instances": rows}, sort_keys=True, default=str))
    else:
        for row in rows:
            print(f"{row.get('label', '?'):<20} {row.get('state', '?'):<11} {row.get('endpoint') or '-':<28} "
                  f"node {row.get('node_ip', '?')} pid {row.get('pid')} restarts {row.get('restarts', 0)}")
        if not rows:
            print("no gymd.ray run is up on this cluster")
    return 0


def _down(args) -> int:
    ray = _connect(args.address)
    from .actors import NAMESPACE

    names = _named(ray, args.run)
    for name in names:
        try:
            handle = ray.get_actor(name, namespace=NAMESPACE)
            ray.get(handle.stop.remote(3.0), timeout=20)
            ray.kill(handle, no_restart=True)
        except Exception as error:  # noqa: BLE001
            print(f"gymd.ray: {name}: {type(error).__name__}: {error}", file=sys.stderr)
    print(json.dumps({"stopped": names}) if args.json else f"stopped {len(names)} service(s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gymd.ray", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start a plan, stream its logs, wait for its ending role, tear down")
    up.add_argument("plan", help="the plan (YAML)")
    up.add_argument("--binary", help="the gym binary (default: the plan's, $GYM_BIN, PATH, the build)")
    for command in (up, commands.add_parser("status", help="the services of the runs that are up"),
                    commands.add_parser("down", help="stop the services of a run (or of every run)")):
        command.add_argument("--address", help="the Ray cluster (default for up: a new local one; for status/down: auto)")
        command.add_argument("--json", action="store_true", help="print one JSON object as the last line")
        if command is not up:
            command.add_argument("--run", help="only this run's services")
    args = parser.parse_args(argv)
    if args.command != "up" and args.address is None:
        args.address = "auto"
    try:
        return {"up": _up, "status": _status, "down": _down}[args.command](args)
    except PlanError as error:
        print(f"gymd.ray: {error}", file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "failure": str(error), "line": error.line}))
        return 2


if __name__ == "__main__":
    sys.exit(main())
