#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon starts in the VM against the real kernel, and `aalevelctl
# status` answers, as text and as JSON.
# shellcheck source=SCRIPTDIR/../lib.sh
. /tests/lib.sh

[ -e "$AALEVEL_BIN" ] || skip "$AALEVEL_BIN is not in the image (run with --destdir)"

# shellcheck disable=SC2034 # read by the lib.sh functions
AALEVEL_CONF=$TMPDIR/aalevel.conf
write_daemon_config
start_daemon

out=$(aalevelctl status) || die "aalevelctl status failed ($?): $out"
echo "$out"
json=$(aalevelctl status --json) || die "aalevelctl status --json failed ($?): $json"
echo "$json"
assert_contains "$json" '"level"' "aalevelctl status --json"

stop_daemon

# Stopped with work running and queued and callers waiting for it: a clean
# exit, the callers told (E2: under the sanitizers, tests/sanitize, no
# request or job leaks at that exit).
pd=$TMPDIR/pd
make_policy_tree "$pd"
for i in 1 2 3 4 5 6 7 8; do
	write_profile "$pd" "t-stop-$i" '  /etc/hostname r,'
done
test_config "$pd"
start_daemon
"$AALEVELCTL_BIN" set strict >/dev/null 2>&1 &
c1=$!
"$AALEVELCTL_BIN" reload >/dev/null 2>&1 &
c2=$!
sleep 0.3
stop_daemon
wait "$c1" "$c2" || true
