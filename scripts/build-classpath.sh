#!/usr/bin/env bash
# Builds the project (tests skipped) and prints the runtime classpath of omnipaxos-examples.
# Used by the other scripts; needs only JDK 17+ and Maven (dependencies come from Maven Central).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
echo "omnipaxos-examples/target/classes:$(cat omnipaxos-examples/target/classpath.txt)"
