#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Config management changes level= in a drop-in: applied at once. Then
# aalevelctl set wins (last instruction), and persists over a restart.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-c '  /etc/hostname r,' 'flags=(complain)'
test_config "$pd"
start_daemon
wait_idle
assert_profile_mode t-c complain

mkdir -p "$AALEVEL_CONF.d"
printf '[daemon]\nlevel = strict\n' >"$AALEVEL_CONF.d/50-fleet.conf"
wait_for 10 sh -c "grep -q '^t-c (enforce)' $APPARMORFS/profiles" || die "level= strict was not applied"
wait_idle
assert_eq strict "$(status_field level)"
assert_eq config "$(status_field level_source)"

aalevelctl set default || die "set default failed"
assert_profile_mode t-c complain
stop_daemon
start_daemon
wait_idle
assert_eq default "$(status_field level)" "the level after a restart"
assert_profile_mode t-c complain

# A broken drop-in: rejected, the previous configuration stays in force.
printf '[daemon]\nlevel = strict\nbogus = 1\n' >"$AALEVEL_CONF.d/60-broken.conf"
sleep 1
wait_idle
assert_eq default "$(status_field level)" "the level after a broken drop-in"
aalevelctl status | grep -q '60-broken.conf:3' || die "the error is not shown in status"
stop_daemon
