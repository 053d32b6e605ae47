#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon applies a local/ override created, edited (in place and by a
# rename over it) and deleted, each within about a second, replacing that
# one profile and no other.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-target '  /etc/hostname r,'
write_profile "$pd" t-bystander '  /etc/hostname r,'
test_config "$pd" debounce_ms=100
start_daemon
wait_idle
assert_profile_loaded t-target
by=$(raw_sha1 t-bystander)

step() {
	old=$(raw_sha1 t-target)
	start=$(cut -d' ' -f1 /proc/uptime)
	"$@"
	wait_sha1_change t-target "$old" 30
	echo "$* applied after $(echo "$(cut -d' ' -f1 /proc/uptime) - $start" | bc) s"
	assert_eq "$by" "$(raw_sha1 t-bystander)" "the bystander's binary"
}

step sh -c "echo '/srv/created/** r,' > $pd/local/t-target"
step sh -c "echo '/srv/edited/** r,' >> $pd/local/t-target"
step sh -c "echo '/srv/renamed/** r,' > $pd/local/.t-target.tmp && mv $pd/local/.t-target.tmp $pd/local/t-target"
step rm "$pd/local/t-target"
# Editor droppings do not cause a reload.
n=$(reloads_logged)
touch "$pd/local/.t-target.swp" "$pd/local/t-target~" "$pd/local/4913"
sleep 1
wait_idle
assert_eq "$n" "$(reloads_logged)" "reloads after editor swap files"
stop_daemon
assert_profile_loaded t-target
