#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `systemctl reload aalevel` and `systemctl restart aalevel` keep the policy
# loaded throughout: a sampler reading the kernel's profile list the whole
# time never misses a profile aalevel owns.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh

mapfile -t owned < <(owned_profiles)
((${#owned[@]} > 0)) || die "aalevel owns no profiles"
printf '%s (\n' "${owned[@]}" >"$TMPDIR/owned"

# The sampler: each sample is one read of the profiles file.
(
	n=0 bad=0
	while [[ ! -e $TMPDIR/stop ]]; do
		snap=$(<"$APPARMORFS/profiles")
		n=$((n + 1))
		missing=$(grep -vxFf <(sed 's/ (.*//; s/$/ (/' <<<"$snap") "$TMPDIR/owned") || true
		if [[ -n $missing ]]; then
			bad=$((bad + 1))
			echo "sample $n: missing ${missing//$'\n'/ }" >>"$TMPDIR/missing"
		fi
	done
	echo "$n $bad" >"$TMPDIR/samples"
) &
sampler=$!
trap 'kill "$sampler" 2>/dev/null; rm -f /etc/apparmor.d/local/usr.bin.aalevelctl' EXIT

# A reload with work to do: an override changes aalevelctl's profile.
echo '  /tmp/booted-reload-test r,' >/etc/apparmor.d/local/usr.bin.aalevelctl
rev0=$(kernel_revision)
systemctl reload aalevel.service || die "systemctl reload failed"
assert_eq active "$(systemctl is-active aalevel.service)" "after reload"
wait_for 10 test "$(kernel_revision)" -gt "$rev0" || die "the changed profile was not replaced"
echo "reload: revision $rev0 -> $(kernel_revision)"

pid0=$(unit_prop aalevel.service MainPID)
systemctl restart aalevel.service || die "systemctl restart failed"
pid1=$(unit_prop aalevel.service MainPID)
[[ $pid0 != "$pid1" ]] || die "the daemon was not restarted"
assert_eq "aalevel (enforce)" "$(cat "/proc/$pid1/attr/current")" "the restarted daemon's label"
echo "restart: daemon $pid0 -> $pid1"

# A stop, then a client while it is stopped: its connection starts the
# daemon (aalevel.socket) and is answered.
systemctl stop aalevel.service
assert_eq inactive "$(systemctl is-active aalevel.service)" "after stop"
timeout 30 aalevelctl status || die "aalevelctl status through the socket while stopped failed"
level=
for _ in $(seq 30); do
	level=$(timeout 10 aalevelctl --quiet get) && [[ $level == default ]] && break
	sleep 1
done
assert_eq default "$level" "the level the socket-activated daemon reports"
assert_eq active "$(systemctl is-active aalevel.service)" "started again by its socket"

touch "$TMPDIR/stop"
wait "$sampler"
read -r n bad <"$TMPDIR/samples"
echo "sampler: $n samples, $bad with an owned profile missing"
((bad == 0)) || die "owned profiles went missing: $(head -n 5 "$TMPDIR/missing")"
((n >= 20)) || die "too few samples ($n)"
