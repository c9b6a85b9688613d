# Finds a JDK 25 and exports JAVA_HOME to it. Sourced (POSIX sh) by ./mvnw, ./cancelkit, .ci/run and
# bench/run.sh, so that each runs on the same JDK. In order: JAVA_HOME when it is a JDK 25 or newer; the
# `java` on PATH when it is; the first JDK 25 under /usr/lib/jvm (Linux) or /Library/Java/JavaVirtualMachines
# (macOS). When none is found it says so and exits, unless CANCELKIT_JDK_OPTIONAL=1 (./mvnw sets it: there
# the build's enforcer rule says what to do).
cancelkit_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}
cancelkit_is_jdk25() {
    [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(cancelkit_java_major "$1")" -ge 25 ] 2>/dev/null
}
if ! cancelkit_is_jdk25 "${JAVA_HOME:-}"; then
    cancelkit_found=""
    if command -v java >/dev/null 2>&1; then
        cancelkit_path_home="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.home/ {print $2; exit}')"
        if cancelkit_is_jdk25 "$cancelkit_path_home"; then
            cancelkit_found="$cancelkit_path_home"
        fi
    fi
    if [ -z "$cancelkit_found" ]; then
        for cancelkit_candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*-25-* /usr/lib/jvm/*25* \
                /Library/Java/JavaVirtualMachines/*25*/Contents/Home; do
            if cancelkit_is_jdk25 "$cancelkit_candidate"; then
                cancelkit_found="$cancelkit_candidate"
                break
            fi
        done
    fi
    if [ -n "$cancelkit_found" ]; then
        export JAVA_HOME="$cancelkit_found"
    elif [ "${CANCELKIT_JDK_OPTIONAL:-0}" != 1 ]; then
        echo "cancelkit needs a JDK 25 and found none (JAVA_HOME=${JAVA_HOME:-unset}, java on PATH, /usr/lib/jvm)." >&2
        echo "Install one and point JAVA_HOME at it, e.g. export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64" >&2
        exit 1
    fi
    unset cancelkit_found cancelkit_candidate cancelkit_path_home
fi
