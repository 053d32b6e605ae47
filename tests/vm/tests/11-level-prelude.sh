#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A profile that says `if $aalevel_strict { deny /etc/x r, }` allows the
# read at default and denies it at strict, in the real kernel.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
echo secret >/etc/aalevel-x
cat >"$pd/t-read" <<'P'
abi <abi/3.0>,
include <tunables/global>
profile t-read {
  include <abstractions/base>
  /{usr/,}{bin,sbin}/* mrix,
  /etc/aalevel-x r,
  if $aalevel_strict {
    deny /etc/aalevel-x r,
  }
}
P
test_config "$pd"

aalevel load --level default || die "load default failed"
out=$(run_confined t-read /bin/cat /etc/aalevel-x 2>&1) || die "at default the read was refused: $out"
assert_eq secret "$out" "read at default"

aalevel load --level strict || die "load strict failed"
if out=$(run_confined t-read /bin/cat /etc/aalevel-x 2>&1); then
	die "at strict the read was allowed: $out"
fi
echo "at strict: $out"
assert_contains "$out" "ermission denied"
# (An explicit deny rule is quiet: the kernel logs nothing for it.)

aalevel load --level default || die "load default again failed"
out=$(run_confined t-read /bin/cat /etc/aalevel-x 2>&1) || die "back at default the read was refused: $out"
