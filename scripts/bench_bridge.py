"""The parallel bridge beside Gymnasium's AsyncVectorEnv (issue 18, item 4): see scripts/bench-bridge.

ALE/Breakout-v5 with the standard Atari preprocessing (the bridge's --atari; the same wrappers
built here for AsyncVectorEnv). Ours: `python -m gymd serve --atari --workers W` stepped by a
RemoteVectorEnv over tcp loopback. Theirs: AsyncVectorEnv with shared memory, which runs one
process per env (it has no worker count). Each round measures both at every size, alternating
which goes first; the figures are medians over the rounds and the median of per-round ratios.
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


def steps_per_second(env, seconds: float, seed: int) -> float:
    """Batched steps per second of ``env`` (a VectorEnv) with uniform random actions."""
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    count, n = env.num_envs, env.single_action_space.n
    for _ in range(20):
        env.step(rng.integers(0, n, size=count))
    steps, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        env.step(rng.integers(0, n, size=count))
        steps += 1
    return steps / (time.perf_counter() - began)


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
    with start_bridge(ENV_ID, args=("--atari", "--workers", str(args.workers),
                                    "--max-envs-per-client", "4096")) as bridge:
        remote = {size: RemoteVectorEnv(ENV_ID, size, server=bridge.endpoint) for size in sizes}
        local = {size: gymnasium.vector.AsyncVectorEnv([make_preprocessed] * size, shared_memory=True,
                                                       context="spawn") for size in sizes}
        try:
            for round_ in range(args.repeats):
                for size in sizes:
                    runs = [("ours", remote[size], ours), ("async", local[size], theirs)]
                    for _, env, figures in runs if round_ % 2 == 0 else runs[::-1]:
                        figures[size].append(steps_per_second(env, args.seconds, seed=round_))
                print(f"round {round_ + 1}: " + ", ".join(
                    f"{size} envs ours {ours[size][-1]:.0f}/s async {theirs[size][-1]:.0f}/s" for size in sizes),
                    file=sys.stderr, flush=True)
        finally:
            for env in [*remote.values(), *local.values()]:
                env.close()
    summary = {"env": ENV_ID, "workers": args.workers, "repeats": args.repeats, "seconds": args.seconds,
               "cpus": os.cpu_count()}
    print(f"{'envs':>5} {'ours steps/s':>13} {'async steps/s':>14} {'ours env-steps/s':>17} {'ratio':>6}")
    for size in sizes:
        ratios = [a / b for a, b in zip(ours[size], theirs[size])]
        mine, peer = statistics.median(ours[size]), statistics.median(theirs[size])
        ratio = statistics.median(ratios)
        print(f"{size:>5} {mine:>13.1f} {peer:>14.1f} {mine * size:>17.0f} {ratio:>6.2f}")
        summary[f"ours_steps_per_s[{size}]"] = round(mine, 1)
        summary[f"async_steps_per_s[{size}]"] = round(peer, 1)
        summary[f"ratio[{size}]"] = round(ratio, 3)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
