# SPDX-License-Identifier: GPL-2.0-or-later
# System integration data: the default configuration, the D-Bus system bus
# policy, the polkit action, and an example level.

# aalevel.conf lists every key with its default; the paths are those
# configure was given, so it is generated from aalevel.conf.in.
aalevelconfdir = $(sysconfdir)/aalevel
aalevelconf_DATA = etc/aalevel/aalevel.conf
EXTRA_DIST += etc/aalevel/aalevel.conf.in
CLEANFILES += etc/aalevel/aalevel.conf

etc/aalevel/aalevel.conf: $(srcdir)/etc/aalevel/aalevel.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) etc/aalevel && \
	$(SED) -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		-e 's|@localstatedir[@]|$(localstatedir)|g' \
		-e 's|@runstatedir[@]|$(runstatedir)|g' \
		-e 's|@datadir[@]|$(datadir)|g' \
		-e 's|@APPARMOR_PARSER[@]|$(APPARMOR_PARSER)|g' \
		$(srcdir)/etc/aalevel/aalevel.conf.in >$@.tmp && \
	mv -f $@.tmp $@

# The drop-in directory and the administrator's level directory exist
# from the start, empty, so that admins and configuration management find
# where things go.
install-data-local: install-aalevel-etc-dirs
installdirs-local: install-aalevel-etc-dirs
install-aalevel-etc-dirs:
	$(MKDIR_P) '$(DESTDIR)$(sysconfdir)/aalevel/aalevel.conf.d' '$(DESTDIR)$(sysconfdir)/aalevel/levels'
.PHONY: install-aalevel-etc-dirs

# Only root may own org.aalevel1 on the system bus; everyone may call it
# (the daemon checks each call).
dist_dbussystem_DATA = etc/dbus-1/system.d/org.aalevel1.conf

# org.aalevel1.set-level: what a user other than root needs to change the
# level.
dist_polkitaction_DATA = etc/polkit-1/actions/org.aalevel1.policy

# A sublevel of strict, documented in aalevel.level(5).
aalevelexamplesdir = $(docdir)/examples
dist_aalevelexamples_DATA = etc/examples/strict_server.yaml
