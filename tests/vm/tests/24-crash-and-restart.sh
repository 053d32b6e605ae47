#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of the daemon during a reload: the restarted daemon converges (no
# owned profile missing, the foreign one untouched, the level whole), and
# stopping it leaves the policy loaded.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
for i in $(seq 1 12); do write_profile "$pd" t-$i '  /etc/hostname r,' 'flags=(complain)'; done
load_profile_text foreign 'abi <abi/3.0>,
profile foreign { /etc/hostname r, }'
foreign=$(raw_sha1 foreign)
test_config "$pd"
start_daemon
wait_idle

# A switch to strict: compile and load of 12 profiles; kill it midway.
aalevelctl --no-block set strict || die "set strict failed"
sleep 0.3
kill -9 "$AALEVEL_PID"
wait "$AALEVEL_PID" 2>/dev/null
AALEVEL_PID=
cat "$TMPDIR/state/state" 2>/dev/null | head -n 3
for i in $(seq 1 12); do assert_profile_loaded t-$i; done

# The switch was never confirmed as applied: the daemon comes back at the
# persisted level and converges on it.
start_daemon
wait_idle 60
level=$(status_field level)
echo "after the restart: level $level"
for i in $(seq 1 12); do
	if [ "$level" = strict ]; then assert_profile_mode t-$i enforce; else assert_profile_mode t-$i complain; fi
done
assert_eq "$foreign" "$(raw_sha1 foreign)" "the foreign profile"
stop_daemon
for i in $(seq 1 12); do assert_profile_loaded t-$i; done
