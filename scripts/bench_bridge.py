"""The parallel bridge beside Gymnasium's AsyncVectorEnv (issue 18, item 4): see scripts/bench-bridge.

ALE/Breakout-v5 with the standard Atari preprocessing (the bridge's --atari; the same wrappers
built here for AsyncVectorEnv). Ours: `python -m gymd serve --atari --workers W` stepped by a
RemoteVectorEnv over tcp loopback. Theirs: AsyncVectorEnv with shared memory, which runs one
process per env (it has no worker count). Each round measures both at every size, alternating
which goes first; the figures are medians over the rounds and the median of per-round ratios.
Beside steps/s (which other load on the machine moves) it reads the CPU time of every process
involved (client, bridge and workers; AsyncVectorEnv's main and env processes) per env-step.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "python"))
import ale_py  # noqa: E402
import gymnasium  # noqa: E402
import numpy as np  # noqa: E402

from gymd.daemon_process import start_bridge  # noqa: E402
from gymd.remote_vector_env import RemoteVectorEnv  # noqa: E402

gymnasium.register_envs(ale_py)
ENV_ID = "ALE/Breakout-v5"


def make_preprocessed() -> gymnasium.Env:
    """What --atari serves, for AsyncVectorEnv's processes."""
    import ale_py as ale  # each spawned process registers the ALE ids itself
    from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation

    from gymd.bridge.wrappers import ATARI_FIXED_KWARGS

    gymnasium.register_envs(ale)
    # The base env exactly as the bridge makes it (frameskip 1, and the inner observation it
    # never reads made grayscale), so both sides step the same envs.
    env = gymnasium.make(ENV_ID, **ATARI_FIXED_KWARGS)
    env = AtariPreprocessing(env, noop_max=30, frame_skip=4, screen_size=84, terminal_on_life_loss=False,
                             grayscale_obs=True, scale_obs=False)
    return FrameStackObservation(env, 4)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes (/proc/PID/stat), robust to other load."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def measure(env, pids: list[int], seconds: float, seed: int) -> tuple[float, float]:
    """Batched steps per second of ``env`` (a VectorEnv) with uniform random actions, and the
    CPU microseconds all its processes (``pids``, this one included) spent per env-step."""
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    count, n = env.num_envs, env.single_action_space.n
    for _ in range(20):
        env.step(rng.integers(0, n, size=count))
    steps, cpu, began = 0, cpu_seconds(pids), time.perf_counter()
    while time.perf_counter() - began < seconds:
        env.step(rng.integers(0, n, size=count))
        steps += 1
    elapsed, cpu = time.perf_counter() - began, cpu_seconds(pids) - cpu
    return steps / elapsed, cpu / (steps * count) * 1e6


def bridge_pids(bridge) -> list[int]:
    """The bridge's process and its workers'."""
    with open(f"/proc/{bridge.process.pid}/task/{bridge.process.pid}/children") as children:
        return [bridge.process.pid, *(int(pid) for pid in children.read().split())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,16", help="env counts (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="bridge worker processes (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement (default: %(default)s)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    ours: dict[int, list[float]] = {size: [] for size in sizes}
    theirs: dict[int, list[float]] = {size: [] for size in sizes}
    cpu: dict[str, dict[int, list[float]]] = {"ours": {size: [] for size in sizes}, "async": {size: [] for size in sizes}}
    with start_bridge(ENV_ID, args=("--atari", "--workers", str(args.workers),
                                    "--max-envs-per-client", "4096")) as bridge:
        remote = {size: RemoteVectorEnv(ENV_ID, size, server=bridge.endpoint) for size in sizes}
        local = {size: gymnasium.vector.AsyncVectorEnv([make_preprocessed] * size, shared_memory=True,
                                                       context="spawn") for size in sizes}
        me = os.getpid()
        pids = {size: ([me, *bridge_pids(bridge)], [me, *(process.pid for process in local[size].processes)])
                for size in sizes}
        try:
            for round_ in range(args.repeats):
                for size in sizes:
                    runs = [("ours", remote[size], ours, pids[size][0]), ("async", local[size], theirs, pids[size][1])]
                    for name, env, figures, involved in runs if round_ % 2 == 0 else runs[::-1]:
                        rate, microseconds = measure(env, involved, args.seconds, seed=round_)
                        figures[size].append(rate)
                        cpu[name][size].append(microseconds)
                print(f"round {round_ + 1}: " + ", ".join(
                    f"{size} envs ours {ours[size][-1]:.0f}/s async {theirs[size][-1]:.0f}/s" for size in sizes),
                    file=sys.stderr, flush=True)
        finally:
            for env in [*remote.values(), *local.values()]:
                env.close()
    summary = {"env": ENV_ID, "workers": args.workers, "repeats": args.repeats, "seconds": args.seconds,
               "cpus": os.cpu_count()}
    print(f"{'envs':>5} {'ours steps/s':>13} {'async steps/s':>14} {'ratio':>6} {'ours cpu us/env-step':>21} "
          f"{'async cpu us/env-step':>22} {'cpu ratio':>9}")
    for size in sizes:
        ratio = statistics.median(a / b for a, b in zip(ours[size], theirs[size]))
        mine, peer = statistics.median(ours[size]), statistics.median(theirs[size])
        my_cpu, peer_cpu = statistics.median(cpu["ours"][size]), statistics.median(cpu["async"][size])
        cpu_ratio = statistics.median(b / a for a, b in zip(cpu["ours"][size], cpu["async"][size]))
        print(f"{size:>5} {mine:>13.1f} {peer:>14.1f} {ratio:>6.2f} {my_cpu:>21.0f} {peer_cpu:>22.0f} {cpu_ratio:>9.2f}")
        summary[f"ours_steps_per_s[{size}]"] = round(mine, 1)
        summary[f"async_steps_per_s[{size}]"] = round(peer, 1)
        summary[f"ratio[{size}]"] = round(ratio, 3)
        summary[f"ours_cpu_us_per_env_step[{size}]"] = round(my_cpu, 1)
        summary[f"async_cpu_us_per_env_step[{size}]"] = round(peer_cpu, 1)
        summary[f"cpu_ratio[{size}]"] = round(cpu_ratio, 3)
    summary["load_average"] = os.getloadavg()[0]
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
