#!/usr/bin/env bash
# Three OmniPaxos servers in one process: append, kill the leader, elect a new one, restart, catch up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
cd "$KV_ROOT"
mvn -q -B -DskipTests package
exec "$KV_JAVA" "${KV_JVM_FLAGS[@]}" -cp "$(kv_classpath)" io.omnipaxos.examples.InProcessExample "$@"
