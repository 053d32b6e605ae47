#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What aalevelctl prints, byte for byte: every command in its human,
# --quiet and --json output, against tests/tools/fake-daemon's canned
# replies (scenarios "full", "idle", "failed", "unlisted" and "empty"), stdout, stderr and exit status
# compared with tests/data/client-output/SCENARIO.txt. Only what depends
# on the clock is masked: the dates of a confirmation deadline, how long
# ago the last reload was.
#
# After an intended change of the output, rewrite the expected files with
#   AALEVEL_UPDATE_PINS=1 make -C build check TESTS=tests/unit/test-client-output.sh
# and review the diff.
set -u

here=$(cd "$(dirname "$0")" && pwd)
expected_dir=$here/../data/client-output
build=${AALEVEL_BUILDDIR:-$PWD}
client=$build/aalevelctl
daemon=$build/tests/tools/fake-daemon
for f in "$client" "$daemon"; do
    [[ -x $f ]] || { echo "missing $f (run from the build directory)"; exit 99; }
done

tmp=$(mktemp -d)
daemon_pid=
cleanup() {
    [[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# The output the pins were taken in: no translation, dates in UTC.
export LC_ALL=C TZ=UTC
unset LANGUAGE AALEVEL_SOCKET

# Each line: the arguments of one run.
cases=(
    "status" "status --quiet" "status --json"
    "get" "get --quiet" "get --json"
    "list" "list --quiet" "list --json"
    "show strict" "show strict --quiet" "show strict --json" "show nosuch"
    "profiles" "profiles --quiet" "profiles --json"
    "diff fsp" "diff fsp --quiet" "diff fsp --json" "diff strict" "diff strict --json"
    "check" "check fsp" "check fsp --quiet" "check fsp --json" "check default" "check default --json"
    "set fsp" "set fsp --quiet" "set fsp --json" "set fsp --confirm 30" "set fsp --confirm 1"
    "set fsp --confirm 30 --json" "set fsp --no-block" "set fsp --no-block --json"
    "set strict" "set strict --confirm 0" "set default" "set nosuch"
    "confirm" "confirm --quiet" "confirm --json"
    "reload" "reload --quiet" "reload --json" "reload --no-block"
)

mask() {
    sed -E -e 's/\(until [^)]*\)/(until DATE)/' \
        -e 's/\([0-9][^()]* ago\)/(SOME TIME ago)/' \
        -e 's/"confirm_deadline_usec":[0-9]+/"confirm_deadline_usec":USEC/'
}

# run_scenario NAME: writes what every case prints to $tmp/NAME.txt.
run_scenario() {
    local name=$1 socket=$tmp/$1.sock out=$tmp/$1.txt args rc
    # Bounded: a forgotten daemon dies by itself.
    timeout 300 "$daemon" "$socket" "$name" &
    daemon_pid=$!
    for _ in $(seq 100); do
        [[ -S $socket ]] && break
        sleep 0.05
    done
    : >"$out"
    for args in "${cases[@]}"; do
        # shellcheck disable=SC2086 # the words of a case
        timeout 20 "$client" --socket "$socket" $args </dev/null >"$tmp/stdout" 2>"$tmp/stderr"
        rc=$?
        {
            printf '$ aalevelctl %s\n' "$args"
            mask <"$tmp/stdout"
            if [[ -s $tmp/stderr ]]; then
                printf '[stderr]\n'
                mask <"$tmp/stderr"
            fi
            printf '[exit %d]\n\n' "$rc"
        } >>"$out"
    done
    kill "$daemon_pid"
    wait "$daemon_pid" 2>/dev/null
    daemon_pid=
}

failures=0
for scenario in full idle failed unlisted empty; do
    run_scenario "$scenario"
    if [[ -n ${AALEVEL_UPDATE_PINS:-} ]]; then
        cp "$tmp/$scenario.txt" "$expected_dir/$scenario.txt"
        echo "updated $expected_dir/$scenario.txt"
    elif ! diff -u "$expected_dir/$scenario.txt" "$tmp/$scenario.txt"; then
        echo "FAIL: scenario $scenario differs from $expected_dir/$scenario.txt"
        failures=$((failures + 1))
    else
        echo "ok: scenario $scenario (${#cases[@]} runs)"
    fi
done
exit $((failures > 0))
