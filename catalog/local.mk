# SPDX-License-Identifier: GPL-2.0-or-later
# The journal message catalog: an entry for every MESSAGE_ID of
# daemon/messages.h (tests/docs/check keeps them in step). Packages run
# "journalctl --update-catalog" after installing it.
dist_catalog_DATA = catalog/aalevel.catalog
