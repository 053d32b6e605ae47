#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# aalevel's units against the apparmor.service of the release it runs on
# (make check on the host, bookworm; tools/release-build --check runs it
# in the trixie and sid roots, against their apparmor and systemd):
#   1. the drop-in apparmor.service.d/aalevel.conf only orders the unit
#      after aalevel.service and adds its ExecCondition=: no Exec*= of its
#      own (no second or conflicting ExecStart), no change of Type=,
#      DefaultDependencies=, Before= or [Install];
#   2. the merged unit (the release's apparmor.service, then the drop-in,
#      as systemd reads them: what `systemctl cat` shows) still runs the
#      release's own ExecStart once, before sysinit.target, after
#      aalevel.service, with the condition; aalevel.service is ordered as
#      the release's apparmor.service is (before sysinit.target, wanted by
#      what wants it);
#   3. `systemd-analyze verify` of the units with the drop-in, with the
#      release's apparmor.service and systemd, is clean (no unknown keys,
#      no ordering cycle);
#   4. apparmor-condition, with the release's own rc.apparmor.functions:
#      exit 0 (load) when aalevel.service is inactive or has no level, 1
#      (skip) when it has one, and when skipping still does what the
#      release's load does besides loading: AppArmor 5.0's userns sysctl
#      (check_and_set_userns), with a fake sysctl;
#   5. the release's load path (apparmor.systemd reload: the functions it
#      reaches in rc.apparmor.functions) holds no step this test does not
#      know of, and sets no sysctl outside check_and_set_userns: a new
#      AppArmor that does more at boot fails here rather than being
#      skipped silently on that release.
# Skipped (77) where the release has no apparmor.service.
set -u

builddir=$(pwd)
for f in units/apparmor.service.d/aalevel.conf units/aalevel.service units/aalevel.socket units/apparmor-condition; do
	[[ -f $builddir/$f ]] || { echo "no $f in $builddir (run from the build directory after make)" >&2; exit 99; }
done
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}

unit=''
for d in /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system; do
	[[ -f $d/apparmor.service ]] && { unit=$d/apparmor.service; break; }
done
[[ -n $unit ]] || { echo "SKIP: no apparmor.service here"; exit 77; }
functions=/lib/apparmor/rc.apparmor.functions
script=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit" | head -n 1)
release=$( (. /etc/os-release && echo "${PRETTY_NAME:-?}") 2>/dev/null)
apparmor=$(dpkg-query -W -f '${Version}' apparmor 2>/dev/null || echo '?')
echo "release: $release, apparmor $apparmor, $unit"

failures=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# settings FILE...: the unit files read in order as systemd does, one
# "Section.Key=value" line per assignment; an empty assignment of a list
# setting resets it (printed as "Section.Key=").
settings() {
	awk '
		/^[ \t]*[#;]/ || /^[ \t]*$/ { next }
		/^\[.*\]$/ { section = substr($0, 2, length($0) - 2); next }
		{
			line = $0
			while (line ~ /\\$/ && (getline nxt) > 0) line = substr(line, 1, length(line) - 1) " " nxt
			k = line; sub(/=.*/, "", k); gsub(/[ \t]/, "", k)
			v = line; sub(/^[^=]*=[ \t]*/, "", v)
			print section "." k "=" v
		}' "$@"
}
# merged FILE... KEY: the value list of Section.Key after all files
# (space separated words for dependencies, one line per command for Exec*).
merged() {
	local key=${*: -1}
	settings "${@:1:$#-1}" | awk -v key="$key" '
		index($0, key "=") == 1 {
			v = substr($0, length(key) + 2)
			if (v == "") { n = 0; next }
			n++; val[n] = v
		}
		END { for (i = 1; i <= n; i++) print val[i] }'
}
words() { tr ' ' '\n' | grep -v '^$' | sort -u; }
has_word() { words | grep -qxF "$1"; }

dropin=$builddir/units/apparmor.service.d/aalevel.conf

# 1. The drop-in's own assignments.
other=$(settings "$dropin" | grep -vE '^(Unit\.After=aalevel\.service|Service\.ExecCondition=.*)$')
if [[ -z $other ]]; then
	ok "the drop-in sets After=aalevel.service and ExecCondition= only"
else
	fail "the drop-in sets more than After=aalevel.service and ExecCondition=: $other"
fi
cond=$(merged "$dropin" Service.ExecCondition)
[[ $(grep -c . <<<"$cond") == 1 && $cond == */apparmor-condition ]] &&
	ok "ExecCondition=$cond" || fail "the drop-in's ExecCondition is not the one apparmor-condition: $cond"

# 2. The merged unit.
start_main=$(merged "$unit" Service.ExecStart)
start=$(merged "$unit" "$dropin" Service.ExecStart)
[[ $(grep -c . <<<"$start") == 1 && $start == "$start_main" ]] &&
	ok "merged ExecStart is the release's own, once: $start" ||
	fail "merged ExecStart differs from the release's ($start_main): $start"
for key in Service.Type Unit.DefaultDependencies Install.WantedBy Unit.Before Service.ExecReload Service.ExecStop; do
	a=$(merged "$unit" "$key") b=$(merged "$unit" "$dropin" "$key")
	[[ $a == "$b" ]] || fail "the drop-in changes $key: '$a' becomes '$b'"
done
merged "$unit" "$dropin" Unit.Before | has_word sysinit.target &&
	ok "merged apparmor.service is Before=sysinit.target" || fail "merged apparmor.service is not before sysinit.target"
[[ $(merged "$unit" "$dropin" Unit.DefaultDependencies) == no ]] ||
	fail "merged apparmor.service has default dependencies (it would be after sysinit.target)"
merged "$unit" "$dropin" Unit.After | has_word aalevel.service &&
	ok "merged apparmor.service is After=aalevel.service" || fail "merged apparmor.service is not after aalevel.service"
[[ $(merged "$unit" "$dropin" Service.ExecCondition) == "$cond" ]] || fail "the merged unit lost the drop-in's ExecCondition"

svc=$builddir/units/aalevel.service
merged "$svc" Unit.Before | has_word sysinit.target || fail "aalevel.service is not before sysinit.target"
[[ $(merged "$svc" Unit.DefaultDependencies) == no ]] || fail "aalevel.service has default dependencies"
for t in $(merged "$unit" Install.WantedBy | words); do
	merged "$svc" Install.WantedBy | has_word "$t" || fail "apparmor.service is wanted by $t, aalevel.service is not"
done
for t in $(merged "$unit" Unit.Before | words); do
	merged "$svc" Unit.Before | has_word "$t" || fail "apparmor.service is before $t, aalevel.service is not"
done
# aalevel.service must not wait for anything apparmor.service is after
# besides what it is after itself (local file systems, the journal): it is
# ordered before apparmor.service.
for t in $(merged "$svc" Unit.After | words); do
	case $t in
	apparmor.service | sysinit.target | basic.target) fail "aalevel.service is after $t: an ordering cycle with apparmor.service" ;;
	esac
