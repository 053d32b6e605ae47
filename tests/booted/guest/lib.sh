# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib.sh: helpers for the booted tests (bash). A test is run as root in the
# booted system by the runner, from a fresh directory, with:
#   $BOOTED_STEP   0 the first time; one more after each next_boot
#   $BOOTED_NAME, $BOOTED_DIR, $TMPDIR
# Exit 0 passes, 77 (skip REASON) skips, anything else fails.
#
#   die MSG                      fail now (with aalevel's journal of this boot)
#   skip REASON                  skip the test
#   next_boot [ARGS]             end this step; the runner reboots the machine
#                                with ARGS added to the kernel command line and
#                                runs the test again with BOOTED_STEP+1
#   assert_eq EXPECTED ACTUAL [WHAT]
#   profile_mode NAME            the mode of a loaded profile, or nothing
#   assert_profile_mode NAME MODE
#   wait_for SECONDS CMD...      retry CMD every 0.1 s until it succeeds
#   unit_prop UNIT PROPERTY      systemctl show -P
#   owned_profiles               the names of the profiles aalevel has loaded
#   status_field KEY             a string of `aalevelctl --json status`
#   kernel_revision              the kernel's policy revision (loads so far)
#   cmdline_has ARG              the kernel command line has ARG
set -u

APPARMORFS=/sys/kernel/security/apparmor
STATE=/var/lib/booted-test

die() {
	echo "FAIL: $*" >&2
	echo "--- aalevel's journal of this boot:" >&2
	journalctl -b --no-pager -o short-monotonic -u aalevel.service -u aalevel.socket -u apparmor.service 2>&1 |
		tail -n 30 >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

next_boot() {
	echo "next boot: ${*:-(plain)}"
	printf '%s\n' "$*" >"$STATE/next-boot"
	sync
	exit 100
}

assert_eq() {
	[[ $1 == "$2" ]] || die "${3:-value}: expected '$1', got '$2'"
}

profile_mode() {
	sed -n "s/^$(printf '%s' "$1" | sed 's/[]\/$*.^[]/\\&/g') (\(.*\))\$/\1/p" "$APPARMORFS/profiles"
}

assert_profile_mode() {
	local m
	m=$(profile_mode "$1")
	[[ $m == "$2" ]] || die "profile $1: expected mode '$2', got '${m:-not loaded}'"
}

wait_for() {
	local tries=$(($1 * 10))
	shift
	while ((tries-- > 0)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

unit_prop() {
	systemctl show -P "$2" "$1"
}

owned_profiles() {
	# One JSON object per profile (no jq in the image): the names of those
	# whose status is "loaded".
	aalevelctl --json profiles | sed "s/} *, *{/}\\n{/g" | grep "\"status\": *\"loaded\"" |
		sed -n "s/.*\"name\": *\"\([^\"]*\)\".*/\1/p"
}

status_field() {
	# A string field of `aalevelctl --json status`.
	aalevelctl --json status | sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p"
}

kernel_revision() {
	# A read of revision blocks while it is 0: read it without blocking.
	dd if="$APPARMORFS/revision" bs=64 count=1 iflag=nonblock status=none 2>/dev/null || echo 0
}

cmdline_has() {
	local arg
	for arg in $(</proc/cmdline); do
		[[ $arg == "$1" ]] && return 0
	done
	return 1
}
