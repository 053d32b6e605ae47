# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs-tools hook and script of aalevel: the early policy loaded
# before /sbin/init runs, so that PID 1 starts confined.
initramfshooksdir = $(initramfstoolsdir)/hooks
nodist_initramfshooks_SCRIPTS = initramfs/hooks/aalevel
initramfsbottomdir = $(initramfstoolsdir)/scripts/init-bottom
dist_initramfsbottom_SCRIPTS = initramfs/scripts/init-bottom/aalevel
EXTRA_DIST += initramfs/hooks/aalevel.in initramfs/README.md
CLEANFILES += initramfs/hooks/aalevel

initramfs/hooks/aalevel: initramfs/hooks/aalevel.in Makefile
	$(AM_V_GEN)$(MKDIR_P) initramfs/hooks && $(aalevel_edit) $(srcdir)/initramfs/hooks/aalevel.in >$@.tmp && \
		chmod +x $@.tmp && mv $@.tmp $@