done
ok "aalevel.service: Before=$(merged "$svc" Unit.Before | words | tr '\n' ' ')WantedBy=$(merged "$svc" Install.WantedBy)"

# 3. systemd-analyze verify, with the release's systemd, of the units in a
# unit directory of their own (first in the search path, the release's
# directories after it); the programs are the build tree's.
if command -v systemd-analyze >/dev/null; then
	u=$scratch/units
	mkdir -p "$u/apparmor.service.d"
	fix() {
		sed -E -e "s#^(Exec[A-Za-z]*=[-@!+:]*)[^ ]*/sbin/aalevel( |\$)#\\1$builddir/aalevel\\2#" \
			-e "s#^(Exec[A-Za-z]*=[-@!+:]*)[^ ]*/apparmor-condition\$#\\1$builddir/units/apparmor-condition#" "$1"
	}
	fix "$svc" >"$u/aalevel.service"
	cp "$builddir/units/aalevel.socket" "$u/aalevel.socket" # generated: its Varlink line
	fix "$dropin" >"$u/apparmor.service.d/aalevel.conf"
	cp "$unit" "$u/apparmor.service"
	out=$(SYSTEMD_UNIT_PATH=$u: SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
		"$u/aalevel.service" "$u/aalevel.socket" "$u/apparmor.service" 2>&1)
	rc=$?
	# Only what concerns these units counts (a chroot's other units may
	# have complaints of their own).
	bad=$(grep -E 'aalevel|apparmor\.service|cycle|Unknown (key|section|lvalue)|[Ff]ailed' <<<"$out")
	if ((rc == 0)) && [[ -z $bad ]]; then
		ok "systemd-analyze verify ($(systemd-analyze --version | head -n 1)): clean"
	else
		fail "systemd-analyze verify (exit $rc): ${bad:-$out}"
	fi
else
	echo "note: no systemd-analyze here, verify not run"
fi

# 4. apparmor-condition against the release's rc.apparmor.functions.
fake=$scratch/bin
mkdir -p "$fake"
cat >"$fake/systemctl" <<-'EOF'
	#!/bin/sh
	[ "$FAKE_ACTIVE" = yes ]
EOF
cat >"$fake/aalevelctl" <<-'EOF'
	#!/bin/sh
	printf '%s' "$FAKE_LEVEL"
EOF
# kernel.apparmor_restrict_unprivileged_userns reads as 1 (sysctl.d asked
# for it); writes are recorded.
cat >"$fake/sysctl" <<-'EOF'
	#!/bin/sh
	echo "$*" >>"$FAKE_SYSCTL_LOG"
	case "$*" in *-n*kernel.apparmor_restrict_unprivileged_userns*) echo 1 ;; esac
