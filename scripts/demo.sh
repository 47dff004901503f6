#!/usr/bin/env bash
# The one-command demo of the replicated key-value store (see docs/kv-store.md):
#   build, start 3 node processes from config/, run a client workload, kill -9 the leader, watch a new
#   leader take over, restart the killed node and watch it catch up, verify every acknowledged
#   write, print a summary, and stop everything (also on Ctrl-C or failure).
# Environment: KV_DEMO_PORT_BASE (default 17100: peers on BASE+pid, clients on BASE+100+pid),
#              KV_DEMO_SKIP_BUILD=1 to reuse an existing build, KV_DEMO_SECONDS (workload length, default 20).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
cd "$KV_ROOT"

PORT_BASE="${KV_DEMO_PORT_BASE:-17100}"
SECONDS_OF_LOAD="${KV_DEMO_SECONDS:-20}"
DEMO="$KV_ROOT/target/demo-data"
declare -A NODE_PIDS=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${NODE_PIDS[@]}" ${WORKLOAD_PID:-}; do
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    echo "demo FAILED (status $status); node logs are in $DEMO/logs" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ "${KV_DEMO_SKIP_BUILD:-0}" != 1 ]]; then
  say "building (mvn -q -DskipTests package)"
  mvn -q -DskipTests package
fi
CP="$(kv_classpath)"

rm -rf "$DEMO"
mkdir -p "$DEMO/config" "$DEMO/logs"
for i in 1 2 3; do
  # The repository's config files, with the demo's ports.
  sed_ports=()
  for p in 1 2 3; do
    sed_ports+=(-e "s/peer_port = 1710$p,/peer_port = $((PORT_BASE + p)),/"
                -e "s/client_port = 1720$p /client_port = $((PORT_BASE + 100 + p)) /")
  done
  sed "${sed_ports[@]}" "config/node$i.toml" > "$DEMO/config/node$i.toml"
done

start_node() {
  local i=$1
  # Each node runs in target/demo-data, so its data_dir and log file land there.
  (cd "$DEMO" && exec "$KV_JAVA" "${KV_JVM_FLAGS[@]}" -Xmx512m -cp "$CP" \
      io.omnipaxos.examples.kv.KvServer "config/node$i.toml") > >(sed -u 's/^/    /') 2>&1 &
  NODE_PIDS[$i]=$!
}

kv() {
  "$KV_JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dkv.log.file="$DEMO/logs/client.log" -cp "$CP" \
    io.omnipaxos.examples.kv.KvCli --config "$DEMO/config/node1.toml" "$@"
}

leader() {
  local deadline=$((SECONDS + 60)) answer
  until answer="$(kv leader 2>/dev/null)"; do
    (( SECONDS < deadline )) || { echo "no leader within 60 s" >&2; return 1; }
    sleep 0.2
  done
  echo "$answer"
}

say "starting 3 nodes (peers on ports $((PORT_BASE + 1))-$((PORT_BASE + 3)), clients on $((PORT_BASE + 101))-$((PORT_BASE + 103)))"
for i in 1 2 3; do start_node "$i"; done
LEADER_BEFORE="$(leader)"
say "node $LEADER_BEFORE leads; a few commands with scripts/kv"
kv put greeting hello
kv append greeting ", world"
kv get greeting

say "client workload for ${SECONDS_OF_LOAD} s: 4 writers, each PUT demo-<w>-<i> then APPEND <i> to log-<w>"
kv workload "$SECONDS_OF_LOAD" "$DEMO/acked.txt" &
WORKLOAD_PID=$!
sleep 4

say "kill -9 the leader, node $LEADER_BEFORE (process ${NODE_PIDS[$LEADER_BEFORE]})"
kill -9 "${NODE_PIDS[$LEADER_BEFORE]}"
wait "${NODE_PIDS[$LEADER_BEFORE]}" 2>/dev/null || true
unset "NODE_PIDS[$LEADER_BEFORE]"
sleep 3
LEADER_AFTER="$(leader)"
say "node $LEADER_AFTER leads now; the workload keeps going. Restarting node $LEADER_BEFORE on its data"
start_node "$LEADER_BEFORE"

wait "$WORKLOAD_PID"
WORKLOAD_PID=""
deadline=$((SECONDS + 60))
until grep -q "caught up" "$DEMO/logs/node$LEADER_BEFORE.log" 2>/dev/null; do
  (( SECONDS < deadline )) || { echo "node $LEADER_BEFORE did not catch up within 60 s" >&2; exit 1; }
  sleep 0.2
done

say "verifying every acknowledged write through the leader"
kv verify "$DEMO/acked.txt" | tee "$DEMO/verify.txt"

say "summary"
ACKED=$(awk '{ sum += 2 * $2 } END { print sum }' "$DEMO/acked.txt")
echo "  acknowledged writes:     $ACKED (4 writers x PUT + APPEND)"
echo "  all present, no dups:    $(grep -q 'all present' "$DEMO/verify.txt" && echo yes || echo NO)"
echo "  leader before the kill:  node $LEADER_BEFORE"
echo "  leader after the kill:   node $LEADER_AFTER"
echo "  restarted node:          node $LEADER_BEFORE, $(grep -o 'caught up.*' "$DEMO/logs/node$LEADER_BEFORE.log" | head -n 1)"
grep -q 'all present' "$DEMO/verify.txt"
say "stopping every node"
