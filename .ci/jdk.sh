# Sourced before Maven (`. .ci/jdk.sh && mvn -B verify`, as the README says), by .ci/run and by demo.sh:
# exports JAVA_HOME (and PATH) for a JDK 21 or newer, since NiFi 2 needs one and machines often default to 17.
# Order: JAVA_HOME when it is one, the default java when it is one, else the newest JDK under /usr/lib/jvm.

java_feature() {
    # prints the feature version (17, 21, 25...) of the java binary in $1, or 0
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; found=1} END {if (!found) print 0}' | cut -d. -f1
}

pick_jdk() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_feature "$JAVA_HOME/bin/java")" -ge 21 ]; then
        echo "$JAVA_HOME"; return
    fi
    if command -v javac >/dev/null 2>&1 && [ "$(java_feature java)" -ge 21 ]; then
        dirname "$(dirname "$(readlink -f "$(command -v javac)")")"; return
    fi
    local best="" best_version=0 candidate version
    for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
        [ -x "$candidate/bin/javac" ] || continue
        version=$(java_feature "$candidate/bin/java")
        if [ "$version" -gt "$best_version" ]; then best="$candidate"; best_version="$version"; fi
    done
    if [ "$best_version" -ge 21 ]; then echo "$best"; return; fi
    echo "No JDK 21 or newer found: set JAVA_HOME to one (NiFi 2 needs it)" >&2
    return 1
}

if JAVA_HOME="$(pick_jdk)"; then
    export JAVA_HOME
    export PATH="$JAVA_HOME/bin:$PATH"
    echo "Using the JDK at $JAVA_HOME (Java $(java_feature "$JAVA_HOME/bin/java"))" >&2
else
    # sourced: fail the command it precedes without closing the user's shell
    false
fi
