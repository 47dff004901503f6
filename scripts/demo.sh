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
DEMO_NAME="demo"
source "$KV_ROOT/scripts/demo-lib.sh"

build
rm -rf "$DEMO"
mkdir -p "$DEMO/config" "$DEMO/logs"
for i in 1 2 3; do
  # The repository's config files, with the demo's ports.
  with_demo_ports "config/node$i.toml" "$DEMO/config/node$i.toml"
done

kv() { kv_with "$DEMO/config/node1.toml" "$@"; }

say "starting 3 nodes (peers on ports $((PORT_BASE + 1))-$((PORT_BASE + 3)), clients on $((PORT_BASE + 101))-$((PORT_BASE + 103)))"
echo "  dashboard while the demo runs: http://127.0.0.1:$((PORT_BASE + 201))/ (any node's http_port shows all three)"
for i in 1 2 3; do start_node "$i" "config/node$i.toml"; done
LEADER_BEFORE="$(leader)"
say "node $LEADER_BEFORE leads; a few commands with scripts/kv"
kv put greeting hello
kv append greeting ", world"
kv get greeting

say "client workload for ${SECONDS_OF_LOAD} s: 4 writers, each PUT demo-<w>-<i> then APPEND <i> to log-<w>"
kv workload "$SECONDS_OF_LOAD" "$DEMO/acked.txt" > >(tee "$DEMO/workload.txt") &
WORKLOAD_PID=$!
sleep 4

say "kill -9 the leader, node $LEADER_BEFORE (process ${NODE_PIDS[$LEADER_BEFORE]})"
kill_node "$LEADER_BEFORE"
KILLED_AT_MS=$(date +%s%3N) # the process is dead and reaped by now: no write is acknowledged by it after this
sleep 3
LEADER_AFTER="$(leader)"
say "node $LEADER_AFTER leads now; the workload keeps going. Restarting node $LEADER_BEFORE on its data"
start_node "$LEADER_BEFORE" "config/node$LEADER_BEFORE.toml"

wait "$WORKLOAD_PID"
WORKLOAD_PID=""
await_line "$LEADER_BEFORE" "caught up"

say "verifying every acknowledged write through the leader"
kv verify "$DEMO/acked.txt" | tee "$DEMO/verify.txt"

say "summary"
ACKED=$(awk '{ sum += 2 * $2 } END { print sum }' "$DEMO/acked.txt")
echo "  acknowledged writes:     $ACKED (4 writers x PUT + APPEND)"
echo "  all present, no dups:    $(grep -q 'all present' "$DEMO/verify.txt" && echo yes || echo NO)"
echo "  leader before the kill:  node $LEADER_BEFORE"
echo "  leader after the kill:   node $LEADER_AFTER"
echo "  longest write pause:     $(grep -o 'longest pause between acknowledged writes: [0-9,]* ms' "$DEMO/workload.txt" | grep -o '[0-9,]* ms') (between two acknowledged writes)"
echo "  failover:                $(failover_summary "$DEMO/workload.txt" "$KILLED_AT_MS" config/node1.toml)"
echo "  restarted node:          node $LEADER_BEFORE, $(grep -o 'caught up.*' "$DEMO/logs/node$LEADER_BEFORE.log" | head -n 1)"
grep -q 'all present' "$DEMO/verify.txt"
say "stopping every node"
