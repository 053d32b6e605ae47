#!/bin/bash
# Regenerates the crafted samples: what apparmor_parser prints on stderr for
# the profiles in src/. Run as root (the unreadable include is read as
# nobody) on Debian bookworm (apparmor_parser 3.0.8). The profiles are
# copied to /tmp/aalevel-parser-error first, so that path appears in the
# samples, and the 12 files of the apparmor.d data set that do not
# compile give tree-*.txt.
set -u
here=$(cd "$(dirname "$0")" && pwd)
features=${FEATURES:-/work/shared/kernel/debian-6.1-amd64.features}
tree=${TREE:-/work/shared/datasets/apparmor.d/tree}
w=/tmp/aalevel-parser-error

rm -rf "$w"
mkdir -p "$w"
cp -r "$here"/src/. "$w"/
cp -r /etc/apparmor.d/abi "$w"/
chmod -R a+rX "$w"
chmod 000 "$w"/abstractions/secret
# The same kernel without network_v8: network, unix and dbus rules are then
# "not enforced", which the parser warns about.
sed '/^network_v8 {/,/^policy {/{/^policy {/!d}' "$features" > "$w"/nonet.features

parser() {
        apparmor_parser -Q -K --kernel-features "$features" -b "$w" -I "$w" "$@"
}
out() {
        echo "$here/$1.txt"
}

cd "$w"
for f in syntax unknown-var undef-bool missing-include xmod bad-abi bad-abi2 bad-cap error-in-include; do
        parser -S "$w/$f.sd" > /dev/null 2> "$(out "$f")"
done
setpriv --reuid=65534 --regid=65534 --clear-groups \
        apparmor_parser -Q -K --kernel-features "$features" -b "$w" -I "$w" -S "$w/unreadable-include.sd" \
        > /dev/null 2> "$(out unreadable-include)"

printf 'include "%s/no-such-file"\n' "$w" | parser -S > /dev/null 2> "$(out stdin-absolute-include)"
printf 'abi <abi/3.0>,\nprofile stdin-inc {\n  include "%s/abstractions/broken"\n}\n' "$w" |
        parser -S > /dev/null 2> "$(out stdin-include-error)"

mkdir -p "$w"/dir
cp "$w"/syntax.sd "$w"/xmod.sd "$w"/dir/
cp "$w"/bad-cap.sd "$w"/dir/bad-cap.sd~
parser -S dir > /dev/null 2> "$(out directory)"

parser -n myns -S "$w"/namespace.sd > /dev/null 2> "$(out warning-namespace)"
parser --Werror -n myns -S "$w"/namespace.sd > /dev/null 2> "$(out werror-namespace)"
apparmor_parser -Q -K --warn=all --kernel-features "$w"/nonet.features -b "$w" -I "$w" -S net.sd \
        > /dev/null 2> "$(out warning-not-enforced)"

# Cache and kernel trouble: no features given on a kernel without AppArmor,
# a load attempt there, a cache directory nobody may write.
apparmor_parser -b "$w" -I "$w" -S "$w"/net.sd > /dev/null 2> "$(out cache-disabled)"
apparmor_parser -b "$w" -I "$w" -r "$w"/net.sd > /dev/null 2> "$(out load-without-kernel)"
mkdir -p "$w"/ro-cache && chmod 555 "$w"/ro-cache
setpriv --reuid=65534 --regid=65534 --clear-groups \
        apparmor_parser --kernel-features "$features" -b "$w" -I "$w" -Q -W -L "$w"/ro-cache "$w"/net.sd \
        > /dev/null 2> "$(out cache-setup-failed)"
mkdir -p "$w"/cache && apparmor_parser --kernel-features "$features" -b "$w" -I "$w" -Q -W -L "$w"/cache "$w"/net.sd
id=$(ls "$w"/cache) && rm -f "$w"/cache/"$id"/* && chmod 555 "$w"/cache/"$id"
setpriv --reuid=65534 --regid=65534 --clear-groups \
        apparmor_parser --kernel-features "$features" -b "$w" -I "$w" -Q -W -L "$w"/cache "$w"/net.sd \
        > /dev/null 2> "$(out cache-write-failed)"

for f in atd dpkg-scripts gnome-desktop-thumbnailers pg_createcluster postgres psql qemu-ga \
         snap su-rs sudo-rs systemd-detect-virt umu-bwrap; do
        apparmor_parser -Q -K --kernel-features "$features" -b "$tree" -I "$tree" -S "$tree/$f" \
                > /dev/null 2> "$(out "tree-$f")"
done

# Killed mid-compile: nothing at all.
timeout -s KILL 1 apparmor_parser -Q -K --kernel-features "$features" -b "$tree" -I "$tree" -S "$tree"/gnome-shell \
        > /dev/null 2> "$(out killed)"
exit 0
