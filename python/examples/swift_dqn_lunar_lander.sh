#!/usr/bin/env bash
# Trains the Swift DQN agent on Gymnasium's LunarLander-v3 (Box2D, no Swift implementation)
# through the env bridge: starts `python -m gymd serve --env LunarLander-v3` on a free port,
# runs `gym train dqn --server` against it with RL Zoo-like settings, stops the bridge.
#   python/examples/swift_dqn_lunar_lander.sh [SEED] [extra gym train options...]
# Needs: pip install ./python "gymnasium[box2d]", and swift build -c release.
# PYTHON picks the interpreter (default python3), GYM_BIN the gym binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
seed=${1:-1}
shift || true
python=${PYTHON:-python3}
gym=${GYM_BIN:-.build/release/gym}
log=$(mktemp)
"$python" -m gymd serve --env LunarLander-v3 --bind 'tcp://127.0.0.1:*' --log-level info 2>"$log" &
bridge=$!
trap 'kill $bridge 2>/dev/null; wait $bridge 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$log" 2>/dev/null && break
  kill -0 $bridge 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.2
done
endpoint=$(grep -o 'listening on tcp://[^;]*' "$log" | head -1 | cut -d' ' -f3)
[ -n "$endpoint" ] || { echo "the bridge did not start:" >&2; cat "$log" >&2; exit 1; }
echo "bridge on $endpoint" >&2
"$gym" train dqn --env LunarLander-v3 --server "$endpoint" --seed "$seed" --num-envs 4 --total-steps 150000 \
  --learning-rate 0.00063 --batch-size 128 --buffer-size 50000 --learning-starts 1000 \
  --target-update-interval 250 --train-frequency 2 --exploration linear:1:0.1:15000 --hidden-sizes 256,256 \
  --loss huber --max-grad-norm 10 --eval-episodes 20 "$@"
