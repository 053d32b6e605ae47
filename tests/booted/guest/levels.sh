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
