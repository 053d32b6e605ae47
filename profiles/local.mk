# SPDX-License-Identifier: GPL-2.0-or-later
# The AppArmor profiles of aalevel and aalevelctl themselves, installed in
# /etc/apparmor.d and loaded by aalevel with the rest of the level.
nodist_apparmor_DATA = profiles/usr.sbin.aalevel profiles/usr.bin.aalevelctl
EXTRA_DIST += profiles/usr.sbin.aalevel.in profiles/usr.bin.aalevelctl.in
CLEANFILES += profiles/usr.sbin.aalevel profiles/usr.bin.aalevelctl

profiles/usr.sbin.aalevel: profiles/usr.sbin.aalevel.in Makefile
	$(AM_V_GEN)$(MKDIR_P) profiles && $(aalevel_edit) $(srcdir)/profiles/usr.sbin.aalevel.in >$@.tmp && mv $@.tmp $@
profiles/usr.bin.aalevelctl: profiles/usr.bin.aalevelctl.in Makefile
	$(AM_V_GEN)$(MKDIR_P) profiles && $(aalevel_edit) $(srcdir)/profiles/usr.bin.aalevelctl.in >$@.tmp && mv $@.tmp $@

# The levels' own profiles (profiles.directories of levels/fsp.yaml and
# levels/extreme.yaml, which name these paths): PID 1 and the fallback of
# everything it starts, modprobe as the kernel starts it; the role of
# confined users. Not in /etc/apparmor.d: they belong to their level only.
fspprofilesdir = $(datadir)/aalevel/profiles/fsp
dist_fspprofiles_DATA = \
	profiles/fsp/usr.bin.kmod \
	profiles/fsp/usr.lib.systemd.systemd
extremeprofilesdir = $(datadir)/aalevel/profiles/extreme
dist_extremeprofiles_DATA = \
	profiles/extreme/confined_user

# The PAM side of the level extreme. (Its own fragment; included from here
# until Makefile.am includes it.)
include $(srcdir)/pam/local.mk
