"""In-process steps/s per core of the MuJoCo v5 environments: ours through the plugin (with raw
`mj_step × frame_skip` beside it, from .build/release/MuJoCoBench), Gymnasium's
`env.unwrapped.step`, and EnvPool's (one environment, one thread) when it is installed; same
machine, one run. Every loop plays the same kind of random actions and resets when an episode
ends. With --remote-batch N it also steps N copies of each environment as one batch through a
daemon on tcp loopback (the Swift client; one worker, and two) beside the plugin in process, per
env-step. Prints Markdown tables, and with --json one JSON object as the last line."""
import argparse
import json
import os
import subprocess
import sys
import time

import gymnasium as gym
import numpy as np

ENVS = [
    "HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "InvertedPendulum-v5", "InvertedDoublePendulum-v5",
    "Swimmer-v5", "Reacher-v5", "Ant-v5", "Humanoid-v5", "HumanoidStandup-v5", "Pusher-v5",
]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def action_table(space, count=1000):
    generator = np.random.Generator(np.random.PCG64(1))
    low, high = space.low.astype(np.float64), space.high.astype(np.float64)
    return [(low + (high - low) * generator.random(len(low))).astype(np.float32) for _ in range(count)]


def best_rate(step, seconds, repeats):
    best = 0.0
    for _ in range(repeats):
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for _ in range(100):
                step(steps)
                steps += 1
        best = max(best, steps / (time.perf_counter() - start))
    return best


def gymnasium_rate(env_id, seconds, repeats):
    env = gym.make(env_id).unwrapped
    actions = action_table(env.action_space)
    env.reset(seed=0)

    def step(t):
        _, _, terminated, _, _ = env.step(actions[t % len(actions)])
        if terminated:
            env.reset()
    return best_rate(step, seconds, repeats)


def envpool_rate(env_id, seconds, repeats):
    try:
        import envpool
    except ImportError:
        return None
    env = envpool.make(env_id, env_type="gymnasium", num_envs=1, batch_size=1, num_threads=1, thread_affinity_offset=-1)
    actions = [a[None, :] for a in action_table(env.action_space)]
    env.reset()
    return best_rate(lambda t: env.step(actions[t % len(actions)]), seconds, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--remote-batch", type=int, default=0, metavar="N",
                        help="also step N copies of each env as one batch through a daemon on tcp loopback")
    parser.add_argument("envs", nargs="*", default=ENVS)
    args = parser.parse_args()
    ours = {}
    output = subprocess.run(
        [os.path.join(ROOT, ".build/release/MuJoCoBench"), "--seconds", str(args.seconds), "--repeats", str(args.repeats),
         *(["--remote-batch", str(args.remote_batch)] if args.remote_batch > 0 else []), *args.envs],
        check=True, capture_output=True, text=True).stdout
    for line in output.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            ours[record["env"]] = record
    rows = []
    for env_id in args.envs:
        record = ours.get(env_id, {})
        rows.append({
            "env": env_id, "ours": record.get("plugin_steps_per_s"), "raw_mj_step": record.get("raw_steps_per_s"),
            "overhead_over_raw_percent": record.get("overhead_over_raw_percent"),
            "gymnasium": round(gymnasium_rate(env_id, args.seconds, args.repeats)),
            "envpool": (lambda rate: None if rate is None else round(rate))(envpool_rate(env_id, args.seconds, args.repeats)),
        })
    print("| env | ours (plugin) | raw mj_step × frame_skip | our overhead | Gymnasium | EnvPool |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['env']} | {row['ours']} | {row['raw_mj_step']} | {row['overhead_over_raw_percent']}% | {row['gymnasium']} | {row['envpool']} |")
    remote = []
    if args.remote_batch > 0:
        for row in rows:
            record = ours.get(row["env"], {})
            one, two = record.get("remote_1_worker_steps_per_s"), record.get("remote_2_workers_steps_per_s")
            if not one:
                continue
            remote.append({"env": row["env"], "num_envs": args.remote_batch, "in_process": row["ours"],
                           "remote_1_worker": one, "remote_2_workers": two,
                           "in_process_over_remote_1_worker": round(row["ours"] / one, 3) if row["ours"] else None})
        print()
        print(f"| env | in process, one core | {args.remote_batch} a batch over tcp, 1 worker | 2 workers | in process / remote (1 worker) |")
        print("|---|---:|---:|---:|---:|")
        for row in remote:
            print(f"| {row['env']} | {row['in_process']} | {row['remote_1_worker']} | {row['remote_2_workers']} | {row['in_process_over_remote_1_worker']} |")
    if args.json:
        print(json.dumps({"steps_per_s": rows, "remote_batch": remote}))


if __name__ == "__main__":
    sys.exit(main())
