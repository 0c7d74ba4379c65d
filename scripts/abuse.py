"""Services under abuse (issue 13, item 7): see scripts/abuse."""
import argparse
import json
import os
import random
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "python"))
import zmq  # noqa: E402
from google.protobuf.descriptor import FieldDescriptor as FD  # noqa: E402
from gymd.protocol import buffer_pb2, gym_pb2, parameters_pb2  # noqa: E402

GYM = os.environ.get("GYM", os.path.join(HERE, ".build", "debug", "gym"))
ENV_IDS = ["CartPole-v1", "Pendulum-v1", "Acrobot-v1", "MountainCarContinuous-v0", "Flyer-v0"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    """One service process on a free loopback port."""

    def __init__(self, kind):
        self.kind = kind
        port = free_port()
        self.endpoint = f"tcp://127.0.0.1:{port}"
        if kind == "daemon":
            args = ["serve", "--bind", self.endpoint, "--log-level", "critical"]
            self.request, self.response = gym_pb2.Request, gym_pb2.Response
        elif kind == "buffer":
            args = ["buffer", "--bind", self.endpoint, "--log-level", "critical"]
            self.request, self.response = buffer_pb2.BufferRequest, buffer_pb2.BufferResponse
        else:
            args = ["train", "a3c", "--env", "CartPole-v1", "--no-spawn", "--total-steps", "1000000000",
                    "--bind-parameters", self.endpoint, "--log-level", "critical"]
            self.request, self.response = parameters_pb2.ParametersRequest, parameters_pb2.ParametersResponse
        log = os.environ.get("ABUSE_SERVER_LOG")
        if log:
            args[args.index("critical")] = os.environ.get("ABUSE_SERVER_LOG_LEVEL", "info")
        self.process = subprocess.Popen([GYM] + args, stdout=subprocess.DEVNULL,
                                        stderr=open(log, "w") if log else subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{kind} did not start")

    @property
    def alive(self):
        return self.process.poll() is None

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def dealer(context, endpoint):
    sock = context.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    return sock


# ---------------------------------------------------------------- well-behaved clients

class GoodClient:
    """Does the service's ordinary work and checks every reply: nothing may be lost."""

    def __init__(self, server, context):
        self.server = server
        self.sock = dealer(context, server.endpoint)
        self.sock.RCVTIMEO = 5000
        self.next_id = 1
        self.lost = 0
        self.wrong = 0
        self.first_wrong = None
        if server.kind == "daemon":
            make = self.call(make=gym_pb2.Make(env_id="CartPole-v1", num_envs=4, seed=1))
            self.handle = make.make.handle
            self.call(reset=gym_pb2.Reset(handle=self.handle, seeds=[1]))
        elif server.kind == "buffer":
            # A name the garbage cannot guess: a flooder that knows it may reset the table.
            self.table = "good-%016x" % random.getrandbits(64)
            config = buffer_pb2.TableConfig(name=self.table, max_size=10000, selector=buffer_pb2.SELECTOR_UNIFORM,
                                            rate_limiter=buffer_pb2.RateLimiter(min_size_to_sample=1))
            self.call(create_table=buffer_pb2.CreateTable(config=config))
            self.inserted = 0
        else:
            self.call(join=parameters_pb2.Join(name="good"))

    def call(self, **body):
        request_id = self.next_id
        self.next_id += 1
        self.sock.send(self.server.request(id=request_id, **body).SerializeToString())
        try:
            reply = self.server.response.FromString(self.sock.recv_multipart()[-1])
        except zmq.Again:
            self.lost += 1
            return None
        if reply.id != request_id or reply.HasField("error"):
            self.wrong += 1
            if self.first_wrong is None:
                self.first_wrong = f"request {request_id}: reply {reply.id}: {str(reply.error)[:300]}"
        return reply

    def work(self):
        """One ordinary request; returns its latency in seconds."""
        started = time.perf_counter()
        if self.server.kind == "daemon":
            action = gym_pb2.Tensor(dtype=gym_pb2.DTYPE_INT64, shape=[4], data=struct.pack("<4q", 0, 1, 0, 1))
            reply = self.call(step=gym_pb2.Step(handle=self.handle, actions=[action]))
            if reply is not None and len(reply.step.rewards.data) != 32:
                self.wrong += 1
        elif self.server.kind == "buffer":
            column = buffer_pb2.Column(name="x", tensor=gym_pb2.Tensor(dtype=gym_pb2.DTYPE_FLOAT32, shape=[1, 4],
                                                                        data=struct.pack("<4f", 1, 2, 3, 4)))
            if self.inserted % 2 == 0:
                reply = self.call(insert=buffer_pb2.Insert(table=self.table, columns=[column]))
            else:
                reply = self.call(sample=buffer_pb2.Sample(table=self.table, batch_size=1, timeout_ms=1000))
                columns = reply.sample.columns if reply is not None else None
                if reply is not None and (len(columns) != 1 or columns[0].tensor.data != struct.pack("<4f", 1, 2, 3, 4)):
                    self.wrong += 1
            self.inserted += 1
        else:
            self.call(fetch=parameters_pb2.Fetch(newer_than=0, timeout_ms=100))
        return time.perf_counter() - started


def p99(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


# ---------------------------------------------------------------- garbage and fuzzed requests

INTERESTING_INTS = [0, 1, 2, 7, 255, 1 << 16, (1 << 31) - 1, (1 << 32) - 1, (1 << 63) - 1]


def random_int(rng, field):
    signed = field.type in (FD.TYPE_INT32, FD.TYPE_INT64, FD.TYPE_SINT32, FD.TYPE_SINT64, FD.TYPE_SFIXED32, FD.TYPE_SFIXED64)
    bits = 32 if field.type in (FD.TYPE_INT32, FD.TYPE_UINT32, FD.TYPE_SINT32, FD.TYPE_FIXED32, FD.TYPE_SFIXED32) else 64
    value = rng.choice(INTERESTING_INTS + [rng.getrandbits(bits), rng.randrange(0, 10)])
    if signed:
        value = value % (1 << (bits - 1))
        if rng.random() < 0.3:
            value = -value - 1
    else:
        value = value % (1 << bits)
    return value


def random_scalar(rng, field, handles):
    if field.type == FD.TYPE_BOOL:
        return rng.random() < 0.5
    if field.type in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        value = rng.choice([0.0, 1.0, -1.0, 0.5, 1e308, -1e308, float("inf"), float("nan"), 1e-300, rng.uniform(-10, 10)])
        return value if field.type == FD.TYPE_DOUBLE or abs(value) < 3e38 or value != value or value in (float("inf"), float("-inf")) else 1.0
    if field.type == FD.TYPE_STRING:
        choice = rng.random()
        if choice < 0.4:
            return rng.choice(ENV_IDS + ["good", "x", ""])
        length = rng.choice([0, 1, 8, 64, 1000, 1 << 16]) if choice < 0.95 else 1 << 20
        return "".join(chr(rng.randrange(32, 127)) for _ in range(min(length, 4096))) * max(1, length // 4096)
    if field.type == FD.TYPE_BYTES:
        length = rng.choice([0, 1, 4, 8, 16, 32, 100, 4096])
        return rng.randbytes(length)
    if field.type == FD.TYPE_ENUM:
        values = [v.number for v in field.enum_type.values]
        return rng.choice(values + [max(values) + 1, 99])
    if field.name == "handle" and handles and rng.random() < 0.7:
        return rng.choice(handles)
    if field.name in ("timeout_ms",):
        return rng.randrange(0, 200)
    return random_int(rng, field)


def is_repeated(field):
    repeated = getattr(field, "is_repeated", None)
    return repeated if repeated is not None else field.label == FD.LABEL_REPEATED


def fill(rng, message, depth, handles):
    descriptor = message.DESCRIPTOR
    oneofs = {o.name: rng.choice(o.fields) for o in descriptor.oneofs}
    for field in descriptor.fields:
        if field.containing_oneof is not None and oneofs[field.containing_oneof.name] is not field:
            continue
        if field.containing_oneof is None and rng.random() < 0.4:
            continue
        if field.type == FD.TYPE_MESSAGE:
            if depth > 4:
                continue
            if field.message_type.GetOptions().map_entry:
                target = getattr(message, field.name)
                for _ in range(rng.choice([0, 1, 2, 3])):
                    key = rng.choice(["low", "high", "x", "render_mode", "g", ""])
                    value_field = field.message_type.fields_by_name["value"]
                    if value_field.type == FD.TYPE_MESSAGE:
                        fill(rng, target[key], depth + 1, handles)
                    else:
                        target[key] = random_scalar(rng, value_field, handles)
                continue
            if is_repeated(field):
                for _ in range(rng.choice([0, 1, 2, 3, 8])):
                    fill(rng, getattr(message, field.name).add(), depth + 1, handles)
            else:
                fill(rng, getattr(message, field.name), depth + 1, handles)
                if field.containing_oneof is not None:
                    getattr(message, field.name).SetInParent()
        elif is_repeated(field):
            count = rng.choice([0, 1, 2, 4, 16, 1000])
            getattr(message, field.name).extend(random_scalar(rng, field, handles) for _ in range(count))
        else:
            setattr(message, field.name, random_scalar(rng, field, handles))


def mutate(rng, data):
    data = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0 and data:
        for _ in range(rng.randrange(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1 and data:
        del data[rng.randrange(len(data)):]
    elif kind == 2:
        data += rng.randbytes(rng.randrange(1, 64))
    elif kind == 3:
        # A length-delimited field declaring a huge size.
        position = rng.randrange(len(data) + 1)
        data[position:position] = bytes([rng.choice([0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a, 0x42])]) + b"\xff\xff\xff\xff\x0f"
    else:
        position = rng.randrange(len(data) + 1)
        data[position:position] = rng.randbytes(rng.randrange(1, 16))
    return bytes(data)


def garbage(rng, server, handles):
    """One flood message: random bytes, a truncated request, or a huge declared size."""
    kind = rng.randrange(3)
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 512))
    request = server.request(id=rng.getrandbits(32))
    fill(rng, request, 0, handles)
    data = request.SerializeToString()
    if kind == 1:
        return data[: rng.randrange(len(data) + 1)]
    return mutate(rng, data)


# ---------------------------------------------------------------- the two runs

def timed_window(good, seconds):
    samples = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        samples.append(good.work())
    return samples


def beside(kind, server, good, seconds, mode):
    """The good client's latencies while a second process floods (mode "garbage") or only
    keeps a core as busy without sending anything (mode "control")."""
    flooder = subprocess.Popen([sys.executable, os.path.abspath(__file__), "_flooder", mode, kind, server.endpoint,
                                str(getattr(good, "handle", 0)), str(seconds + 1.0)], stdout=subprocess.PIPE)
    if flooder.stdout.readline().strip() != b"ready":
        raise RuntimeError("the flooder did not start")
    samples = timed_window(good, seconds)
    sent = int(flooder.communicate(timeout=60)[0] or 0)
    return samples, sent


def release_flood_tables(server, good):
    """Resets every buffer table but the good client's: what garbage created is state clients
    asked for, not a leak, so the RSS check compares the service without it."""
    if server.kind != "buffer":
        return {}
    info = good.call(info=buffer_pb2.Info())
    tables = list(info.info.tables) if info is not None else []
    rss = rss_kib(server.process.pid)
    for table in tables:
        if table.config.name != good.table:
            good.call(reset=buffer_pb2.ResetTable(table=table.config.name))
    return {"flood_tables": len(tables), "flood_items": sum(t.size for t in tables), "rss_before_reset_kib": rss}


def flood(kind, seconds=3.0, rounds=3):
    """Rounds of: quiet, a busy process beside (the control), a garbage flood. The flood's cost
    to the good client is its p99 against the quiet one, and against the control, which has
    the same CPU load on this machine's cores without a message sent."""
    server = Server(kind)
    context = zmq.Context()
    try:
        good = GoodClient(server, context)
        for _ in range(300):
            good.work()
        time.sleep(0.5)
        rss_before = rss_kib(server.process.pid)
        quiet, control, during, sent, requests = [], [], [], 0, 300
        for _ in range(rounds):
            quiet.append(p99(window := timed_window(good, seconds)))
            requests += len(window)
            samples, _ = beside(kind, server, good, seconds, "control")
            control.append(p99(samples))
            requests += len(samples)
            samples, count = beside(kind, server, good, seconds, "garbage")
            during.append(p99(samples))
            requests += len(samples)
            sent += count
        time.sleep(2.0)
        released = release_flood_tables(server, good)
        for _ in range(300):
            good.work()
        requests += 300
        time.sleep(0.5)
        rss_after = rss_kib(server.process.pid)
        median = lambda values: sorted(values)[len(values) // 2]
        result = {
            "service": kind, "run": "flood", "rounds": rounds, "garbage_sent": sent, "good_requests": requests,
            "lost": good.lost, "wrong": good.wrong, "first_wrong": good.first_wrong,
            "p99_quiet_ms": round(median(quiet) * 1000, 3), "p99_control_ms": round(median(control) * 1000, 3),
            "p99_flood_ms": round(median(during) * 1000, 3),
            "p99_ratio": round(median(during) / median(quiet), 2),
            "p99_ratio_to_control": round(median(during) / median(control), 2),
            "rss_before_kib": rss_before, "rss_after_kib": rss_after,
            "rss_change": round(rss_after / max(1, rss_before) - 1, 3), "alive": server.alive, **released,
        }
    finally:
        context.destroy(0)
        server.stop()
    return result


def run_flooder(mode, kind, endpoint, handle, seconds):
    """The flood's sender: garbage made before it starts, then sent without waiting for replies."""
    server = argparse.Namespace(kind=kind, request={"daemon": gym_pb2.Request, "buffer": buffer_pb2.BufferRequest}[kind])
    rng = random.Random(7)
    messages = [garbage(rng, server, [handle]) for _ in range(2000)]
    context = zmq.Context()
    sock = dealer(context, endpoint)
    sock.SNDHWM = 1000
    print("ready", flush=True)
    sent = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        if mode == "control":
            continue  # as busy, sending nothing
        try:
            sock.send(messages[sent % len(messages)], zmq.NOBLOCK)
            sent += 1
        except zmq.Again:
            time.sleep(0.0005)
    print(sent, flush=True)
    sock.close(0)
    context.destroy(0)


def fuzz(kind, requests):
    server = Server(kind)
    context = zmq.Context()
    rng = random.Random(13)
    counts = {"sent": 0, "answered": 0, "typed_error": 0, "valid_reply": 0, "internal": 0, "undecodable": 0}
    internal_messages = []
    outstanding = {}
    try:
        good = GoodClient(server, context)
        handles = [getattr(good, "handle", 0)]
        for _ in range(200):
            good.work()
        time.sleep(0.5)
        rss_before = rss_kib(server.process.pid)
        sock = dealer(context, server.endpoint)
        window = 32
        in_flight = 0

        def collect(wait_ms):
            nonlocal in_flight
            if not sock.poll(wait_ms):
                return False
            frames = sock.recv_multipart()
            in_flight -= 1
            counts["answered"] += 1
            try:
                reply = server.response.FromString(frames[-1])
            except Exception:
                counts["undecodable"] += 1
                return True
            if outstanding.pop(reply.id, None) is None and outstanding:
                # A reply without a request id it could read: count it against the oldest.
                outstanding.pop(next(iter(outstanding)))
            if reply.HasField("error") and reply.error.code != 0:
                counts["typed_error"] += 1
                if reply.error.code == gym_pb2.ERROR_CODE_INTERNAL:
                    counts["internal"] += 1
                    if len(internal_messages) < 10:
                        internal_messages.append(reply.error.message[:200])
            elif reply.WhichOneof("body") is not None:
                counts["valid_reply"] += 1
                if kind == "daemon" and reply.WhichOneof("body") == "make" and len(handles) < 64:
                    handles.append(reply.make.handle)
            else:
                counts["undecodable"] += 1
            return True

        for index in range(requests):
            request = server.request(id=index + 1)
            fill(rng, request, 0, handles)
            request.id = index + 1
            data = request.SerializeToString()
            if rng.random() < 0.3:
                data = mutate(rng, data)
            if not data:
                data = b"\x00"
            sock.send(data)
            outstanding[index + 1] = f"{request.WhichOneof('body')}{' (mutated)' if data != request.SerializeToString() else ''}, {len(data)} bytes"
            counts["sent"] += 1
            in_flight += 1
            while in_flight >= window:
                if not collect(10_000):
                    break
            while collect(0):
                pass
        deadline = time.time() + 15
        while in_flight > 0 and time.time() < deadline:
            collect(500)
        sock.close(0)
        time.sleep(2.0)
        for _ in range(200):
            good.work()
        rss_after = rss_kib(server.process.pid)
        result = {"service": kind, "run": "fuzz", **counts,
                  "answered_share": round(counts["answered"] / max(1, counts["sent"]), 4),
                  "rss_before_kib": rss_before, "rss_after_kib": rss_after,
                  "rss_change": round(rss_after / max(1, rss_before) - 1, 3),
                  "good_lost": good.lost, "alive": server.alive, "internal_messages": internal_messages,
                  "unanswered": sorted(outstanding.values())[:20]}
    finally:
        context.destroy(0)
        server.stop()
    return result


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "_flooder":
        run_flooder(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run", nargs="?", default="all", choices=["flood", "fuzz", "all"])
    parser.add_argument("--service", default="all", choices=["daemon", "buffer", "parameters", "all"])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each flood window")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of quiet, control and flood windows")
    args = parser.parse_args()
    services = ["daemon", "buffer", "parameters"] if args.service == "all" else [args.service]
    ok = True
    for service in services:
        if args.run in ("flood", "all") and service != "parameters":
            result = flood(service, args.seconds, args.rounds)
            print(json.dumps(result), flush=True)
            ok &= result["alive"] and result["lost"] == 0 and result["wrong"] == 0
        if args.run in ("fuzz", "all"):
            result = fuzz(service, args.requests)
            print(json.dumps(result), flush=True)
            ok &= result["alive"] and result["answered"] == result["sent"] and result["internal"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
