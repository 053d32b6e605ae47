#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A broken override: the previous binary stays, the error is reported with
# file and line (status, profiles, journal/log), fixing it recovers.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-fragile '  /etc/hostname r,'
write_profile "$pd" t-fine '  /etc/hostname r,'
test_config "$pd" debounce_ms=100
start_daemon
wait_idle
old=$(raw_sha1 t-fragile)

printf '/srv/ok r,\nthis is not a rule\n' >"$pd/local/t-fragile"
wait_for 10 sh -c '[ "$(/usr/bin/aalevelctl status --json | sed -n "s/.*\"profiles_failed\":\([0-9]*\).*/\1/p")" = 1 ]' ||
	die "the failure was not reported"
wait_idle
assert_eq "$old" "$(raw_sha1 t-fragile)" "the previous binary stays"
assert_profile_loaded t-fine
out=$(aalevelctl profiles)
echo "$out"
assert_contains "$out" "$pd/local/t-fragile:2"
grep "local/t-fragile:2" "$AALEVEL_LOG" || die "the log does not name the file and line"

echo '/srv/ok r,' >"$pd/local/t-fragile"
wait_sha1_change t-fragile "$old"
wait_idle
assert_eq 0 "$(status_field profiles_failed)" "failed profiles after the fix"
stop_daemon
