"""The wire path beside its peers (issue 16, item 1): see scripts/bench-peers.

Every figure is a median over --repeats rounds; within a round the measurements alternate ours
and a peer's, and every other round runs them in the reverse order, so drift in the machine's
load favours neither side. Python-side loops (Gymnasium, EnvPool, RemoteVectorEnv) are one
loop: sample actions with NumPy, step, repeat.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "python"))
import gymnasium  # noqa: E402
import numpy as np  # noqa: E402
import zmq  # noqa: E402

from gymd.daemon_process import DaemonProcess  # noqa: E402
from gymd.double_buffered import DoubleBufferedVectorEnv  # noqa: E402
from gymd.remote_vector_env import RemoteVectorEnv  # noqa: E402

GYM = os.environ.get("GYM", os.path.join(HERE, ".build", "release", "gym"))
TICKS = os.sysconf("SC_CLK_TCK")
#: Sizes of a serialized one-env CartPole step request and reply (gym bench's raw round trip's).
REQUEST_BYTES, REPLY_BYTES = 36, 66
ECHO_SERVER = """
import sys, zmq
socket = zmq.Context.instance().socket(zmq.ROUTER)
port = socket.bind_to_random_port("tcp://127.0.0.1")
print(port, flush=True)
reply = b"\\x07" * int(sys.argv[1])
while True:
    identity, _ = socket.recv_multipart()
    socket.send_multipart([identity, reply])
