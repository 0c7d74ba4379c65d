"""The same Ape-X run started through a gymd.ray plan and directly with the CLI, alternating:
the learner's env-steps/s for both and their ratio (Ray is only the control plane, so the
target is a ratio within 10% of 1). See scripts/bench-ray."""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

from gymd.ray.kinds import KINDS
from gymd.ray.plan import load_plan, service_arguments
from gymd.ray.service_process import ServiceProcess


def run_direct(plan, binary: str, log) -> dict:
    """Starts every role's processes with the same command lines as the plan gives them, without
    Ray, in dependency order; returns the ending role's --json summary."""
    endpoints: dict[tuple[str, int], str] = {}
    started: list[ServiceProcess] = []
    try:
        for name in plan.order:
            role = plan.roles[name]
            for index in range(role.count):
                args = service_arguments(plan, name, index, "127.0.0.1", lambda other, i: endpoints[(other, i)])
                process = ServiceProcess(f"{name}.{index}", KINDS[role.service], binary, lambda args=args: args,
                                         restarts=0, ready_timeout=role.ready_timeout, run=f"direct-{plan.name}")
                started.append(process.start())
                endpoints[(name, index)] = process.wait_ready()
        ending = [process for process in started if process.label.startswith(plan.until + ".")]
        for process in ending:
            process.wait_done()
        status = ending[0].status()
        if status["state"] != "exited":
            lines, _, _ = ending[0].logs()
            print("\n".join(lines[-30:]), file=log)
            raise RuntimeError(f"the direct run's {plan.until} ended {status['state']}: {status['reason']}")
        return status["summary"] or {}
    finally:
        for process in reversed(started):
            process.stop(3.0)


def run_plan(plan, binary: str, log) -> dict:
    from gymd.ray.launcher import Launch

    buffer = io.StringIO()
    result = Launch(plan, binary=binary, log=buffer).run()
    if not result["ok"]:
        print(buffer.getvalue()[-4000:], file=log)
        raise RuntimeError(f"the plan's run failed: {result['failure']}")
    return result["summary"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plan", default=str(Path(__file__).resolve().parents[1] / "python/examples/ray/apex-cartpole.yaml"))
    parser.add_argument("--binary", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--total-steps", type=int, help="the learner's budget instead of the plan's (longer runs, steadier rates)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import ray

    from gymd.ray.actors import NAMESPACE

    plan = load_plan(args.plan)
    if args.total_steps is not None:
        learner = plan.roles[plan.until].args
        if "--total-steps" in learner:
            learner[learner.index("--total-steps") + 1] = str(args.total_steps)
        else:
            learner += ["--total-steps", str(args.total_steps)]
    # One machine: the node carries every resource the plan pins its roles to.
    resources = {name: 1.0 for role in plan.roles.values() for index in range(role.count) for name in role.resources_for(index)}
    ray.init(namespace=NAMESPACE, resources=resources, include_dashboard=False, log_to_driver=False, logging_level="warning")
    rates: dict[str, list[float]] = {"ray": [], "direct": []}
    try:
        for repeat in range(args.repeats):
            for way in ("direct", "ray") if repeat % 2 == 0 else ("ray", "direct"):
                began = time.monotonic()
                summary = (run_direct if way == "direct" else run_plan)(plan, args.binary, sys.stderr)
                rates[way].append(float(summary["env_steps_per_s"]))
                print(f"bench-ray: repeat {repeat + 1} {way:>6}: {summary['env_steps_per_s']:.0f} env steps/s, eval_mean "
                      f"{summary.get('eval_mean')}, {time.monotonic() - began:.1f} s wall", file=sys.stderr, flush=True)
    finally:
        ray.shutdown()
    ray_rate, direct_rate = statistics.median(rates["ray"]), statistics.median(rates["direct"])
    result = {"plan": plan.name, "repeats": args.repeats, "ray_env_steps_per_s": ray_rate, "direct_env_steps_per_s": direct_rate,
              "ratio": round(ray_rate / direct_rate, 4), "ray_runs": rates["ray"], "direct_runs": rates["direct"]}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"bench-ray: median learner env steps/s: plan via Ray {ray_rate:.0f}, direct CLI {direct_rate:.0f}, "
              f"ratio {result['ratio']:.3f} over {args.repeats} repeat(s) each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
