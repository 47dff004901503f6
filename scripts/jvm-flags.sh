#!/usr/bin/env bash
# JVM flags for programs that use PersistentStorage (Chronicle Queue) on Java 17+: module access it
# needs, no analytics or banner, JNA's native library unpacked under target/ instead of ~/.cache.
# Kept in step with the chronicle.jvm.flags property of the root pom.xml.
cd "$(dirname "$0")/.." || exit 1
sed -n 's:.*<chronicle.jvm.flags>\(.*\)</chronicle.jvm.flags>.*:\1:p' pom.xml | tr -d '\n'
echo " -Djna.tmpdir=$(pwd)/target/jna-tmp"
