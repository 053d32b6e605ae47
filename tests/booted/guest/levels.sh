# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# levels.sh: helpers of the booted tests of the levels fsp and extreme
# (tests 6x and 7x), on top of lib.sh.
#
#   require_aalevel              skip when the package is not installed
#   boot_time                    when multi-user.target was reached, one line
#   unconfined_processes         "PID PPID COMM: CMDLINE" of every process
#                                that is not a kernel thread and is
#                                unconfined; nothing when there is none
#   label_summary                how many processes have each label
#   pid1_label                   PID 1's label
#   main_pid_label UNIT          the label of a unit's main process
#   assert_no_profile NAME       no profile NAME is loaded

require_aalevel() {
	# 50-purge.sh removes the package; tests after it have nothing to test.
	command -v aalevelctl >/dev/null && systemctl cat aalevel.service >/dev/null 2>&1 ||
		skip "aalevel is not installed (purged by an earlier test?)"
}

boot_time() {
	# systemd-analyze time waits for the end of the boot, which the
	# runner (a unit of it) delays: the time multi-user.target was
	# reached instead, split where PID 1 started (initramfs-tools runs no
	# systemd in the initramfs: the first part is kernel and initramfs).
	local mu us
	mu=$(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)
	us=$(systemctl show -P UserspaceTimestampMonotonic)
	awk -v mu="$mu" -v us="$us" 'BEGIN {
		printf "multi-user.target reached %.2f s after the kernel started (kernel and initramfs %.2f s, systemd %.2f s)\n",
			mu / 1e6, us / 1e6, (mu - us) / 1e6 }'
}

