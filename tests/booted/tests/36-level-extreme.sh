#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped level extreme on Debian, with a level inheriting it that
# confines the user alice in the role confined_user, and aalevel's PAM
# profile enabled (pam-auth-update): after a reboot, alice's sessions
# (su, login) run stacked "confined_user//&unconfined", a program with a
# profile she runs gets "booted-whoami//&confined_user", bob (not
# configured) is not confined as a user, and nothing is unconfined. With
# users.namespace the user sees only the application's profile. Back at
# default, the generated profiles go, and pam_apparmor, still enabled,
# blocks no login. Two boots: the first (in a full run, the one where
# 35-level-fsp.sh ends) sets the level up, the second runs at it.
# shellcheck source-path=SCRIPTDIR/../guest source=lib.sh
. /usr/lib/booted-test/lib.sh
# shellcheck source-path=SCRIPTDIR/../guest source=levels.sh
. /usr/lib/booted-test/levels.sh
require_aalevel

app=/usr/lib/booted-test/whoami-app
gen=/var/lib/aalevel/generated

label_as() { # USER CMD: the label CMD runs under in USER's su session
	su -l "$1" -c "$2" </dev/null 2>&1
}

# A login through login(1) on a pseudo terminal, as getty would start it
# (script(1) gives it the terminal): prints the session's label. login is
# exec'ed, as agetty does, so that it leads the terminal's session: util-
# linux's login (trixie) puts itself in a process group of its own unless
# it leads the session, and run under sh -c it was then a background
# group, stopped by SIGTTOU at its first tcsetattr (shadow's login of
# bookworm did not change its group). The command is typed once the
# user's shell runs: login's vhangup() flushes what the terminal had read
# before.
login_label() {
	{
		for _ in $(seq 100); do
			pgrep -u "$1" -x bash >/dev/null && break
			sleep 0.1
		done
		printf 'cat /proc/self/attr/current; exit\n'
	} | timeout 30 script -qec "exec login -f $1" /dev/null 2>&1 | tr -d '\r' |
		grep -E '^[^ ]+ \((enforce|complain|mixed)\)$|^unconfined$' | head -n 1
}

case $BOOTED_STEP in
0)
	# mkimage installs libpam-apparmor, as a machine meant for this level
	# has it.
	[[ -e /lib/security/pam_apparmor.so || -e /lib/x86_64-linux-gnu/security/pam_apparmor.so ]] ||
		die "pam_apparmor.so is not installed (Debian package libpam-apparmor)"
	for u in alice bob; do
		id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u" || die "useradd $u failed"
	done
	DEBIAN_FRONTEND=noninteractive pam-auth-update --enable aalevel || die "pam-auth-update --enable aalevel failed"
	grep -E 'pam_apparmor\.so +order=user' /etc/pam.d/common-session || die "pam_apparmor is not in common-session"
	! grep -q pam_apparmor /etc/pam.d/common-session-noninteractive || die "pam_apparmor in non-interactive sessions"
	cat >/etc/aalevel/levels/extreme_test.yaml <<-'YAML'
		# booted tests: extreme with alice confined
		inherits: extreme
		users:
		  roles:
		    - { user: alice, role: confined_user }
	YAML
	cat >/etc/aalevel/levels/extreme_test_ns.yaml <<-'YAML'
		# booted tests: the same, application profiles in a namespace
		inherits: extreme
		users:
		  namespace: application
		  roles:
		    - { user: alice, role: confined_user }
	YAML
	out=$(aalevelctl reload 2>&1) || die "aalevelctl reload failed: $out"
	out=$(aalevelctl set extreme_test 2>&1) || die "aalevelctl set extreme_test failed: $out"
	out=$(aalevelctl confirm 2>&1) || die "aalevelctl confirm failed: $out"
	assert_eq extreme_test "$(aalevelctl get)" "level"
	ls -l "$gen/extreme_test"
	for p in aalevel-login aalevel-su aalevel-sshd; do
		assert_profile_mode "$p" enforce
		assert_profile_mode "$p//alice" enforce
	done
	assert_profile_mode confined_user enforce
	assert_profile_mode systemd enforce
	next_boot
	;;
