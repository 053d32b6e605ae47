#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Config management drops 500 local/ files within a second: the daemon
# coalesces them into a few rounds and ends with every override applied.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
for i in $(seq 1 10); do write_profile "$pd" t-$i '  /etc/hostname r,'; done
test_config "$pd"
start_daemon
wait_idle
before=$(reloads_logged)

i=0
while [ $i -lt 500 ]; do
	i=$((i + 1))
	echo "/srv/file-$i r," >"$pd/local/t-$((i % 10 + 1))-extra-$i"
	# Each profile includes only local/t-N; make the last 10 files count.
done
for n in $(seq 1 10); do echo "/srv/final-$n r," >"$pd/local/t-$n"; done
sleep 1
wait_idle 60
after=$(reloads_logged)
rounds=$((after - before))
echo "500 + 10 files applied in $rounds rounds"
[ "$rounds" -ge 1 ] && [ "$rounds" -le 4 ] || die "expected 1 to 4 rounds, got $rounds"
# Every profile has its final override: the state's key matches a fresh
# compile (a reload now changes nothing).
aalevelctl reload || die "reload failed"
assert_eq "$after" "$(reloads_logged)" "reloads that changed something after a manual reload"
stop_daemon
