#!/usr/bin/env bash
# Lays out what the container runs: a jlinked Java runtime holding only the JDK modules the server needs,
# the application's jars and a launcher. The Dockerfile runs it after the Maven build; DeployImageTest runs it
# on the JDK running the tests, so the image's logic is tested where Docker is not available.
#
#   deploy/jlink-image.sh --out DIR --classpath CP [--jdk JAVA_HOME]
#
# CP is the tools module's runtime class path with tools itself: jars, or a Maven module's target/classes
# (jarred here, as a reactor build without `package` gives them). The layout written under DIR:
#   DIR/jre/       the runtime; its java always runs with the flags in JVM_FLAGS below
#   DIR/lib/       the application's jars
#   DIR/bin/vecnn  the launcher: `DIR/bin/vecnn serve --model ...`, exactly the container's entrypoint
set -euo pipefail

# Baked into the runtime (jlink --add-options), so every start has them, in a container or not:
# the Vector API is an incubator module the kernels cannot run without; the heap is a share of the container's
# memory limit (the rest holds thread stacks, metaspace, code cache and NIO buffers), and running out of heap
# ends the process, so that Kubernetes restarts it rather than leaving a server that answers 500.
# A later -XX:MaxRAMPercentage in JDK_JAVA_OPTIONS overrides the share. A -XX flag comes first: JDK 17's jlink
# reads an --add-options value that starts with "--" as an option of its own.
JVM_FLAGS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError --add-modules=jdk.incubator.vector"

out="" classpath="" jdk="${JAVA_HOME:-}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --classpath) classpath="$2"; shift 2 ;;
    --jdk) jdk="$2"; shift 2 ;;
    *) echo "jlink-image: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n "$out" && -n "$classpath" ]] || { echo "usage: jlink-image.sh --out DIR --classpath CP [--jdk JAVA_HOME]" >&2; exit 2; }
[[ -n "$jdk" && -x "$jdk/bin/jlink" ]] || { echo "jlink-image: no jlink in '$jdk' (set --jdk or JAVA_HOME to a JDK)" >&2; exit 1; }
if [[ -e "$out" ]]; then
  echo "jlink-image: $out exists; give a new directory" >&2; exit 1
fi

mkdir -p "$out/lib" "$out/bin"
IFS=':' read -r -a entries <<<"$classpath"
for entry in "${entries[@]}"; do
  [[ -n "$entry" ]] || continue
  if [[ -d "$entry" ]]; then
    # .../runtime/target/classes becomes lib/runtime.jar
    module="$(basename "$(dirname "$(dirname "$entry")")")"
    "$jdk/bin/jar" --create --file "$out/lib/$module.jar" -C "$entry" .
  elif [[ -f "$entry" ]]; then
    cp "$entry" "$out/lib/"
  else
    echo "jlink-image: class path entry $entry does not exist" >&2; exit 1
  fi
done

# The JDK modules the code refers to, read from the jars (the runtime's module-info names the Vector API,
# java.desktop for image decoding and jdk.management for the warm-up's JIT clock; serve adds jdk.httpserver).
release="$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
modules="$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "$release" \
             --module-path "$out/lib" --add-modules ALL-MODULE-PATH)"
# grpc-netty-shaded's only module descriptor is a stray one of Netty's tcnative that requires java.base alone,
# so jdeps reads no dependency of the gRPC transport from it. Netty (like Guava and protobuf) runs faster with
# sun.misc.Unsafe and falls back without it; its other JDK modules (java.naming for DNS, JFR events) serve only
# clients and optional features, so only jdk.unsupported is added.
if [[ -n "$(compgen -G "$out/lib/grpc-netty-shaded-*.jar")" && ",$modules," != *",jdk.unsupported,"* ]]; then
  modules="$modules,jdk.unsupported"
fi

# JDK 21 renamed the compression levels; 17 still takes the numbered ones.
compress="zip-6"
if [[ "$release" -lt 21 ]]; then compress="2"; fi
"$jdk/bin/jlink" --add-modules "$modules" --output "$out/jre" \
  --strip-debug --no-man-pages --no-header-files --compress="$compress" \
  --add-options="$JVM_FLAGS"

cat >"$out/bin/vecnn" <<'LAUNCHER'
#!/bin/sh
# exec: java becomes the process the container's SIGTERM reaches, and drains before it exits. The java launcher
# itself reads JDK_JAVA_OPTIONS, the place for flags of a deployment's own (they come after the baked ones).
here="$(cd "$(dirname "$0")/.." && pwd)"
exec "$here/jre/bin/java" -cp "$here/lib/*" io.vecnn.tools.VecnnMain "$@"
LAUNCHER
chmod +x "$out/bin/vecnn"

echo "jlink-image: $out: modules $modules; runtime $(du -sm "$out/jre" | cut -f1) MB, jars $(du -sm "$out/lib" | cut -f1) MB"