1)
	assert_eq extreme_test "$(status_field level)" "level"
	echo "boot at extreme: $(boot_time)"
	assert_eq "systemd (enforce)" "$(pid1_label)" "PID 1's label"
	assert_eq active "$(systemctl is-active multi-user.target)" "multi-user.target"

	assert_eq "confined_user//&unconfined (enforce)" "$(label_as alice 'cat /proc/self/attr/current')" \
		"alice's su session"
	assert_eq "booted-whoami//&confined_user (enforce)" "$(label_as alice "$app")" \
		"a program with a profile in alice's session"
	# The role holds where the file permissions would let her: no writing
	# outside her home and the temporary directories (/run/lock is
	# world-writable), no running a program of her own outside ~/bin.
	out=$(label_as alice 'echo x >/run/lock/booted-role-x') && die "alice wrote in /run/lock: $out"
	echo "alice writing in /run/lock: $out"
	[[ ! -e /run/lock/booted-role-x ]] || die "alice's role let her write /run/lock/booted-role-x"
	out=$(label_as alice 'cp /usr/bin/true /tmp/alice-true && /tmp/alice-true && echo ran') &&
		die "alice ran a program of her own from /tmp: $out"
	echo "alice running /tmp/alice-true: $out"
	out=$(label_as alice 'touch ~/ok && echo wrote') || die "alice cannot write in her home: $out"
	assert_eq wrote "$out" "writing in the home directory"
	got=$(login_label alice)
	assert_eq "confined_user//&unconfined (enforce)" "$got" "alice's login(1) session"
	# bob and root have no role: the login programs' own profiles.
	assert_eq "aalevel-su (enforce)" "$(label_as bob 'cat /proc/self/attr/current')" "bob's su session"
	assert_eq "aalevel-su//&booted-whoami (enforce)" "$(label_as bob "$app")" "a program with a profile in bob's session"
	got=$(login_label bob)
	assert_eq "aalevel-login (enforce)" "$got" "bob's login(1) session"

	leftover=$(unconfined_processes)
	[[ -z $leftover ]] || die "unconfined processes: $leftover"
	label_summary
	journalctl -b --no-pager -t su -t login | grep -i pam_apparmor | tail -n 5

	# With the application namespace (no reboot needed: the next session).
	out=$(aalevelctl set extreme_test_ns --confirm 0 2>&1) || die "aalevelctl set extreme_test_ns failed: $out"
	assert_profile_mode :application:booted-whoami enforce
	assert_eq unconfined "$(label_as alice 'cat /proc/self/attr/current')" \
		"alice's session as she sees it, with the namespace"
	assert_eq "booted-whoami (enforce)" "$(label_as alice "$app")" \
		"the application's label as alice sees it, with the namespace"
	su -l alice -c 'exec sleep 30' </dev/null &
	for _ in $(seq 50); do
		pid=$(pgrep -u alice -x sleep | head -n 1)
		[[ -n $pid ]] && break
		sleep 0.1
	done
	[[ -n ${pid:-} ]] || die "alice's sleep did not start"
	assert_eq "confined_user//&:application:unconfined (enforce)" "$(cat "/proc/$pid/attr/current")" \
		"alice's session as root sees it, with the namespace"
	kill "$pid"
	wait

	# Back to default: the generated profiles and the role leave the
	# kernel; pam_apparmor, still enabled, keeps nobody out.
	out=$(aalevelctl set default 2>&1) || die "aalevelctl set default failed: $out"
	for p in aalevel-login aalevel-su aalevel-sshd confined_user systemd :application:booted-whoami; do
		assert_no_profile "$p"
	done
	assert_eq unconfined "$(label_as alice 'cat /proc/self/attr/current')" "alice's su session at default"
	assert_eq unconfined "$(login_label alice)" "alice's login(1) session at default"
	assert_eq "booted-whoami (enforce)" "$(label_as alice "$app")" "alice's program at default"
	DEBIAN_FRONTEND=noninteractive pam-auth-update --disable aalevel || die "pam-auth-update --disable aalevel failed"
	! grep -q pam_apparmor /etc/pam.d/common-session || die "pam_apparmor is still in common-session"
	;;
esac
