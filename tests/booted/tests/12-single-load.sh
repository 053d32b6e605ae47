#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# apparmor.service stepped aside: the tree was compiled and loaded once, by
# aalevel (its ExecStartPre load; the daemon then wrote nothing).
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

assert_eq inactive "$(systemctl is-active apparmor.service)" "apparmor.service"
journalctl -b --no-pager -u apparmor.service -o cat | grep -q "exec-condition" ||
	die "apparmor.service was not skipped by its ExecCondition= (journal: $(journalctl -b --no-pager -u apparmor.service -o cat))"
assert_eq 0 "$(unit_prop apparmor.service ExecMainStartTimestampMonotonic)" "apparmor.service's main process start"

# Who loaded what: aalevel's lines of this boot.
journalctl -b --no-pager -o short-monotonic -u aalevel.service | grep -iE 'level|load' | head -n 10

# Every write to the kernel moves the policy revision by one. aalevel owns
# every profile in the kernel, and wrote each of its files once: nobody
# loaded anything a second time.
files=$(aalevelctl --json profiles | sed "s/} *, *{/}\n{/g" | grep '"status": *"loaded"' |
	sed -n 's/.*"file": *"\([^"]*\)".*/\1/p' | sort -u | wc -l)
rev=$(kernel_revision)
loaded=$(wc -l <"$APPARMORFS/profiles")
echo "kernel: $loaded profiles, policy revision $rev; aalevel's profile files: $files"
assert_eq "$files" "$rev" "policy writes at boot (revision) against aalevel's files"
# apparmor_parser's own cache (apparmor.service's) was not written this boot.
if [[ -d /var/cache/apparmor ]]; then
	newer=$(find /var/cache/apparmor -type f -newer /proc/1/cmdline 2>/dev/null | head -n 3)
	[[ -z $newer ]] || die "apparmor_parser's cache was written this boot: $newer"
fi
