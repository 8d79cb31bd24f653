#!/usr/bin/env bash
# ./demo.sh        builds the bundle, starts the import-API emulator and a real NiFi 2.3.0 on 127.0.0.1
#                  with the bundle installed, creates a demo flow and follows its jobs to the end
# ./demo.sh stop   stops NiFi and the emulator
set -euo pipefail
cd "$(dirname "$0")"
source .ci/jdk.sh
harness() {
    java -cp "nifi-bulkimport-system-tests/target/classes:nifi-bulkimport-system-tests/target/lib/*" io.github.bulkimport.systemtest.Demo "$@" "$PWD"
}
case "${1:-start}" in
    start)
        echo "Building the bundle and assembling NiFi 2.3.0 (the first build downloads NiFi from Maven Central)..."
        mvn -B -q -DskipTests package
        harness start
        ;;
    stop)
        harness stop
        ;;
    *)
        echo "usage: ./demo.sh [start|stop]" >&2
        exit 2
        ;;
esac
