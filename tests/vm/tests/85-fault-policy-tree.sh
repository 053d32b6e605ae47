#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad things in the policy tree, each in its own profile: an include loop,
# a symlink loop, a 10 MB binary file, a FIFO, a file that cannot be read
# (EIO: root passes permission checks, so chmod 000 would not do; a link
# to /proc/self/mem reads as EIO at offset 0), and files appearing and
# vanishing between the scan and the read while reloads run. Each time the
# other profiles load and the failure is named, with its file; nothing
# loaded is lost; the daemon keeps running and converges afterwards.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-good '  /etc/hostname r,'
write_profile "$pd" t-good2 '  /etc/hostname r,'
load_profile_text foreign 'abi <abi/3.0>,
profile foreign { /etc/hostname r, }'
foreign=$(raw_sha1 foreign)

# An include loop through abstractions: a -> b -> a.
mkdir -p "$pd/abstractions/t-loop"
printf '/etc/loop-a r,\ninclude <abstractions/t-loop/b>\n' >"$pd/abstractions/t-loop/a"
printf '/etc/loop-b r,\ninclude <abstractions/t-loop/a>\n' >"$pd/abstractions/t-loop/b"
write_profile "$pd" t-incloop '  include <abstractions/t-loop/a>'
# A symlink loop where an override is looked for.
ln -s t-symloop.2 "$pd/local/t-symloop"
ln -s t-symloop "$pd/local/t-symloop.2"
write_profile "$pd" t-symloop '  /etc/hostname r,'
# 10 MB of binary data as a profile file.
/usr/bin/dd if=/dev/urandom of="$pd/t-huge" bs=1M count=10 status=none
# A FIFO as an override: never opened for a blocking read.
write_profile "$pd" t-fifo '  /etc/hostname r,'
mkfifo "$pd/local/t-fifo"
# EIO on read.
write_profile "$pd" t-eio '  /etc/hostname r,'
ln -s /proc/self/mem "$pd/local/t-eio"

test_config "$pd" debounce_ms=50
start_daemon
wait_idle 120
aalevelctl status
aalevelctl profiles
out=$(aalevelctl profiles 2>&1)
assert_profile_loaded t-good
assert_profile_loaded t-good2
for bad in t-symloop t-huge t-fifo t-eio; do
	line=$(echo "$out" | grep "^$pd/$bad:") || die "no error shown for $bad"
	echo "$bad: $line"
	assert_profile_absent "$bad"
done
assert_contains "$(echo "$out" | grep "^$pd/t-symloop:")" "symlink loop"
assert_contains "$(echo "$out" | grep "^$pd/t-huge:")" "too large"
assert_contains "$(echo "$out" | grep "^$pd/t-fifo:")" "not a regular file"
assert_contains "$(echo "$out" | grep "^$pd/t-eio:")" "Input/output error"
# The include loop: the parser ends it as apparmor_parser does (or fails
# with a message); the profile is reported either way.
if profile_mode t-incloop | grep -q .; then
	echo "t-incloop loaded (the loop was cut)"
else
	echo "$out" | grep "^$pd/t-incloop:" || die "t-incloop neither loaded nor reported"
fi
assert_eq "$foreign" "$(raw_sha1 foreign)" "the foreign binary"
good=$(raw_sha1 t-good)

# Files that vanish: profiles and overrides created and deleted in a loop
# while the daemon reloads (debounce 50 ms), for about 8 seconds.
end=$(($(cut -d. -f1 /proc/uptime) + 8))
i=0
while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
	i=$((i + 1))
	write_profile "$pd" "t-flap-$((i % 4))" '  /etc/hostname r,'
	echo "/srv/flap-$i r," >"$pd/local/t-good2"
	echo "/srv/gone r," >"$pd/local/t-good"
	rm -f "$pd/local/t-good" "$pd/t-flap-$(((i + 2) % 4))"
	[ $((i % 5)) -eq 0 ] && rm -f "$pd"/t-flap-*
	sleep 0.05
done
rm -f "$pd"/t-flap-* "$pd/local/t-good2"
echo "$i rounds of files appearing and vanishing"
kill -0 "$AALEVEL_PID" || die "the daemon died"
sleep 1
wait_idle 120
aalevelctl profiles | tail -n 1
assert_eq "$good" "$(raw_sha1 t-good)" "t-good (its override came and went)"
assert_profile_loaded t-good2
for k in 0 1 2 3; do assert_profile_absent "t-flap-$k"; done
assert_eq "$foreign" "$(raw_sha1 foreign)" "the foreign binary after the churn"
# Converged: a reload writes nothing to the kernel (the failures stay, so
# every reload is logged; the policy revision is what counts).
rev=$(kernel_revision) || exit 1
aalevelctl reload >/dev/null 2>&1
assert_eq "$rev" "$(kernel_revision)" "the policy revision after a reload after the churn"

# Fixed files load.
rm "$pd/local/t-symloop" "$pd/local/t-fifo" "$pd/local/t-eio" "$pd/t-huge"
sleep 1
wait_idle 60
for p in t-symloop t-fifo t-eio; do assert_profile_loaded "$p"; done
stop_daemon