EOF
chmod +x "$fake"/*
run_cond() { # ACTIVE LEVEL: prints the exit status
	: >"$scratch/sysctl.log"
	FAKE_ACTIVE=$1 FAKE_LEVEL=$2 FAKE_SYSCTL_LOG=$scratch/sysctl.log AALEVEL_CTL=$fake/aalevelctl \
		AALEVEL_APPARMOR_FUNCTIONS=$functions PATH=$fake:$PATH \
		"$builddir/units/apparmor-condition" >"$scratch/cond.out" 2>&1
	echo $?
}
[[ $(run_cond no default) == 0 ]] && ok "apparmor-condition: aalevel.service inactive: load" ||
	fail "apparmor-condition skips apparmor.service with aalevel.service inactive"
[[ $(run_cond yes '') == 0 ]] && ok "apparmor-condition: aalevel.service without a level: load" ||
	fail "apparmor-condition skips apparmor.service while aalevel has no level"
[[ $(run_cond yes default) == 1 ]] && ok "apparmor-condition: aalevel.service with a level: skip" ||
	fail "apparmor-condition does not skip apparmor.service with aalevel's level in the kernel ($(cat "$scratch/cond.out"))"
writes=$(grep -e '-w' "$scratch/sysctl.log")
feature=/sys/kernel/security/apparmor/features/policy/unconfined_restrictions/userns
unconfined=$(cat "$feature" 2>/dev/null || echo 0)
if [[ -f $functions ]] && grep -q '^check_and_set_userns *()' "$functions"; then
	if [[ $unconfined == 0 || $unconfined == no ]]; then
		[[ $writes == *kernel.apparmor_restrict_unprivileged_userns=0* ]] &&
			ok "skipped, apparmor-condition still turns the userns restriction off (no unconfined userns restrictions here), as $script would: $writes" ||
			fail "skipped, apparmor-condition leaves kernel.apparmor_restrict_unprivileged_userns=1 where $script sets it to 0 (sysctl calls: $(tr '\n' ';' <"$scratch/sysctl.log"))"
	else
		[[ -z $writes ]] && ok "skipped, apparmor-condition keeps the userns restriction (the kernel restricts unconfined userns)" ||
			fail "apparmor-condition wrote a sysctl the release's script would not: $writes"
	fi
else
	[[ -z $writes ]] && ok "apparmor $apparmor has no userns step; apparmor-condition sets no sysctl" ||
		fail "apparmor-condition wrote a sysctl on a release whose script sets none: $writes"
fi

# 5. What the release's load path runs, from rc.apparmor.functions: the
# functions reachable from apparmor_restart (apparmor.systemd reload).
if [[ -f $functions ]]; then
	# All load policy or only look (skip_profile: a file name filter of
	# bookworm's load; mount_securityfs: systemd has mounted it already),
	# but check_and_set_userns, which apparmor-condition runs.
	known="apparmor_restart apparmor_start __apparmor_restart is_apparmor_loaded is_apparmor_present
		is_securityfs_mounted mount_securityfs parse_profiles __parse_profiles_dir check_and_set_userns
		is_container_with_internal_policy skip_profile"
	# bodies: "function line" for each line of each function.
	bodies=$(awk '
		/^[A-Za-z_][A-Za-z0-9_]* *\(\) *\{?$/ { f = $1; sub(/\(.*/, "", f); next }
		/^}/ { f = ""; next }
		f != "" { print f " " $0 }' "$functions")
	defined=$(cut -d' ' -f1 <<<"$bodies" | sort -u)
	body() { awk -v f="$1" '$1 == f { sub(/^[^ ]+ /, ""); print }' <<<"$bodies"; }
	reach=apparmor_restart todo=apparmor_restart
	while [[ -n $todo ]]; do
		next=''
		for f in $todo; do
			for g in $(body "$f" | grep -oE '[A-Za-z_][A-Za-z0-9_]*' | sort -u | grep -xF "$defined"); do
				[[ " $reach " == *" $g "* ]] && continue
				reach+=" $g" next+=" $g"
			done
		done
		todo=$next
	done
	unknown=''
	for f in $reach; do [[ " $(echo $known) " == *" $f "* ]] || unknown+=" $f"; done
	[[ -z $unknown ]] && ok "the load path of $functions runs:$(tr ' ' '\n' <<<"$reach" | sort | tr '\n' ' ')" ||
		fail "the load path of $functions runs what apparmor-condition does not know of:$unknown (skipped under aalevel: is that safe?)"
	sysctls=$(awk '$1 != "check_and_set_userns" && / sysctl / && / -w / { print $1 }' <<<"$bodies" | sort -u)
	[[ -z $sysctls ]] || fail "$functions sets a sysctl outside check_and_set_userns, in: $sysctls"
else
	echo "note: no $functions"
fi

((failures == 0)) || { echo "$failures failure(s)"; exit 1; }
