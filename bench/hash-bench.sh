#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# hash-bench.sh [RUNS] [COMMIT]: builds bench/hash-bench.c against the
# hand-written daemon/hash.c of COMMIT (the last one that had it by
# default) and the libraries, and runs it on the files aalevel hashes:
# every profile file of the datasets in ../shared/datasets, then the
# compiled binaries in $HASH_BENCH_BLOBS (a directory, if set).
# Needs nettle-dev, libssl-dev, libgcrypt20-dev, libmd-dev.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-9}
commit=${2:-18c7662}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

git -C "$top" show "$commit:daemon/hash.c" >"$tmp/hash.c"
git -C "$top" show "$commit:daemon/hash.h" >"$tmp/hash.h"
prefix=""
for f in sha256_init sha256_update sha256_final sha256 sha1_init sha1_update sha1_final sha1 hex_encode; do
	prefix="$prefix -D$f=byhand_$f"
done
# shellcheck disable=SC2086 # the -D list
cc -O2 -I"$tmp" $prefix -c -o "$tmp/hash.o" "$tmp/hash.c"
# shellcheck disable=SC2046 # pkg-config's flags
cc -O2 -Wall -o "$tmp/hash-bench" "$top/bench/hash-bench.c" "$tmp/hash.o" \
	$(pkg-config --cflags --libs nettle libcrypto libgcrypt libmd)

echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"SHA extensions: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
echo "Libraries: nettle $(pkg-config --modversion nettle), OpenSSL $(pkg-config --modversion libcrypto)," \
	"libgcrypt $(pkg-config --modversion libgcrypt), libmd $(pkg-config --modversion libmd)"
for d in "$top"/../shared/datasets/*/; do
	echo
	echo "### Profile files: $(basename "$d")"
	# shellcheck disable=SC2046 # the file list
	"$tmp/hash-bench" "$runs" $(find "$d/tree" -type f | sort)
done
if [ -n "${HASH_BENCH_BLOBS:-}" ]; then
	echo
	echo "### Compiled binaries: $HASH_BENCH_BLOBS"
	# shellcheck disable=SC2046 # the file list
	"$tmp/hash-bench" "$runs" $(find "$HASH_BENCH_BLOBS" -type f | sort)
fi
