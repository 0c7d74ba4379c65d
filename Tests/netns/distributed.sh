#!/usr/bin/env bash
# Distributed training across a small network of hosts on one machine: the daemon, the buffer,
# the learner and its actors (Ape-X) or workers (A3C) each run in a network namespace of their
# own, joined by veth pairs to a bridge, and talk over their 10.77.0.x addresses only.
#
#   Tests/netns/distributed.sh [extra `gym train ALGO` options]
#
# Environment: GYM (the gym binary; default .build/debug/gym), ALGO (dqn for Ape-X, or a3c;
# default dqn), ACTORS (actor or worker hosts; default 2), THRESHOLD (eval_mean the learner
# must reach; default 475), SEED (default 1), CURVE (1: every socket runs CURVE; the servers
# share one key pair, each actor host has its own key in the servers' allowlist; without it the
# services run plain text with --insecure). Exits 0 and
# says "skipped" when network namespaces cannot be made here (no root, no iproute2, or a
# sandbox that forbids them).
set -euo pipefail
cd "$(dirname "$0")/../.."
gym=$(realpath "${GYM:-.build/debug/gym}")
threshold=${THRESHOLD:-475}
seed=${SEED:-1}
algo=${ALGO:-dqn}
actors=()
for index in $(seq "${ACTORS:-2}"); do actors+=("actor$index"); done
prefix="gymnet$$"
hub="$prefix-hub"
hosts=(daemon buffer learner "${actors[@]}")
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

# With CURVE=1: the services (daemon, buffer, and the learner's parameter service) share the
# server key pair, each actor host gets a key of its own, and the allowlist holds the actors'.
server_keys=() learner_keys=()
declare -A actor_keys
if [ "${CURVE:-0}" = 1 ]; then
  mkdir -p "$logs/keys/allow"
  "$gym" keygen "$logs/keys/server" >/dev/null
  server_keys=(--curve-secret "$logs/keys/server.secret" --allow "$logs/keys/allow")
  learner_keys=("${server_keys[@]}")
  for actor in "${actors[@]}"; do
    "$gym" keygen "$logs/keys/allow/$actor" >/dev/null
    actor_keys[$actor]="--curve-secret $logs/keys/allow/$actor.secret --server-key $logs/keys/server.public"
  done
  echo "netns: CURVE on (server key $(grep -o 'public-key = "[^"]*' "$logs/keys/server.public" | cut -c15-22), ${#actors[@]} actor key(s))"
else
  # Plain text beyond loopback must be asked for: the services refuse it otherwise.
  server_keys=(--insecure)
  learner_keys=(--insecure)
fi

daemon="tcp://${address[daemon]}:5555"
buffer="tcp://${address[buffer]}:5560"
parameters="tcp://${address[learner]}:5570"
actor_addresses=$(for actor in "${actors[@]}"; do printf '%s ' "${address[$actor]}"; done)
echo "netns: $algo; daemon $daemon, buffer $buffer, learner $parameters, ${#actors[@]} actor(s) at $actor_addresses"
run_in daemon "$gym" serve --bind "$daemon" "${server_keys[@]}" >/dev/null 2>"$logs/daemon.log" & pids+=($!)
run_in buffer "$gym" buffer --bind "$buffer" "${server_keys[@]}" >/dev/null 2>"$logs/buffer.log" & pids+=($!)
# The actors may start first: their calls wait (with timeouts) until the learner is up.
if [ "$algo" = a3c ]; then
  run_in learner "$gym" train a3c --env CartPole-v1 --seed "$seed" --workers "${#actors[@]}" --no-spawn --server "$daemon" \
    --bind-parameters "$parameters" "${learner_keys[@]}" --json "$@" >"$logs/learner.out" 2>"$logs/learner.log" & learner=$!
else
  run_in learner "$gym" train dqn --env CartPole-v1 --seed "$seed" --actors "${#actors[@]}" --no-spawn --server "$daemon" --buffer "$buffer" \
    --bind-parameters "$parameters" "${learner_keys[@]}" --json "$@" >"$logs/learner.out" 2>"$logs/learner.log" & learner=$!
fi
pids+=($learner)
sleep 1
for actor in "${actors[@]}"; do
  # shellcheck disable=SC2086 # the key options are words
  run_in "$actor" "$gym" worker --learner "$parameters" --timeout 60 --json ${actor_keys[$actor]:-} >"$logs/$actor.out" 2>"$logs/$actor.log" & pids+=($!)
done
status=0
wait "$learner" || status=$?
if [ "$status" -ne 0 ]; then
  echo "netns: the learner failed ($status)"; tail -20 "$logs/learner.log"; exit 1
fi
summary=$(tail -1 "$logs/learner.out")
echo "netns: learner: $summary"
for actor in "${actors[@]}"; do
  for _ in $(seq 50); do [ -s "$logs/$actor.out" ] && break; sleep 0.2; done
  echo "netns: $actor: $(tail -1 "$logs/$actor.out" 2>/dev/null || echo '(no summary)')"
done
if [ "${CURVE:-0}" = 1 ]; then
  # From an actor's host, a client without a key and one with an unknown key get no service.
  "$gym" keygen "$logs/keys/rogue" >/dev/null
  for keys in "" "--curve-secret $logs/keys/rogue.secret --server-key $logs/keys/server.public"; do
    # shellcheck disable=SC2086
    if run_in "${actors[0]}" "$gym" envs --server "$daemon" --timeout 2 $keys >/dev/null 2>&1; then
      echo "netns: a client ${keys:+with an unknown key }${keys:-without a key} was served"; exit 1
    fi
  done
  echo "netns: clients without a key or with an unknown key were refused; daemon log: $(grep -c 'with key' "$logs/daemon.log") keyed connection(s), $(grep -c 'not in the allowlist' "$logs/daemon.log") refusal(s)"
fi
python3 - "$summary" "$threshold" <<'PY'
import json, sys
summary, threshold = json.loads(sys.argv[1]), float(sys.argv[2])
mean = summary["eval_mean"]
print(f"netns: eval_mean {mean} (threshold {threshold})")
sys.exit(0 if mean >= threshold else 1)
PY
