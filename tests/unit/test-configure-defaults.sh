#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# configure's installation paths as SPEC has them: without --runstatedir
# the runtime directory (and with it the private bus, /run/aalevel/bus)
# is under /run, not autoconf's ${localstatedir}/run; an explicit
# --runstatedir is kept. Runs configure (with --disable-tests, cached
# between the two runs) in a scratch directory.
set -u

top=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top=$(cd "$top" && pwd)
if [ ! -x "$top/configure" ]; then
	echo "no configure script in $top" >&2
	exit 77
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0

# runtime_dir ARG...: configures with ARG... and prints the Makefile's
# runstatedir as configure set it (unexpanded).
runtime_dir() {
	rm -rf "$scratch/b" && mkdir "$scratch/b" &&
		(cd "$scratch/b" && "$top/configure" -C --cache-file="$scratch/cache" --disable-tests \
			--prefix=/usr --sysconfdir=/etc --localstatedir=/var "$@" >configure.out 2>&1) || {
		echo "configure $* failed:" >&2
		tail -n 20 "$scratch/b/configure.out" >&2
		return 1
	}
	sed -n 's/^runstatedir = //p' "$scratch/b/Makefile"
}

expect() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1: $3"
	else
		echo "FAIL: $1: runstatedir is '$3', expected '$2'"
		failures=$((failures + 1))
	fi
}

expect "no --runstatedir" /run "$(runtime_dir)" || exit 1
expect "--runstatedir=/srv/run" /srv/run "$(runtime_dir --runstatedir=/srv/run)"
[ "$failures" -eq 0 ]
