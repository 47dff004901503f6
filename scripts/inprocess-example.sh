#!/usr/bin/env bash
# Three OmniPaxos servers in one process: append, kill the leader, elect a new one, restart, catch up.
set -euo pipefail
cd "$(dirname "$0")/.."
CP=$(scripts/build-classpath.sh)
exec java $(scripts/jvm-flags.sh) -cp "$CP" io.omnipaxos.examples.InProcessExample "$@"