# A kernel thread has PF_KTHREAD (0x00200000) in the flags of
# /proc/PID/stat (field 9); so has kthreadd (PID 2), whose children all
# kernel threads are. A process the kernel starts itself (a usermode
# helper such as modprobe) is also a child of PID 2 but has no
# PF_KTHREAD once it runs a program: it counts.
unconfined_processes() {
	local d stat rest label f
	for d in /proc/[0-9]*; do
		{ stat=$(<"$d/stat"); } 2>/dev/null || continue
		rest=${stat##*) }
		read -r -a f <<<"$rest"
		((f[6] & 0x00200000)) && continue
		{ label=$(<"$d/attr/current"); } 2>/dev/null || continue
		[[ $label == unconfined ]] || continue
		printf '%s %s %s: %s\n' "${d#/proc/}" "${f[1]}" "$(<"$d/comm")" "$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)"
	done
}

label_summary() {
	local d stat rest f
	for d in /proc/[0-9]*; do
		{ stat=$(<"$d/stat"); } 2>/dev/null || continue
		rest=${stat##*) }
		read -r -a f <<<"$rest"
		((f[6] & 0x00200000)) && continue
		cat "$d/attr/current" 2>/dev/null
	done | sort | uniq -c | sort -rn
}

pid1_label() {
	cat /proc/1/attr/current
}

main_pid_label() {
	local pid
	pid=$(systemctl show -P MainPID "$1")
	[[ -n $pid && $pid != 0 ]] || return 1
	cat "/proc/$pid/attr/current"
}

# assert_no_profile NAME: no profile of that name in the kernel.
assert_no_profile() {
	local m
	m=$(profile_mode "$1")
	[[ -z $m ]] || die "profile $1 is still loaded ($m)"
}

# assert_policy_before_sysinit: every profile aalevel owns was in the
# kernel, as it is now, before sysinit.target was reached. Two records of
# the kernel's own, neither aalevel's word:
#  - the kernel's time of each profile's last load or replacement: the
#    modification time of its directory in apparmorfs (set when the
#    profile is created and again when a replacement takes its place),
#    on CLOCK_REALTIME, as sysinit.target's ActiveEnterTimestamp (read
#    over D-Bus in microseconds): the latest of them must come before;
#    the filesystem's clock is the coarse one (a tick, 4 ms, early at most);
#  - the snapshot booted-sysinit-probe.service (ordered after
#    aalevel.service and before sysinit.target) took of the kernel's
#    profiles: each owned profile's name, mode and hash then are those of
#    now, so that no later load changed what was there.
# Prints the figures; dies when either fails.
assert_policy_before_sysinit() {
	local snap=/run/booted-sysinit now t_sysinit t_probe m_sysinit btime latest='' latest_name='' d t n=0 p
	local -A owned=()
	while IFS= read -r p; do owned[$p]=1; done < <(owned_profiles) # names may have spaces (MongoDB Compass)
	((${#owned[@]} > 0)) || die "aalevel owns no loaded profile"
	t_sysinit=$(busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1/unit/sysinit_2etarget \
		org.freedesktop.systemd1.Unit ActiveEnterTimestamp | awk '{ print $2 }')
	[[ $t_sysinit =~ ^[1-9][0-9]*$ ]] || die "sysinit.target's ActiveEnterTimestamp: '$t_sysinit'"
	btime=$(awk '$1 == "btime" { print $2 }' /proc/stat)
	# apparmorfs has a directory per top-level profile; a child profile
	# (NAME//CHILD) is loaded with it, at its time.
	local -A loaded=()
	for d in /sys/kernel/security/apparmor/policy/profiles/*/; do
		loaded[$(<"$d/name")]=$(stat -c %.6Y "$d" | tr -d .)
	done
	local missing=''
	for p in "${!owned[@]}"; do
		t=${loaded[${p%%//*}]:-}
		[[ -n $t ]] || { missing+=" $p"; continue; }
		n=$((n + 1))
		((t / 1000000 >= btime - 1)) || die "profile $p: its load time ($t us) is before this boot ($btime s)"
		if [[ -z $latest ]] || ((t > latest)); then latest=$t latest_name=$p; fi
	done
	((n == ${#owned[@]})) || die "$n of the ${#owned[@]} owned profiles are in the kernel; not there:$missing"
	echo "policy: $n owned profiles; the last loaded ($latest_name) $(awk -v a="$latest" -v b="$t_sysinit" -v bt="$btime" \
		'BEGIN { printf "%.3f s after the kernel'"'"'s start (btime), %.3f s before sysinit.target (%.3f s)", a / 1e6 - bt, (b - a) / 1e6, b / 1e6 - bt }')"
	((latest < t_sysinit)) || die "profile $latest_name was loaded after sysinit.target was reached ($latest us >= $t_sysinit us)"

	[[ -s $snap/profiles ]] || die "booted-sysinit-probe.service recorded no policy ($(systemctl is-active booted-sysinit-probe.service))"
	t_probe=$(unit_prop booted-sysinit-probe.service ExecMainExitTimestampMonotonic)
	m_sysinit=$(unit_prop sysinit.target ActiveEnterTimestampMonotonic)
	((t_probe > 0 && t_probe <= m_sysinit)) ||
		die "booted-sysinit-probe.service did not finish before sysinit.target ($t_probe us, $m_sysinit us)"
	now=$BOOTED_DIR/policy-now
	/usr/lib/booted-test/policy-snapshot "$now"
	local diff
	# Owned lines of now that the snapshot lacks (absent then, or another
	# mode or hash).
	diff=$(LC_ALL=C comm -13 "$snap/profiles" <(for p in "${!owned[@]}"; do awk -F '\t' -v n="${p%%//*}" '$1 == n' "$now/profiles"; done | LC_ALL=C sort -u))
	[[ -z $diff ]] || die "owned profiles not in the kernel as now before sysinit.target (snapshot at $(<"$snap/uptime") s, revision $(<"$snap/revision")): $diff"
	echo "policy: the snapshot before sysinit.target (at $(<"$snap/uptime") s, revision $(<"$snap/revision"), $(wc -l <"$snap/profiles") profiles) holds every owned profile with its mode and hash of now (revision $(<"$now/revision"))"
}
