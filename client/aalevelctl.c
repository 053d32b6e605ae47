/* aalevelctl: the command-line client of the aalevel daemon. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "dbus-api.h"
#include "i18n.h"
#include "macro.h"
#include "util.h"

enum {
        EXIT_OK = 0,
        EXIT_FAILED = 1,
        EXIT_USAGE = 2,
        EXIT_UNREACHABLE = 3,
        EXIT_DENIED = 4,
};

static const char *arg_socket = NULL;
static bool arg_json = false;

static void help(void) {
        printf(_("Usage: aalevelctl [OPTIONS] COMMAND\n"
                 "\n"
                 "Show and change the AppArmor security level.\n"
                 "\n"
                 "Commands:\n"
                 "  status           Show the level and the daemon's state\n"
                 "\n"
                 "Options:\n"
                 "      --json           Machine-readable output\n"
                 "      --socket PATH    The daemon's socket (default %s/bus, or $AALEVEL_SOCKET)\n"
                 "  -h, --help           Show this help\n"
                 "  -V, --version        Show the version\n"),
               AALEVEL_RUNTIME_DIR);
}

static void json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

static int connect_daemon(sd_bus **ret) {
        _cleanup_free_ char *address = NULL, *path = NULL;
        sd_bus *bus = NULL;
        int r;

        if (arg_socket)
                path = strdup(arg_socket);
        else if (getenv("AALEVEL_SOCKET"))
                path = strdup(getenv("AALEVEL_SOCKET"));
        else
                path = strdup(AALEVEL_RUNTIME_DIR "/bus");
        if (!path || asprintf(&address, "unix:path=%s", path) < 0)
                return -ENOMEM;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                fprintf(stderr, _("Cannot reach the aalevel daemon at %s: %s. Is aalevel.service running?\n"),
                        path, strerror(-r));
                sd_bus_unref(bus);
                return -EHOSTUNREACH;
        }
        *ret = bus;
        return 0;
}

static int get_string_property(sd_bus *bus, const char *name, char **ret) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_get_property_string(bus, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, name, &error, ret);
        if (r < 0)
                fprintf(stderr, _("Failed to read %s: %s\n"), name, error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        return r;
}

static int cmd_status(sd_bus *bus) {
        _cleanup_free_ char *level = NULL, *pending = NULL, *state = NULL, *version = NULL;

        if (get_string_property(bus, "Level", &level) < 0 ||
            get_string_property(bus, "PendingLevel", &pending) < 0 ||
            get_string_property(bus, "State", &state) < 0 ||
            get_string_property(bus, "Version", &version) < 0)
                return EXIT_FAILED;

        if (arg_json) {
                printf("{\"level\":");
                json_string(stdout, level);
                printf(",\"pending_level\":");
                if (isempty(pending))
                        printf("null");
                else
                        json_string(stdout, pending);
                printf(",\"state\":");
                json_string(stdout, state);
                printf(",\"version\":");
                json_string(stdout, version);
                printf("}\n");
        } else {
                printf(_("Level: %s\n"), level);
                if (!isempty(pending))
                        printf(_("Pending level: %s\n"), pending);
                printf(_("State: %s\n"), state);
                printf(_("Daemon version: %s\n"), version);
        }
        return EXIT_OK;
}

int main(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_SOCKET };
        static const struct option options[] = {
                { "json",    no_argument,       NULL, ARG_JSON },
                { "socket",  required_argument, NULL, ARG_SOCKET },
                { "help",    no_argument,       NULL, 'h' },
                { "version", no_argument,       NULL, 'V' },
                {}
        };
        sd_bus *bus = NULL;
        const char *verb;
        int c, r;

        i18n_setup();
        while ((c = getopt_long(argc, argv, "hV", options, NULL)) >= 0) {
                switch (c) {
                case ARG_JSON: arg_json = true; break;
                case ARG_SOCKET: arg_socket = optarg; break;
                case 'h': help(); return EXIT_OK;
                case 'V': printf("aalevelctl %s\n", PACKAGE_VERSION); return EXIT_OK;
                default:
                        fprintf(stderr, _("Try 'aalevelctl --help' for more information.\n"));
                        return EXIT_USAGE;
                }
        }
        verb = optind < argc ? argv[optind] : "status";
        if (!streq(verb, "status")) {
                fprintf(stderr, _("Unknown command '%s'. Try 'aalevelctl --help'.\n"), verb);
                return EXIT_USAGE;
        }
        r = connect_daemon(&bus);
        if (r < 0)
                return r == -EHOSTUNREACH ? EXIT_UNREACHABLE : EXIT_FAILED;
        r = cmd_status(bus);
        sd_bus_flush_close_unref(bus);
        return r;
}
