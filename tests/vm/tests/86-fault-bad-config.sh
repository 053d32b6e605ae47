#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed configuration of every kind written while the daemon runs: INI
# (aalevel.conf and drop-ins) and YAML (level files, the one in use and
# others). Each time the status's Errors names the file and line, the
# previous valid configuration stays in force (the level, the policy in
# the kernel), and the error goes away when the file is fixed.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,' 'flags=(complain)'
write_profile "$pd" t-b '  /etc/hostname r,'
test_config "$pd" debounce_ms=50
levels=$TMPDIR/levels
mkdir -p "$levels" "$AALEVEL_CONF.d"
printf 'description: A level of the admin\ninherits: strict\n' >"$levels/custom.yaml"
printf 'description: Another\ninherits: default\n' >"$levels/other.yaml"
start_daemon
wait_idle
aalevelctl set custom || die "set custom failed"
a=$(raw_sha1 t-a) b=$(raw_sha1 t-b)
rev=$(kernel_revision) || exit 1
good_conf=$(cat "$AALEVEL_CONF")

errors() { aalevelctl status --json | sed -n 's/.*"errors":\[\(.*\)\].*/\1/p'; }

# unchanged WHAT: the previous configuration in force, nothing written.
unchanged() {
	assert_eq custom "$(status_field level)" "$1: the level"
	assert_profile_mode t-a enforce
	assert_eq "$a" "$(raw_sha1 t-a)" "$1: t-a's binary"
	assert_eq "$b" "$(raw_sha1 t-b)" "$1: t-b's binary"
	assert_eq "$rev" "$(kernel_revision)" "$1: the policy revision"
}

# bad FILE EXPECTED WHAT: FILE now holds bad content; Errors must show
# EXPECTED (FILE:LINE...) within 10 s.
bad() {
	_t=100
	until aalevelctl status --json | grep -qF -- "$2"; do
		_t=$((_t - 1))
		[ "$_t" -gt 0 ] || {
			aalevelctl status
			_daemon_log
			die "$3: the errors do not show '$2' (they are: $(errors))"
		}
		sleep 0.1
	done
	wait_idle
	echo "$3: $(errors)"
	unchanged "$3"
}

# fixed WHAT: no errors any more within 10 s.
fixed() {
	wait_for 10 sh -c '/usr/bin/aalevelctl status --json | grep -q "\"errors\":\[\]"' ||
		die "$1: errors remain after the fix: $(errors)"
	wait_idle
	unchanged "$1 (fixed)"
}

d=$AALEVEL_CONF.d/50-bad.conf
ini() { # ini NAME EXPECTED CONTENT (printf format)
	# shellcheck disable=SC2059 # the content is a format on purpose
	printf "$3" >"$d"
	bad "$d" "$d:$2" "INI $1"
	rm "$d"
	fixed "INI $1"
}
ini "unknown key" "3: unknown key 'bogus'" '[daemon]\njobs = 2\nbogus = 1\n'
ini "unknown section" "2: unknown section [demon]" '[demon]\nlevel = strict\n'
ini "bad number" "2: jobs: 'many'" '[daemon]\njobs = many\n'
ini "number out of range" "2: debounce_ms: '99999999'" '[daemon]\ndebounce_ms = 99999999\n'
ini "relative path" "2: cache_dir: 'var/cache' is not an absolute path" '[daemon]\ncache_dir = var/cache\n'
ini "dot-dot path" "2: policy_dir: '/etc/../tmp' must not contain '..'" '[daemon]\npolicy_dir = /etc/../tmp\n'
ini "bad level name" "2: level: 'Strict!'" '[daemon]\nlevel = Strict!\n'
ini "no equals sign" "2: syntax error" '[daemon]\njust some words\n'
ini "unterminated section" "1: syntax error" '[daemon\nlevel = strict\n'
ini "key before any section" "1: unknown section []" 'level = strict\n'
ini "control character" "2: control character or binary data" '[daemon]\nlevel = str\001ict\n'
long=$(head -c 400 /dev/zero | tr '\0' x)
ini "over-long line" "2: line too long" "[daemon]\nlevel = $long\n"
printf '[daemon]\nlevel = strict\n\000\n' >"$d"
bad "$d" "$d: binary data (NUL byte)" "INI NUL byte"
rm "$d"
fixed "INI NUL byte"
/usr/bin/dd if=/dev/zero bs=1M count=2 status=none | tr '\0' '#' >"$d"
bad "$d" "$d: file too large" "INI huge file"
rm "$d"
fixed "INI huge file"
# The main file itself.
printf '[daemon]\npolicy_dir = %s\njobs = \n' "$pd" >"$AALEVEL_CONF"
bad "$AALEVEL_CONF" "$AALEVEL_CONF:3: jobs: ''" "INI main file"
echo "$good_conf" >"$AALEVEL_CONF"
fixed "INI main file"

