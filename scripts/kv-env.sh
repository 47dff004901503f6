# Sourced by the other scripts: the repository root, the java binary, the runnable jar of the
# examples (omnipaxos-kv.jar, built by `mvn -DskipTests package`) and the JVM flags Chronicle Queue
# needs on Java 17+ when a program runs from it with -cp (`java -jar` needs none: the jar's
# manifest and main set them).
KV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KV_JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
KV_EXAMPLES_TARGET="$KV_ROOT/omnipaxos-examples/target"
KV_JAR="$KV_EXAMPLES_TARGET/omnipaxos-kv.jar"
# Mirrors <chronicle.jvm.flags> in the root pom.xml; JNA unpacks its native library under target/.
KV_JVM_FLAGS=(
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED -Dchronicle.analytics.disable=true -Dchronicle.announcer.disable=true
  "-Djna.tmpdir=$KV_EXAMPLES_TARGET/jna-tmp"
)

# Prints the runnable jar's path (it holds every class the programs need), or fails if not built.
kv_jar() {
  if [[ ! -f "$KV_JAR" ]]; then
    echo "kv: not built yet; run: (cd $KV_ROOT && mvn -q -DskipTests package)" >&2
    return 1
  fi
  echo "$KV_JAR"
}

# The classpath of the example programs (for `java -cp`): the runnable jar.
kv_classpath() {
  kv_jar
}
