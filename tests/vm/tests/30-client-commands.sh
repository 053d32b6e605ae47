#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every aalevelctl command against the real daemon and kernel, as text and
# as JSON (parsed with jq, with the documented keys), and busctl's view of
# the private socket.
. /tests/lib.sh

[ -x /usr/bin/jq ] || skip "jq is not in the image"
pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,'
write_profile "$pd" t-b '  /etc/hostname r,' 'flags=(complain)'
write_profile "$pd" t-broken '  this is not a rule'
test_config "$pd"
start_daemon
wait_idle

json() { aalevelctl --json "$@" | /usr/bin/jq -e "${JQ:-.}" || die "aalevelctl --json $* is not valid JSON or lacks keys"; }

JQ='has("level") and has("pending_level") and has("state") and has("level_source") and has("profiles_loaded") and has("profiles_failed") and has("profiles_modified") and has("errors") and has("version") and .level == "default" and .profiles_failed == 1'
json status
JQ='.profile_errors | length == 1 and (.[0] | startswith("'"$pd"'/t-broken:5: "))' json status
# The failed file with its line under Errors, never "none" (issue 14).
out=$(aalevelctl status)
echo "$out"
assert_contains "$out" "Errors: $pd/t-broken:5: "
case $out in *"Errors: none"*) die "status says Errors: none with a failed profile";; esac
assert_eq default "$(aalevelctl get)" "aalevelctl get"
JQ='.level == "default"' json get
JQ='map(.name) | index("strict") != null' json list
aalevelctl list
JQ='.name == "strict" and .mode == "enforce"' json show strict
aalevelctl show strict
if aalevelctl show nosuchlevel; then die "show of an unknown level succeeded"; fi
JQ='map(select(.name == "t-b")) | .[0].mode == "complain"' json profiles
aalevelctl profiles
JQ='map(select(.name == "t-b" and .change == "mode")) | length == 1' json diff strict
aalevelctl diff strict
# check: exit 1 with the broken profile, its file and line.
if out=$(aalevelctl check 2>&1); then die "check passed with a broken profile: $out"; fi
echo "$out"
assert_contains "$out" "$pd/t-broken:5"
JQ='.failed == 1 and (.failures[0].line == 5)' aalevelctl --json check | /usr/bin/jq -e '.failed == 1 and .failures[0].line == 5' ||
	die "check --json"

aalevelctl set strict || die "set strict failed"
assert_profile_mode t-b enforce
JQ='.level == "strict" and .level_source == "set"' json status
aalevelctl reload || die "reload failed"
if aalevelctl confirm; then die "confirm with nothing pending succeeded"; fi

# The usage errors and an unreachable daemon.
aalevelctl frobnicate; assert_eq 2 $? "exit code of an unknown command"
aalevelctl set; assert_eq 2 $? "exit code of set without a level"
aalevelctl --socket /run/nowhere status; assert_eq 3 $? "exit code without a daemon"
aalevelctl set nosuchlevel; assert_eq 1 $? "exit code of set to an unknown level"

# busctl over the private socket.
if [ -x /usr/bin/busctl ]; then
	/usr/bin/busctl --address="unix:path=$AALEVEL_SOCKET" introspect org.aalevel1 /org/aalevel1 | grep -q SetLevel ||
		die "busctl introspect does not show SetLevel"
	/usr/bin/busctl --address="unix:path=$AALEVEL_SOCKET" get-property org.aalevel1 /org/aalevel1 \
		org.aalevel1.Manager Level | grep -q strict || die "busctl get-property Level"
fi
stop_daemon
