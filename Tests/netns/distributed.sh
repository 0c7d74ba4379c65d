#!/usr/bin/env bash
# Ape-X training across a small network of hosts on one machine: the daemon, the buffer, the
# learner and two actors each run in a network namespace of their own, joined by veth pairs
# to a bridge, and talk over their 10.77.0.x addresses only.
#
#   Tests/netns/distributed.sh [extra `gym train dqn` options]
#
# Environment: GYM (the gym binary; default .build/debug/gym), THRESHOLD (eval_mean the
# learner must reach; default 475), SEED (default 1). Exits 0 and says "skipped" when
# network namespaces cannot be made here (no root, no iproute2, or a sandbox that forbids them).
set -euo pipefail
cd "$(dirname "$0")/../.."
gym=$(realpath "${GYM:-.build/debug/gym}")
threshold=${THRESHOLD:-475}
seed=${SEED:-1}
prefix="gymnet$$"
hub="$prefix-hub"
hosts=(daemon buffer learner actor1 actor2)
logs=$(mktemp -d)

skip() { echo "netns: skipped ($1)"; exit 0; }
command -v ip >/dev/null || skip "iproute2's ip is not installed"
ip netns add "$prefix-probe" 2>/dev/null || skip "ip netns is not permitted here"
ip netns del "$prefix-probe"

pids=()
# `ip netns exec` may run its command as a child, so stop whatever runs in each namespace.
in_namespaces() { for host in "${hosts[@]}"; do ip netns pids "$prefix-$host" 2>/dev/null || true; done; }
cleanup() {
  for pid in "${pids[@]}" $(in_namespaces); do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 20); do [ -z "$(in_namespaces)" ] && break; sleep 0.25; done
  for pid in "${pids[@]}" $(in_namespaces); do kill -9 "$pid" 2>/dev/null || true; done
  for host in "${hosts[@]}"; do ip netns del "$prefix-$host" 2>/dev/null || true; done
  ip netns del "$hub" 2>/dev/null || true
  rm -rf "$logs"
}
trap cleanup EXIT

ip netns add "$hub"
ip -n "$hub" link add br0 type bridge || skip "no bridge support in this kernel"
ip -n "$hub" link set br0 up
declare -A address
for index in "${!hosts[@]}"; do
  host=${hosts[$index]}
  ns="$prefix-$host"
  address[$host]="10.77.0.$((index + 1))"
  ip netns add "$ns"
  ip -n "$hub" link add "v$index" type veth peer name eth0 netns "$ns"
  ip -n "$hub" link set "v$index" master br0 up
  ip -n "$ns" addr add "${address[$host]}/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done
run_in() { local host=$1; shift; ip netns exec "$prefix-$host" "$@"; }

daemon="tcp://${address[daemon]}:5555"
buffer="tcp://${address[buffer]}:5560"
parameters="tcp://${address[learner]}:5570"
echo "netns: daemon $daemon, buffer $buffer, learner $parameters, actors ${address[actor1]} and ${address[actor2]}"
run_in daemon "$gym" serve --bind "$daemon" >/dev/null 2>"$logs/daemon.log" & pids+=($!)
run_in buffer "$gym" buffer --bind "$buffer" >/dev/null 2>"$logs/buffer.log" & pids+=($!)
# The actors may start first: their calls wait (with timeouts) until the learner is up.
run_in learner "$gym" train dqn --env CartPole-v1 --seed "$seed" --actors 2 --no-spawn --server "$daemon" --buffer "$buffer" \
  --bind-parameters "$parameters" --json "$@" >"$logs/learner.out" 2>"$logs/learner.log" & learner=$!
pids+=($learner)
sleep 1
for actor in actor1 actor2; do
  run_in "$actor" "$gym" worker --learner "$parameters" --timeout 60 --json >"$logs/$actor.out" 2>"$logs/$actor.log" & pids+=($!)
done
status=0
wait "$learner" || status=$?
if [ "$status" -ne 0 ]; then
  echo "netns: the learner failed ($status)"; tail -20 "$logs/learner.log"; exit 1
fi
summary=$(tail -1 "$logs/learner.out")
echo "netns: learner: $summary"
for actor in actor1 actor2; do
  for _ in $(seq 50); do [ -s "$logs/$actor.out" ] && break; sleep 0.2; done
  echo "netns: $actor: $(tail -1 "$logs/$actor.out" 2>/dev/null || echo '(no summary)')"
done
python3 - "$summary" "$threshold" <<'PY'
import json, sys
summary, threshold = json.loads(sys.argv[1]), float(sys.argv[2])
mean = summary["eval_mean"]
print(f"netns: eval_mean {mean} (threshold {threshold})")
sys.exit(0 if mean >= threshold else 1)
PY
