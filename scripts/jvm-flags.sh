#!/usr/bin/env bash
# Prints the JVM flags that programs using PersistentStorage (Chronicle Queue) need on Java 17+.
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
echo "${KV_JVM_FLAGS[*]}"