# YAML: another level's file, then the file of the level in use.
y=$levels/other.yaml
yaml() { # yaml NAME EXPECTED CONTENT (printf format) [FILE]
	_f=${4:-$y}
	_keep=$(cat "$_f")
	# shellcheck disable=SC2059 # the content is a format on purpose
	printf "$3" >"$_f"
	bad "$_f" "$_f:$2" "YAML $1 ($(basename "$_f"))"
	echo "$_keep" >"$_f"
	fixed "YAML $1 ($(basename "$_f"))"
}
yaml "syntax error" "2: YAML syntax error" 'description: x\n  - : [\n'
yaml "unknown key" "2: unknown key 'color'" 'description: x\ncolor: blue\n'
yaml "wrong type" "1: 'description' must be a single value, not a list" 'description: [a, b]\n'
yaml "bad mode" "1: 'mode' must be keep, enforce or complain, not 'loud'" 'mode: loud\n'
yaml "bad boolean" "1: 'disable' must be true or false, not 'maybe'" 'disable: maybe\n'
yaml "bad number" "1: 'confirm' must be a whole number" 'confirm: -5\n'
yaml "name mismatch" "1: name 'something' does not match the file name" 'name: something\n'
yaml "duplicate key" "2: duplicate key 'mode'" 'mode: keep\nmode: enforce\n'
yaml "alias" "1: YAML anchors are not supported" 'description: &d x\nmode: *d\n'
yaml "two documents" "3: more than one YAML document" 'mode: keep\n---\nmode: enforce\n'
yaml "not a mapping" "1: a level file must be a mapping" '- a\n- b\n'
yaml "missing parent" "1: level 'other' inherits 'nonexistent', which is not defined" 'inherits: nonexistent\n'
yaml "tab indentation" "2: YAML syntax error" 'profiles:\n\tinclude: [a]\n'
yaml "binary" "1: binary data (NUL byte)" 'mode: keep\n\000\n'
# An inheritance cycle through two files.
printf 'inherits: other\n' >"$levels/third.yaml"
yaml "cycle" "1: inheritance cycle: other -> third -> other" 'inherits: third\n'
rm "$levels/third.yaml"
# The level in use.
yaml "syntax error" "2: YAML syntax error" 'inherits: [strict\n' "$levels/custom.yaml"
yaml "unknown key" "2: unknown key 'colour'" 'inherits: strict\ncolour: red\n' "$levels/custom.yaml"
grep -q "applying level default instead" "$AALEVEL_LOG" && die "a broken level file lowered the level to default"
# A policy change while the level in use is broken: nothing is lowered.
keep=$(cat "$levels/custom.yaml")
printf 'inherits: strict\ncolour: red\n' >"$levels/custom.yaml"
bad "$levels/custom.yaml" "$levels/custom.yaml:2: unknown key 'colour'" "YAML level in use broken"
echo '/srv/b r,' >"$pd/local/t-b"
sleep 1
wait_idle
aalevelctl status
assert_eq custom "$(status_field level)" "the level with its file broken and the policy changed"
tail -n 4 "$AALEVEL_LOG"
# E3: the reload the change asked for was refused, and says so.
grep -q 'Reloading level custom was refused' "$AALEVEL_LOG" || die "the refused reload was not logged"
"$AALEVELCTL_BIN" status | grep -q 'not defined' || die "the refused reload is not in the errors of status"
assert_profile_mode t-a enforce
echo "$keep" >"$levels/custom.yaml"
wait_sha1_change t-b "$b" 20
wait_idle
assert_profile_mode t-a enforce
assert_eq custom "$(status_field level)" "the level at the end"

echo "the log names every rejected file:"
grep -c "Configuration rejected\|Level definition left out" "$AALEVEL_LOG"
stop_daemon
