#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo (tools/demo): aalevel on Debian's kernel, with the small tree
# of real profiles as /etc/apparmor.d and a cache compiled on the host.
. /tests/lib.sh

rm -rf /etc/apparmor.d /var/cache/aalevel
cp -a /extra/etc/apparmor.d /etc/apparmor.d
mkdir -p /var/cache
cp -a /extra/var/cache/aalevel /var/cache/aalevel

say() { printf '\n$ %s\n' "$*"; }

say aalevel '&'
start=$(cut -d' ' -f1 /proc/uptime)
/usr/sbin/aalevel >/tmp/aalevel.log 2>&1 &
wait_for 60 /usr/bin/aalevelctl --quiet status >/dev/null 2>&1 || { cat /tmp/aalevel.log; die "the daemon did not answer"; }
wait_for 120 sh -c '/usr/bin/aalevelctl get | grep -qx default' || { cat /tmp/aalevel.log; die "level default was not applied"; }
echo "(ready after $(echo "$(cut -d' ' -f1 /proc/uptime) - $start" | bc) s; its log:)"
sed 's/^/  /' /tmp/aalevel.log

say aalevelctl status
aalevelctl status
say aalevelctl list
aalevelctl list
say aalevelctl diff strict
aalevelctl diff strict | tail -n 8
say aalevelctl set strict
aalevelctl set strict || die "set strict failed"
say aalevelctl status
aalevelctl status
say grep -c enforce /sys/kernel/security/apparmor/profiles
grep -c '(enforce)' /sys/kernel/security/apparmor/profiles
say aalevelctl profiles '|' head
aalevelctl profiles | head -n 12
