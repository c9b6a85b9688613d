#!/usr/bin/env bash
# Builds the benchmarks jar and runs every cancelkit benchmark and measurement program, then
# regenerates bench/RESULTS.md from what was measured (about 25 minutes; see bench/README.md).
#
#   bench/run.sh                      the full run
#   bench/run.sh --quick              a short smoke run (its RESULTS.md says so)
#   bench/run.sh --only timeout,tree  some sections: check,timeout,exception,tree,size,lateness,herd,scaling,idle,stop,peers,io,group,grpc,jfr
#   bench/run.sh --out /tmp/R.md      write elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/jdk25.sh

./mvnw -q -B -pl bench -am package -DskipTests

# Which cancelkit was measured: BENCH_COMMIT overrides (for a tree exported without .git).
commit="${BENCH_COMMIT:-}"
if [ -z "$commit" ]; then
    if commit="$(git rev-parse --short HEAD 2>/dev/null)"; then
        if [ -n "$(git status --porcelain -- core 2>/dev/null)" ]; then
            commit="$commit with uncommitted changes in core/"
        fi
    else
        commit="unknown"
    fi
fi

mkdir -p bench/target
"$JAVA_HOME/bin/java" -Dbench.commit="$commit" -jar bench/target/benchmarks.jar "$@" 2>&1 | tee bench/target/run.log

# Jobs across machines: ClusterJobBench, its own program against PostgreSQL on loopback (worker JVMs),
# after a full run only. Its section sits between markers at the end of bench/RESULTS.md and is
# replaced there; without PostgreSQL the section from an earlier run stays as it was.
if [ "$#" -eq 0 ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
    "$JAVA_HOME/bin/java" -cp bench/target/benchmarks.jar org.cancelkit.bench.ClusterJobBench > bench/target/jobs-postgres.md
    {
        sed '/<!-- jobs-postgres:begin -->/,$d' bench/RESULTS.md
        echo '<!-- jobs-postgres:begin -->'
        grep -v '^rc=' bench/target/jobs-postgres.md
        echo '<!-- jobs-postgres:end -->'
    } > bench/target/RESULTS.with-jobs.md
    mv bench/target/RESULTS.with-jobs.md bench/RESULTS.md
fi
