# SPDX-License-Identifier: GPL-2.0-or-later
# systemd units of aalevel (units/README.md says why each setting is there):
# the daemon's service and its socket, and a drop-in that keeps Debian's
# apparmor.service from loading /etc/apparmor.d a second time at boot.
nodist_systemdsystemunit_DATA = units/aalevel.service units/aalevel.socket
# The Varlink registry entry (systemd 260+), with Varlink only.
if HAVE_VARLINK
tmpfiles_DATA = units/aalevel-varlink.conf
endif
EXTRA_DIST += units/aalevel-varlink.conf
apparmorservicedropindir = $(systemdsystemunitdir)/apparmor.service.d
nodist_apparmorservicedropin_DATA = units/apparmor.service.d/aalevel.conf
# The drop-in's ExecCondition=.
nodist_pkglibexec_SCRIPTS = units/apparmor-condition
EXTRA_DIST += units/aalevel.service.in units/aalevel.socket.in units/apparmor.service.d/aalevel.conf.in \
	units/README.md units/apparmor-condition.in
CLEANFILES += units/aalevel.service units/aalevel.socket units/apparmor.service.d/aalevel.conf \
	units/apparmor-condition

# The installed paths, substituted at make time (they may be changed on the
# make command line).
aalevel_edit = $(SED) \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@pkglibexecdir[@]|$(pkglibexecdir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@apparmordir[@]|$(apparmordir)|g' \
	-e 's|@APPARMOR_PARSER[@]|$(APPARMOR_PARSER)|g' \
	-e 's|@VARLINK_LISTEN[@]|$(VARLINK_LISTEN)|g'

units/aalevel.service: units/aalevel.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units && $(aalevel_edit) $(srcdir)/units/aalevel.service.in >$@.tmp && mv $@.tmp $@
units/apparmor-condition: units/apparmor-condition.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units && $(aalevel_edit) $(srcdir)/units/apparmor-condition.in >$@.tmp && \
		chmod +x $@.tmp && mv $@.tmp $@
units/aalevel.socket: units/aalevel.socket.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units && $(aalevel_edit) $(srcdir)/units/aalevel.socket.in >$@.tmp && mv $@.tmp $@
units/apparmor.service.d/aalevel.conf: units/apparmor.service.d/aalevel.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) units/apparmor.service.d && \
		$(aalevel_edit) $(srcdir)/units/apparmor.service.d/aalevel.conf.in >$@.tmp && mv $@.tmp $@

# systemd's early policy cache, kept by aalevel for levels that ask for it.
# It must exist for the unit's ReadWritePaths= (the file system is read-only
# to the daemon, ProtectSystem=strict).
earlypolicydir = $(sysconfdir)/apparmor/earlypolicy
install-data-local: install-aalevel-earlypolicy-dir
install-aalevel-earlypolicy-dir:
	$(MKDIR_P) $(DESTDIR)$(earlypolicydir)
.PHONY: install-aalevel-earlypolicy-dir
