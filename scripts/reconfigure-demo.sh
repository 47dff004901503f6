#!/usr/bin/env bash
# Reconfiguration of the replicated key-value store under load (see docs/kv-store.md):
#   start the 3 nodes of config/ and nodes 4 and 5 of config/grow/ (they learn configuration 1 and
#   wait for the state), run the client workload, hand over from nodes 1-3 to nodes 1-5 with
#   `kv reconfigure`, kill -9 nodes 1 and 2 so that the new nodes are in every majority, verify
#   every acknowledged write, print a summary with the handover's timings, and stop everything
#   (also on Ctrl-C or failure).
# Environment: KV_DEMO_PORT_BASE (default 17100), KV_DEMO_SKIP_BUILD=1, KV_DEMO_SECONDS (default 20).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
cd "$KV_ROOT"

PORT_BASE="${KV_DEMO_PORT_BASE:-17100}"
SECONDS_OF_LOAD="${KV_DEMO_SECONDS:-20}"
DEMO="$KV_ROOT/target/reconfigure-demo-data"
DEMO_NAME="reconfiguration demo"
source "$KV_ROOT/scripts/demo-lib.sh"

# Milliseconds since midnight of the first node log line (HH:MM:SS.mmm) that matches $1 (last: $2=last).
log_millis() {
  grep -h "$1" "$DEMO"/logs/node*.log | cut -c1-12 | sort | { if [[ "${2:-first}" == last ]]; then tail -n 1; else head -n 1; fi; } |
    awk -F'[:.]' '{ print (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }'
}

build
rm -rf "$DEMO"
mkdir -p "$DEMO/config/grow" "$DEMO/logs"
for i in 1 2 3; do with_demo_ports "config/node$i.toml" "$DEMO/config/node$i.toml"; done
for i in 4 5; do with_demo_ports "config/grow/node$i.toml" "$DEMO/config/grow/node$i.toml"; done

# The client knows all five addresses (config/grow/node4.toml lists them).
kv() { kv_with "$DEMO/config/grow/node4.toml" "$@"; }

say "starting nodes 1-3 (configuration 1)"
echo "  dashboard while the demo runs: http://127.0.0.1:$((PORT_BASE + 201))/"
for i in 1 2 3; do start_node "$i" "config/node$i.toml"; done
leader > /dev/null

say "starting nodes 4 and 5 of configuration 2 (join = true: they learn configuration 1 and wait for the state)"
for i in 4 5; do start_node "$i" "config/grow/node$i.toml"; done
await_line 4 "joining configuration 2"
await_line 5 "joining configuration 2"

say "client workload for ${SECONDS_OF_LOAD} s: 4 writers, each PUT demo-<w>-<i> then APPEND <i> to log-<w>"
kv workload "$SECONDS_OF_LOAD" "$DEMO/acked.txt" | tee "$DEMO/workload.txt" &
WORKLOAD_PID=$!
sleep 3

say "kv reconfigure config/grow/node4.toml: nodes 1-3 hand over to nodes 1-5"
kv reconfigure "config/grow/node4.toml"
for i in 1 2 3 4 5; do await_line "$i" "runs configuration 2"; done
sleep 3

say "kill -9 nodes 1 and 2: nodes 3, 4 and 5 are the majority of five now"
for i in 1 2; do kill_node "$i"; done

wait "$WORKLOAD_PID"
WORKLOAD_PID=""

say "verifying every acknowledged write through nodes 3, 4 and 5"
kv verify "$DEMO/acked.txt" | tee "$DEMO/verify.txt"

say "summary"
ACKED=$(awk '{ sum += 2 * $2 } END { print sum }' "$DEMO/acked.txt")
echo "  acknowledged writes:        $ACKED (4 writers x PUT + APPEND, across the handover)"
echo "  all present, no dups:       $(grep -q 'all present' "$DEMO/verify.txt" && echo yes || echo NO)"
T_PROPOSED=$(log_millis "proposing stop-sign")
echo "  stop-sign decided:          $(( $(log_millis "configuration 1 ended: handing over") - T_PROPOSED )) ms after the leader proposed it"
echo "  all 5 nodes running:        $(( $(log_millis "runs configuration 2" last) - T_PROPOSED )) ms after the proposal"
grep -h "longest pause" "$DEMO/workload.txt" | sed 's/^workload: /  /'
echo "  state handed over:          $(grep -ho 'state [0-9]* bytes\|no fetch ([0-9]* bytes)' "$DEMO/logs/node4.log" | head -n 1)"
grep -q 'all present' "$DEMO/verify.txt"
say "stopping every node"