"""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def python_loop(env, num_envs: int, seconds: float, rng: np.random.Generator) -> float:
    """Env-steps per second of the loop every Python-side peer runs: sample, step, repeat."""
    chunk = max(1, 4096 // num_envs)
    started = time.perf_counter()
    deadline = started + seconds
    steps = 0
    while True:
        for _ in range(chunk):
            env.step(rng.integers(0, 2, size=num_envs))
        steps += chunk
        now = time.perf_counter()
        if now >= deadline:
            return steps * num_envs / (now - started)


def pipelined_python_loop(env: DoubleBufferedVectorEnv, seconds: float, rng: np.random.Generator) -> float:
    """Env-steps per second of the same loop double-buffered: sample one half's actions, receive
    that half's step, send it, then the other half, while the daemon steps the half in flight."""
    sizes = [half.num_envs for half in env.halves]
    for half in (0, 1):
        env.send_step(half, rng.integers(0, 2, size=sizes[half]))
    chunk = max(1, 4096 // env.num_envs)
    started = time.perf_counter()
    deadline = started + seconds
    steps = 0
    try:
        while True:
            for _ in range(chunk):
                for half in (0, 1):
                    actions = rng.integers(0, 2, size=sizes[half])
                    env.receive_step(half)
                    env.send_step(half, actions)
            steps += chunk
            now = time.perf_counter()
            if now >= deadline:
                return steps * env.num_envs / (now - started)
    finally:
        for half in (0, 1):
            env.receive_step(half)


class EnvPoolAdapter:
    """EnvPool's CartPole behind the same ``step(actions)`` the loop calls."""

    def __init__(self, envpool, num_envs: int, threads: int):
        self.env = envpool.make_gymnasium("CartPole-v1", num_envs=num_envs, batch_size=num_envs, num_threads=threads, seed=0)
        self.env.reset()

    def step(self, actions):
        return self.env.step(actions.astype(np.int32))

    def close(self):
        self.env.close()


def gym_bench(*args: str) -> dict:
    """Runs ``gym bench ... --json`` and returns its JSON line."""
    done = subprocess.run([GYM, "bench", *args, "--json"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"gym bench {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Run:
    """Samples by figure name, with the daemon CPU time per env-step beside them."""

    def __init__(self):
        self.samples: dict[str, list[float]] = {}
        self.notes: dict[str, str] = {}

    def add(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    def median(self, name: str) -> float | None:
        values = self.samples.get(name)
        return statistics.median(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description="Ours beside Gymnasium, EnvPool and bare ZeroMQ, in one run.")
    parser.add_argument("--repeats", type=int, default=5, help="rounds; medians are reported")
    parser.add_argument("--seconds", type=float, default=0.5, help="seconds each measurement lasts")
    parser.add_argument("--sizes", default="16,256,4096", help="batch sizes, comma-separated")
    parser.add_argument("--transports", default="tcp,ipc,inproc", help="transports ours is measured over")
    parser.add_argument("--envpool-threads", type=int, default=2, help="EnvPool's worker threads")
    parser.add_argument("--sb3", action="store_true", help="also PPO through RemoteSB3VecEnv against DummyVecEnv (slow)")
    parser.add_argument("--sb3-timesteps", type=int, default=10_000, help="PPO steps per SB3 run")
    parser.add_argument("--sb3-repeats", type=int, default=3, help="SB3 runs per backend")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    transports = [t for t in args.transports.split(",") if t]
    run = Run()
    rng = np.random.default_rng(0)
    seconds = str(args.seconds)

    try:
        import envpool
    except Exception as error:  # noqa: BLE001 - any import failure means no EnvPool rows
        envpool = None
        run.notes["envpool"] = f"not measured: {type(error).__name__}: {error}"

    with contextlib.ExitStack() as stack:
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-peers-"))
        ready = re.compile(r"listening on (\S+) with")
        daemons: dict[str, DaemonProcess] = {}
        for transport, bind in (("tcp", "tcp://127.0.0.1:*"), ("ipc", f"ipc://{directory}/gym.sock")):
            if transport in transports:
                daemons[transport] = stack.enter_context(DaemonProcess(
                    [GYM, "serve", "--bind", bind, "--log-level", "info"], f"gym serve ({transport})", ready=ready))
        echo = subprocess.Popen([sys.executable, "-c", ECHO_SERVER, str(REPLY_BYTES)], stdout=subprocess.PIPE, text=True)
        stack.callback(echo.wait)
        stack.callback(echo.kill)
        echo_port = int(echo.stdout.readline())
        dealer = zmq.Context.instance().socket(zmq.DEALER)
        dealer.setsockopt(zmq.LINGER, 0)
        dealer.connect(f"tcp://127.0.0.1:{echo_port}")
        stack.callback(dealer.close)

        gymnasium_envs = {}
        envpool_envs = {}
        remote_envs = {}
        pipelined_envs = {}
        for n in sizes:
            env = gymnasium.make_vec("CartPole-v1", n, vectorization_mode="vector_entry_point")
            env.reset(seed=0)
            stack.callback(env.close)
            gymnasium_envs[n] = env
            if envpool is not None:
                envpool_envs[n] = EnvPoolAdapter(envpool, n, args.envpool_threads)
                stack.callback(envpool_envs[n].close)
            for transport, daemon in daemons.items():
                remote = RemoteVectorEnv("CartPole-v1", n, server=daemon.endpoint)
                remote.reset(seed=0)
                stack.callback(remote.close)
                remote_envs[transport, n] = remote
            if "tcp" in daemons:
                doubled = DoubleBufferedVectorEnv("CartPole-v1", n, server=daemons["tcp"].endpoint)
                doubled.reset(seed=0)
                stack.callback(doubled.close)
                pipelined_envs[n] = doubled

        def pyzmq_rtt() -> None:
            request = b"\x03" * REQUEST_BYTES
            started = time.perf_counter()
            deadline = started + args.seconds
            trips = 0
            while True:
                for _ in range(32):
                    dealer.send(request)
                    dealer.recv()
                trips += 32
                now = time.perf_counter()
                if now >= deadline:
                    run.add("pyzmq_rtt_us", (now - started) * 1e6 / trips)
                    return

        def daemon_rtt() -> None:
            # The embedded daemon over tcp loopback beside a bare libzmq round trip, as gym bench reports them.
            result = gym_bench("--repeats", "1", "--seconds", seconds, "--batch-sizes", "1")
            run.add("libzmq_rtt_us", result["raw_zmq_rtt_us"])
            run.add("step_rtt_us", result["step_rtt_us"])
            run.add("step_rtt_ratio", result["step_rtt_ratio"])

        def swift(transport: str, n: int) -> None:
            common = ["--vector-only", "--batch-sizes", str(n), "--repeats", "1", "--seconds", seconds]
            if transport == "inproc":
                result = gym_bench("--bind", "inproc://bench-peers", *common)
                run.add(f"swift_{transport}_{n}", result["vector_steps_per_s"][str(n)])
                return
            daemon = daemons[transport]
            before = cpu_seconds(daemon.process.pid)
            result = gym_bench("--server", daemon.endpoint, *common)
            used = cpu_seconds(daemon.process.pid) - before
            run.add(f"swift_{transport}_{n}", result["vector_steps_per_s"][str(n)])
            run.add(f"daemon_cpu_us_per_env_step_{transport}_{n}", used * 1e6 / result["vector_env_steps"][str(n)])

        def swift_pipelined(n: int) -> None:
            # Double-buffered (DoubleBufferedVectorEnv): two halves of n, one always in flight.
            daemon = daemons["tcp"]
            before = cpu_seconds(daemon.process.pid)
            result = gym_bench("--server", daemon.endpoint, "--vector-only", "--pipelined", "--batch-sizes", str(n),
                               "--repeats", "1", "--seconds", seconds)
            used = cpu_seconds(daemon.process.pid) - before
            run.add(f"swift_pipelined_tcp_{n}", result["pipelined_steps_per_s"][str(n)])
            run.add(f"daemon_cpu_us_per_env_step_pipelined_tcp_{n}", used * 1e6 / result["pipelined_env_steps"][str(n)])

        plan = []
        for n in sizes:
            plan.append((f"gymnasium_{n}", lambda n=n: run.add(f"gymnasium_{n}", python_loop(gymnasium_envs[n], n, args.seconds, rng))))
            plan.append((f"swift_tcp_{n}", lambda n=n: swift("tcp", n)) if "tcp" in transports else None)
            if envpool is not None:
                plan.append((f"envpool_{n}", lambda n=n: run.add(f"envpool_{n}", python_loop(envpool_envs[n], n, args.seconds, rng))))
            for transport in ("ipc", "inproc"):
                if transport in transports:
                    plan.append((f"swift_{transport}_{n}", lambda n=n, t=transport: swift(t, n)))
            if "tcp" in daemons and n >= 2:
                plan.append((f"swift_pipelined_tcp_{n}", lambda n=n: swift_pipelined(n)))
                plan.append((f"python_pipelined_tcp_{n}",
                             lambda n=n: run.add(f"python_pipelined_tcp_{n}", pipelined_python_loop(pipelined_envs[n], args.seconds, rng))))
            for transport in daemons:
                plan.append((f"python_{transport}_{n}",
                             lambda n=n, t=transport: run.add(f"python_{t}_{n}", python_loop(remote_envs[t, n], n, args.seconds, rng))))
        plan = [item for item in plan if item is not None]
        plan.insert(len(plan) // 2, ("pyzmq_rtt_us", pyzmq_rtt))
        plan.append(("step_rtt_ratio", daemon_rtt))

        for repeat in range(args.repeats):
            order = plan if repeat % 2 == 0 else list(reversed(plan))
            started = time.perf_counter()
            for _, measure in order:
                measure()
            print(f"round {repeat + 1}/{args.repeats}: {time.perf_counter() - started:.1f} s; "
                  f"tcp 256 {run.samples.get('swift_tcp_256', [0])[-1]:,.0f} vs gymnasium 256 "
                  f"{run.samples.get('gymnasium_256', [0])[-1]:,.0f} env-steps/s", file=sys.stderr, flush=True)

    sb3 = sb3_ratio(args) if args.sb3 else None
    report(run, sizes, transports, envpool is not None, sb3, args)


def sb3_ratio(args) -> dict:
    """PPO steps/s through RemoteSB3VecEnv over SB3's DummyVecEnv of Gymnasium CartPole, torch on one thread."""
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "GYM_BIN": GYM,
                   "PYTHONPATH": os.path.join(HERE, "python", "examples")}
    command = [sys.executable, os.path.join(HERE, "python", "examples", "sb3_ppo_speed.py"),
               "--timesteps", str(args.sb3_timesteps), "--repeats", str(args.sb3_repeats), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=3600)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    ppo = result["ppo_steps_per_s"]
    return {"ppo_steps_per_s": ppo, "batched_over_dummy_vec_env": ppo["batched"] / ppo["gymnasium"]}


def report(run: Run, sizes, transports, with_envpool: bool, sb3, args) -> None:
    def fmt(value, unit=""):
        if value is None:
            return "—"
        return f"{value:,.2f}{unit}" if value < 100 else f"{value:,.0f}{unit}"

    rows = [("peer", *[f"{n} envs" for n in sizes])]
    rows.append(("Gymnasium make_vec (vector_entry_point), in-process", *[fmt(run.median(f"gymnasium_{n}")) for n in sizes]))
    if with_envpool:
        rows.append((f"EnvPool ({args.envpool_threads} threads), in-process", *[fmt(run.median(f"envpool_{n}")) for n in sizes]))
    for transport in transports:
        rows.append((f"ours, Swift RemoteVectorEnv over {transport}", *[fmt(run.median(f"swift_{transport}_{n}")) for n in sizes]))
    if "tcp" in transports:
        rows.append(("ours, Swift DoubleBufferedVectorEnv (2 halves) over tcp", *[fmt(run.median(f"swift_pipelined_tcp_{n}")) for n in sizes]))
    for transport in ("tcp", "ipc"):
        if transport in transports:
            rows.append((f"ours, Python RemoteVectorEnv over {transport}", *[fmt(run.median(f"python_{transport}_{n}")) for n in sizes]))
    if "tcp" in transports:
        rows.append(("ours, Python DoubleBufferedVectorEnv (2 halves) over tcp", *[fmt(run.median(f"python_pipelined_tcp_{n}")) for n in sizes]))
        rows.append(("daemon CPU µs per env-step (tcp, double-buffered)",
                     *[fmt(run.median(f"daemon_cpu_us_per_env_step_pipelined_tcp_{n}")) for n in sizes]))
    for transport in ("tcp", "ipc"):
        if transport in transports:
            rows.append((f"daemon CPU µs per env-step ({transport})",
                         *[fmt(run.median(f"daemon_cpu_us_per_env_step_{transport}_{n}")) for n in sizes]))
    width = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print(f"env-steps/s, medians of {args.repeats} rounds of {args.seconds} s each")
    for index, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(width[i]) if i == 0 else cell.rjust(width[i]) for i, cell in enumerate(row)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (w + 2) for w in width) + "|")
    for name in ("libzmq_rtt_us", "pyzmq_rtt_us", "step_rtt_us", "step_rtt_ratio"):
        print(f"{name}: {fmt(run.median(name))}")
    for name, note in run.notes.items():
        print(f"{name}: {note}")

    def ratio(a: str, b: str):
        x, y = run.median(a), run.median(b)
        return None if x is None or not y else round(x / y, 3)

    ratios = {
        "tcp_256_over_gymnasium_256": ratio("swift_tcp_256", "gymnasium_256"),
        "tcp_4096_over_gymnasium_4096": ratio("swift_tcp_4096", "gymnasium_4096"),
        "ipc_256_over_gymnasium_256": ratio("swift_ipc_256", "gymnasium_256"),
        "inproc_256_over_gymnasium_256": ratio("swift_inproc_256", "gymnasium_256"),
        "python_tcp_256_over_gymnasium_256": ratio("python_tcp_256", "gymnasium_256"),
        "tcp_256_over_envpool_256": ratio("swift_tcp_256", "envpool_256"),
        "pipelined_tcp_256_over_gymnasium_256": ratio("swift_pipelined_tcp_256", "gymnasium_256"),
        "pipelined_tcp_4096_over_gymnasium_4096": ratio("swift_pipelined_tcp_4096", "gymnasium_4096"),
        "python_pipelined_tcp_256_over_gymnasium_256": ratio("python_pipelined_tcp_256", "gymnasium_256"),
        "step_rtt_ratio": None if run.median("step_rtt_ratio") is None else round(run.median("step_rtt_ratio"), 3),
    }
    if sb3 is not None:
        ratios["sb3_ppo_batched_over_dummy_vec_env"] = sb3.get("batched_over_dummy_vec_env")
    summary = {
        "ratios": ratios,
        "daemon_cpu_us_per_env_step": {f"{t}_{n}": run.median(f"daemon_cpu_us_per_env_step_{t}_{n}")
                                       for t in ("tcp", "ipc") if t in transports for n in sizes},
        "medians": {name: run.median(name) for name in sorted(run.samples)},
        "repeats": args.repeats,
        "seconds": args.seconds,
        "notes": run.notes,
    }
    if sb3 is not None:
        summary["sb3"] = sb3
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
