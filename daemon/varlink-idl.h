/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Varlink interface org.aalevel.Manager (doc/varlink-api.md): its
 * definition, which the daemon serves for introspection and sd-varlink
 * checks calls against. With libsystemd 257 or later only. */
#pragma once

#include <systemd/sd-varlink.h>

#define AALEVEL_VARLINK_INTERFACE "org.aalevel.Manager"
/* The socket in runtime_dir, named after the interface, as systemd names
 * its own. */
#define AALEVEL_VARLINK_SOCKET AALEVEL_VARLINK_INTERFACE

/* Errors, under the interface's name. */
#define AALEVEL_VARLINK_ERROR_ACCESS_DENIED   AALEVEL_VARLINK_INTERFACE ".AccessDenied"
#define AALEVEL_VARLINK_ERROR_NO_SUCH_LEVEL   AALEVEL_VARLINK_INTERFACE ".NoSuchLevel"
#define AALEVEL_VARLINK_ERROR_FAILED          AALEVEL_VARLINK_INTERFACE ".Failed"
#define AALEVEL_VARLINK_ERROR_NOTHING_PENDING AALEVEL_VARLINK_INTERFACE ".NothingPending"

extern const sd_varlink_interface vl_interface_org_aalevel_Manager;
