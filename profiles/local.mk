# The AppArmor profiles of aalevel and aalevelctl themselves, installed in
# /etc/apparmor.d and loaded by aalevel with the rest of the level.
nodist_apparmor_DATA = profiles/usr.sbin.aalevel profiles/usr.bin.aalevelctl
EXTRA_DIST += profiles/usr.sbin.aalevel.in profiles/usr.bin.aalevelctl.in
CLEANFILES += profiles/usr.sbin.aalevel profiles/usr.bin.aalevelctl

profiles/usr.sbin.aalevel: profiles/usr.sbin.aalevel.in Makefile
	$(AM_V_GEN)$(MKDIR_P) profiles && $(aalevel_edit) $(srcdir)/profiles/usr.sbin.aalevel.in >$@.tmp && mv $@.tmp $@
profiles/usr.bin.aalevelctl: profiles/usr.bin.aalevelctl.in Makefile
	$(AM_V_GEN)$(MKDIR_P) profiles && $(aalevel_edit) $(srcdir)/profiles/usr.bin.aalevelctl.in >$@.tmp && mv $@.tmp $@
