#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped levels default and strict (/usr/share/aalevel/levels), and
# the shipped sublevel example strict_server, on one profile set: the
# same program is allowed at default and denied at strict (its profile is
# complain as its author declared; another one denies under
# $aalevel_strict); a profile listed in force-complain/ is complain at
# default and enforced at strict; strict_server leaves out what it
# excludes, refuses the switch without the profile it requires, and turns
# on its own boolean.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
echo secret >/etc/aalevel-level-x
# The author left t-unfinished in complain mode: it lacks the read.
write_profile "$pd" t-unfinished '  /{usr/,}{bin,sbin}/* mrix,' 'flags=(complain)'
# t-strict allows the read, except at strict.
write_profile "$pd" t-strict '  /{usr/,}{bin,sbin}/* mrix,
  /etc/aalevel-level-x r,
  if $aalevel_strict {
    deny /etc/aalevel-level-x r,
  }'
# The admin put t-forced in force-complain/.
write_profile "$pd" t-forced '  /{usr/,}{bin,sbin}/* mrix,'
mkdir -p "$pd/force-complain"
ln -s ../t-forced "$pd/force-complain/t-forced"
test_config "$pd"
levels=/usr/share/aalevel/levels
for l in default strict fsp extreme; do
	[ -f "$levels/$l.yaml" ] || die "the shipped level $l is not installed in $levels"
done

read_as() { run_confined "$1" /bin/cat /etc/aalevel-level-x 2>&1; }

aalevel load --level default || die "load default failed"
assert_profile_mode t-unfinished complain
assert_profile_mode t-strict enforce
assert_profile_mode t-forced complain
out=$(read_as t-unfinished) || die "default: t-unfinished was denied: $out"
assert_eq secret "$out" "default: t-unfinished's read"
out=$(read_as t-strict) || die "default: t-strict was denied: $out"
out=$(read_as t-forced) || die "default: t-forced (force-complain) was denied: $out"

aalevel load --level strict || die "load strict failed"
assert_profile_mode t-unfinished enforce
assert_profile_mode t-strict enforce
assert_profile_mode t-forced enforce
if out=$(read_as t-unfinished); then die "strict: t-unfinished could read: $out"; fi
assert_contains "$out" "ermission denied" "strict: t-unfinished"
if out=$(read_as t-strict); then die "strict: t-strict could read: $out"; fi
if out=$(read_as t-forced); then die "strict: t-forced could read: $out"; fi

# The sublevel example, as an admin would install it.
example=/usr/share/doc/aalevel/examples/strict_server.yaml
[ -f "$example" ] || die "the example $example is not installed"
mkdir -p "$TMPDIR/levels"
cp "$example" "$TMPDIR/levels/"
write_profile "$pd" firefox '  /etc/hostname r,'
write_profile "$pd" t-server '  /{usr/,}{bin,sbin}/* mrix,
  /etc/aalevel-level-x r,
  if $aalevel_strict_server {
    deny /etc/aalevel-level-x r,
  }'
# It requires sshd: without a profile of that name the switch is refused
# and nothing of it is applied.
rev=$(kernel_revision) || exit 1
if out=$(aalevel load --level strict_server 2>&1); then die "strict_server was applied without sshd: $out"; fi
echo "$out"
assert_contains "$out" "sshd"
assert_eq "$rev" "$(kernel_revision)" "policy revision after the refused switch"
assert_profile_absent firefox

write_profile "$pd" sshd '  /etc/hostname r,'
aalevel load --level strict_server || die "load strict_server failed"
assert_profile_mode sshd enforce
assert_profile_mode t-unfinished enforce
assert_profile_absent firefox
if out=$(read_as t-server); then die "strict_server: t-server could read: $out"; fi

aalevel load --level strict || die "back to strict failed"
assert_profile_mode firefox enforce
out=$(read_as t-server) || die "strict: t-server was denied: $out"

aalevel load --level default || die "back to default failed"
assert_profile_mode t-unfinished complain
assert_profile_mode t-forced complain
out=$(read_as t-unfinished) || die "default again: t-unfinished was denied: $out"
rm -f /etc/aalevel-level-x
# Later tests share the kernel.
for p in t-unfinished t-strict t-forced t-server firefox sshd; do remove_profile "$p"; done
