#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion of aalevelctl: sources it and calls its function
# the way bash does, with a stand-in aalevelctl that answers
# "list --quiet" without a daemon.
set -u

here=$(cd "$(dirname "$0")" && pwd)
completion=$here/../../completion/aalevelctl
# shellcheck source=/dev/null
. "$completion" || { echo "cannot source $completion"; exit 1; }

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
cat >"$bin/aalevelctl" <<'STUB'
#!/bin/sh
# Logs its arguments; prints levels for "list --quiet".
echo "$*" >>"${0%/*}/calls"
case "$*" in
    *"list --quiet") printf 'default\nstrict\nfsp\nextreme\n' ;;
    *) exit 2 ;;
esac
STUB
chmod +x "$bin/aalevelctl"
PATH=$bin:$PATH

failures=0

# complete WORDS...: the last word is the one being completed.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _aalevelctl aalevelctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}

# expect "DESCRIPTION" "EXPECTED REPLIES" WORDS...
expect() {
    local what=$1 want=$2
    shift 2
    complete_words "$@"
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
    local -a words
    read -ra words <<<"$want"
    want=$(printf '%s\n' "${words[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
    if [[ $got == "$want" ]]; then
        echo "ok - $what"
    else
        echo "not ok - $what: got '$got', want '$want'"
        failures=$((failures + 1))
    fi
}

expect "every command" "status get set confirm list show profiles diff reload check" aalevelctl ""
expect "commands by prefix" "set show status" aalevelctl s
expect "command after an option" "check confirm" aalevelctl --json c
expect "global options" "--json" aalevelctl --j
expect "every option" "--json --socket --no-block --quiet --help --version" aalevelctl --
expect "--confirm for set" "--confirm" aalevelctl set fsp --co
expect "no --confirm elsewhere" "" aalevelctl diff fsp --co
expect "levels for set" "default strict fsp extreme" aalevelctl set ""
expect "levels by prefix" "fsp" aalevelctl set f
expect "levels for show" "strict" aalevelctl show st
expect "levels for diff" "extreme" aalevelctl diff e
expect "levels for check" "default strict fsp extreme" aalevelctl --quiet check ""
expect "levels after options" "default" aalevelctl set --confirm 60 d
expect "one level only" "" aalevelctl set fsp ""
expect "no level for get" "" aalevelctl get ""
expect "no level for list" "" aalevelctl list ""
expect "nothing after --confirm" "" aalevelctl set fsp --confirm ""
expect "after --" "default strict fsp extreme" aalevelctl show -- ""

# --socket: file names, and the level list asks that socket.
mkdir "$bin/sockdir"
: >"$bin/sockdir/bus"
expect "files for --socket" "$bin/sockdir/bus" aalevelctl --socket "$bin/sockdir/b"
rm -f "$bin/calls"
expect "levels from the chosen socket" "strict" aalevelctl --socket /run/x/bus set st
if grep -qx -- "--socket /run/x/bus list --quiet" "$bin/calls"; then
    echo "ok - --socket is passed on"
else
    echo "not ok - --socket is passed on: $(cat "$bin/calls" 2>/dev/null)"
    failures=$((failures + 1))
fi
rm -f "$bin/calls"
expect "levels from --socket=" "fsp" aalevelctl --socket=/run/y/bus set f
grep -qx -- "--socket /run/y/bus list --quiet" "$bin/calls" || {
    echo "not ok - --socket= is passed on: $(cat "$bin/calls" 2>/dev/null)"
    failures=$((failures + 1))
}

# No daemon: no levels, and no error on the terminal.
cat >"$bin/aalevelctl" <<'STUB'
#!/bin/sh
echo "Cannot reach the aalevel daemon" >&2
exit 3
STUB
expect "no daemon, no levels" "" aalevelctl set ""

if ((failures > 0)); then
    echo "$failures completion checks failed"
    exit 1
fi
exit 0
