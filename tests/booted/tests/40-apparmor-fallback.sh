#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# When aalevel.service does not come up (here: masked for one boot),
# apparmor.service loads /etc/apparmor.d as before: the drop-in makes it a
# fallback, not a second load.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

case $BOOTED_STEP in
0)
	next_boot systemd.mask=aalevel.service
	;;
1)
	assert_eq inactive "$(systemctl is-active aalevel.service)" "aalevel.service"
	assert_eq active "$(systemctl is-active apparmor.service)" "apparmor.service"
	assert_eq success "$(unit_prop apparmor.service Result)" "apparmor.service's result"
	t=$(unit_prop apparmor.service ExecMainStartTimestampMonotonic)
	((t > 0)) || die "apparmor.service's load did not run"
	t_sysinit=$(unit_prop sysinit.target ActiveEnterTimestampMonotonic)
	echo "apparmor.service loaded at $t us, sysinit.target at $t_sysinit us"
	[[ -n $(profile_mode booted-probe) ]] || die "booted-probe is not loaded"
	;;
esac
