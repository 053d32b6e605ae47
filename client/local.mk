# The client, aalevelctl.
bin_PROGRAMS += aalevelctl
aalevelctl_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
aalevelctl_SOURCES = \
	client/aalevelctl.c
aalevelctl_LDADD = libcommon.a $(LIBSYSTEMD_LIBS)
