#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# An owned profile replaced by hand is reported as modified outside and
# restored at the next reload; SIGHUP reloads.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-mine '  /etc/hostname r,'
test_config "$pd"
start_daemon
wait_idle
ours=$(raw_sha1 t-mine)

# (From a file outside the watched tree: a change there would itself
# trigger a reload.)
printf 'abi <abi/3.0>,\nprofile t-mine /usr/bin/t-mine flags=(complain) { /** rw, }\n' >/run/t-mine.by-hand
"$APPARMOR_PARSER" -r -K /run/t-mine.by-hand || die "loading by hand failed"
wait_for 10 sh -c '[ "$(/usr/bin/aalevelctl status --json | sed -n "s/.*\"profiles_modified\":\([0-9]*\).*/\1/p")" = 1 ]' ||
	die "the change was not noticed"
out=$(aalevelctl profiles | grep t-mine)
echo "$out"
assert_contains "$out" modified "t-mine in aalevelctl profiles"
grep -q "replaced in the kernel by someone else" "$AALEVEL_LOG" || die "not logged"

kill -HUP "$AALEVEL_PID"
wait_for 10 sh -c '[ "$(. /tests/lib.sh; raw_sha1 t-mine)" = "'"$ours"'" ]' || die "t-mine was not restored"
wait_idle
assert_eq 0 "$(status_field profiles_modified)" "modified after the reload"
assert_profile_mode t-mine enforce
stop_daemon
