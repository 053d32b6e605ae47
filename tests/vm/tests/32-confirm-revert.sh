#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A switch with a confirmation window reverts by itself unless confirmed:
# nobody locks themselves out of a remote machine. Confirmed, it persists.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-c '  /etc/hostname r,' 'flags=(complain)'
test_config "$pd"
start_daemon
wait_idle

aalevelctl set fsp --confirm 5 || die "set fsp --confirm 5 failed"
assert_eq fsp "$(aalevelctl get)"
assert_profile_mode t-c enforce
JSON=$(aalevelctl --json status)
echo "$JSON"
echo "$JSON" | /usr/bin/jq -e '.pending_level == "fsp" and .state == "waiting-confirm"' >/dev/null ||
	die "status does not show the pending confirmation"
sleep 7
wait_idle
assert_eq default "$(aalevelctl get)" "the level after the window ran out"
assert_profile_mode t-c complain
grep -q "was not confirmed in time" "$AALEVEL_LOG" || die "the revert is not logged"

# Confirmed in time: stays, and survives a restart.
aalevelctl set fsp --confirm 30 || die "set fsp --confirm 30 failed"
aalevelctl confirm || die "confirm failed"
sleep 1
assert_eq fsp "$(aalevelctl get)"
stop_daemon
start_daemon
wait_idle
assert_eq fsp "$(aalevelctl get)" "the confirmed level after a restart"

# Not confirmed, then a restart: back to the confirmed level.
aalevelctl set default --confirm 60 || die "set default failed"
stop_daemon
start_daemon
wait_idle
assert_eq fsp "$(aalevelctl get)" "an unconfirmed level after a restart"
stop_daemon
