#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `aalevelctl set strict` survives a reboot; aalevel.level=default on the
# kernel command line overrides it for that one boot only. Root lowers the
# level again with aalevelctl, which runs under its own profile.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

case $BOOTED_STEP in
0)
	aalevelctl set strict || die "aalevelctl set strict failed"
	assert_eq strict "$(aalevelctl get)" "level after set"
	assert_profile_mode booted-probe enforce
	next_boot aalevel.level=default
	;;
1)
	cmdline_has aalevel.level=default || die "the harness did not pass aalevel.level=default"
	assert_eq default "$(status_field level)" "level with aalevel.level=default"
	assert_eq kernel-cmdline "$(status_field level_source)" "level source"
	next_boot
	;;
2)
	! cmdline_has aalevel.level=default || die "aalevel.level=default is still on the command line"
	assert_eq strict "$(status_field level)" "level after two reboots"
	assert_eq set "$(status_field level_source)" "level source"
	assert_profile_mode booted-probe enforce
	# aalevelctl is confined (its profile, enforced at strict): the daemon
	# lets a confined caller lower the level only when its label is in
	# [access] lower_labels, which must name aalevelctl.
	assert_profile_mode aalevelctl enforce
	aalevelctl set default ||
		die "root cannot lower the level with aalevelctl (lower_labels: $(grep -rh '^ *lower_labels' /etc/aalevel/ 2>/dev/null))"
	assert_eq default "$(aalevelctl get)" "level after lowering"
	aalevelctl set strict || die "aalevelctl set strict failed"
	;;
esac
