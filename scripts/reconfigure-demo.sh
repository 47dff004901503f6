#!/usr/bin/env bash
# Reconfiguration of the replicated key-value store under load (see docs/kv-store.md):
#   start the 3 nodes of config/, run the client workload, start nodes 4 and 5 of config/grow/ (they
#   wait for the state), hand over from nodes 1-3 to nodes 1-5 with `kv reconfigure`, kill -9 nodes
#   1 and 2 so that the new nodes are in every majority, verify every acknowledged write, print a
#   summary with the handover's timings, and stop everything (also on Ctrl-C or failure).
# Environment: KV_DEMO_PORT_BASE (default 17100), KV_DEMO_SKIP_BUILD=1, KV_DEMO_SECONDS (default 20).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
cd "$KV_ROOT"

PORT_BASE="${KV_DEMO_PORT_BASE:-17100}"
SECONDS_OF_LOAD="${KV_DEMO_SECONDS:-20}"
DEMO="$KV_ROOT/target/reconfigure-demo-data"
declare -A NODE_PIDS=()

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Milliseconds since midnight of the first node log line (HH:MM:SS.mmm) that matches $1 (last: $2=last).
log_millis() {
  grep -h "$1" "$DEMO"/logs/node*.log | cut -c1-12 | sort | { if [[ "${2:-first}" == last ]]; then tail -n 1; else head -n 1; fi; } |
    awk -F'[:.]' '{ print (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }'
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${NODE_PIDS[@]}" ${WORKLOAD_PID:-}; do
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    echo "reconfiguration demo FAILED (status $status); node logs are in $DEMO/logs" >&2
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
mkdir -p "$DEMO/config/grow" "$DEMO/logs"
sed_ports=()
for p in 1 2 3 4 5; do
  sed_ports+=(-e "s/peer_port = 1710$p,/peer_port = $((PORT_BASE + p)),/"
              -e "s/client_port = 1720$p /client_port = $((PORT_BASE + 100 + p)) /")
done
for i in 1 2 3; do sed "${sed_ports[@]}" "config/node$i.toml" > "$DEMO/config/node$i.toml"; done
for i in 4 5; do sed "${sed_ports[@]}" "config/grow/node$i.toml" > "$DEMO/config/grow/node$i.toml"; done

start_node() {
  local i=$1 file=$2
  (cd "$DEMO" && exec "$KV_JAVA" "${KV_JVM_FLAGS[@]}" -Xmx512m -cp "$CP" \
      io.omnipaxos.examples.kv.KvServer "$file") > >(sed -u 's/^/    /') 2>&1 &
  NODE_PIDS[$i]=$!
}

# The client knows all five addresses (config/grow/node4.toml lists them).
kv() {
  "$KV_JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dkv.log.file="$DEMO/logs/client.log" -cp "$CP" \
    io.omnipaxos.examples.kv.KvCli --config "$DEMO/config/grow/node4.toml" "$@"
}

await_line() {
  local node=$1 text=$2 deadline=$((SECONDS + 60))
  until grep -q "$text" "$DEMO/logs/node$node.log" 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "node $node did not log '$text' within 60 s" >&2; return 1; }
    sleep 0.1
  done
}

say "starting nodes 1-3 (configuration 1)"
for i in 1 2 3; do start_node "$i" "config/node$i.toml"; done
deadline=$((SECONDS + 60))
until kv leader > /dev/null 2>&1; do
  (( SECONDS < deadline )) || { echo "no leader within 60 s" >&2; exit 1; }
  sleep 0.2
done

say "client workload for ${SECONDS_OF_LOAD} s: 4 writers, each PUT demo-<w>-<i> then APPEND <i> to log-<w>"
kv workload "$SECONDS_OF_LOAD" "$DEMO/acked.txt" &
WORKLOAD_PID=$!
sleep 3

say "starting nodes 4 and 5 of configuration 2 (join = true: they wait for the state)"
for i in 4 5; do start_node "$i" "config/grow/node$i.toml"; done
await_line 4 "joining configuration 2"
await_line 5 "joining configuration 2"

say "kv reconfigure config/grow/node4.toml: nodes 1-3 hand over to nodes 1-5"
kv reconfigure "config/grow/node4.toml"
for i in 1 2 3 4 5; do await_line "$i" "runs configuration 2"; done
sleep 3

say "kill -9 nodes 1 and 2: nodes 3, 4 and 5 are the majority of five now"
for i in 1 2; do
  kill -9 "${NODE_PIDS[$i]}"
  wait "${NODE_PIDS[$i]}" 2>/dev/null || true
  unset "NODE_PIDS[$i]"
done

wait "$WORKLOAD_PID"
WORKLOAD_PID=""

say "verifying every acknowledged write through nodes 3, 4 and 5"
kv verify "$DEMO/acked.txt" | tee "$DEMO/verify.txt"

say "summary"
ACKED=$(awk '{ sum += 2 * $2 } END { print sum }' "$DEMO/acked.txt")
echo "  acknowledged writes:        $ACKED (4 writers x PUT + APPEND, across the handover)"
echo "  all present, no dups:       $(grep -q 'all present' "$DEMO/verify.txt" && echo yes || echo NO)"
T_PROPOSED=$(log_millis "proposing stop-sign")
echo "  stop-sign decided:          $(( $(log_millis "configuration 1 ended") - T_PROPOSED )) ms after the leader proposed it"
echo "  all 5 nodes running:        $(( $(log_millis "runs configuration 2" last) - T_PROPOSED )) ms after the proposal"
echo "  state handed over:          $(grep -o 'state [0-9]* bytes' "$DEMO/logs/node4.log" | head -n 1)"
grep -q 'all present' "$DEMO/verify.txt"
say "stopping every node"
