#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A service started at boot whose program has a profile in /etc/apparmor.d
# carries that profile from its first instruction.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

wait_for 30 test -s /run/booted-probe/label || die "booted-probe.service wrote no label"
assert_eq "booted-probe (enforce)" "$(cat /run/booted-probe/label)" "booted-probe's label at its start"
t_probe=$(unit_prop booted-probe.service ExecMainStartTimestampMonotonic)
t_aalevel=$(unit_prop aalevel.service ActiveEnterTimestampMonotonic)
echo "booted-probe started at $t_probe us, aalevel.service active at $t_aalevel us"
((t_aalevel < t_probe)) || die "booted-probe.service started before aalevel.service was up"
