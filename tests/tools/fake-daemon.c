/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-daemon: answers aalevelctl on a socket with canned replies, so
 * that tests/unit/test-client-output.sh can pin what each command prints
 * (table, quiet and JSON) without a kernel, a parser or a real daemon.
 *
 * Usage: fake-daemon SOCKET SCENARIO, SCENARIO "full" (a level waiting
 * for confirmation, failures, every kind of change, hostile strings),
 * "idle" (the same levels and profiles, level default in place, nothing
 * pending or failed), "failed" (idle, with two profile files that fail
 * and no error of the configuration), "unlisted" (the same, but
 * ListProfiles fails) or "empty" (a daemon that has loaded nothing yet). It serves one
 * connection after the other until killed; each connection starts from
 * the scenario's state, so the order of the commands does not matter.
 * Times are fixed in the past, or relative to now for a deadline. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "dbus-api.h"
#include "macro.h"

#define USEC_PER_SEC UINT64_C(1000000)
/* Sun 2026-11-22 08:38:20 UTC, and the reload before it. */
#define LAST_RELOAD UINT64_C(1795336700000000)

typedef struct Props {
        char level[64], pending_level[64], state[32], level_source[16];
        uint64_t confirm_deadline, last_reload, last_reload_duration;
        uint32_t loaded, failed, modified;
        bool errors;
} Props;

/* full and idle share the levels and profiles: full is true for both;
 * failed and unlisted are idle with failures. */
static bool full, idle, failed, unlisted;
static Props props;

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

/* seconds from now, plus 0.9 s: the client rounds the time left up,
 * so it shows seconds + 1 unless it takes 0.9 s to ask for the time. */
static uint64_t confirm_deadline(uint32_t seconds) {
        return now_usec() + seconds * USEC_PER_SEC + USEC_PER_SEC * 9 / 10;
}

static void props_reset(void) {
        if (idle)
                props = (Props) {
                        .level = "default", .state = "idle", .level_source = "config",
                        .last_reload = LAST_RELOAD, .last_reload_duration = UINT64_C(950000),
                        .loaded = 40, .failed = failed ? 2 : 0,
                };
        else if (full)
                props = (Props) {
                        .level = "strict", .pending_level = "strict", .state = "waiting-confirm",
                        .level_source = "set",
                        .confirm_deadline = confirm_deadline(90),
                        .last_reload = LAST_RELOAD, .last_reload_duration = UINT64_C(4213000),
                        .loaded = 120, .failed = 2, .modified = 1, .errors = true,
                };
        else
                props = (Props) { .state = "starting" };
}

static int append_props(sd_bus_message *m) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
#define STR(k, v) if (r >= 0) r = sd_bus_message_append(m, "{sv}", k, "s", v)
#define U32(k, v) if (r >= 0) r = sd_bus_message_append(m, "{sv}", k, "u", v)
#define U64(k, v) if (r >= 0) r = sd_bus_message_append(m, "{sv}", k, "t", v)
        STR("Version", full ? "0.1.0" : "");
        STR("Level", props.level);
        STR("PendingLevel", props.pending_level);
        STR("State", props.state);
        STR("LevelSource", props.level_source);
        U64("ConfirmDeadline", props.confirm_deadline);
        U32("ProfilesLoaded", props.loaded);
        U32("ProfilesFailed", props.failed);
        U32("ProfilesModified", props.modified);
        U64("LastReload", props.last_reload);
        U64("LastReloadDuration", props.last_reload_duration);
        if (r >= 0 && props.errors)
                r = sd_bus_message_append(m, "{sv}", "Errors", "as", 2,
                                          "/etc/aalevel/levels/strict.yaml:4: unknown key 'modee'",
                                          "/etc/aalevel/levels/broken.yaml:1: not a mapping");
        else if (r >= 0)
                r = sd_bus_message_append(m, "{sv}", "Errors", "as", 0);
        /* a property this client does not know */
        if (r >= 0)
                r = sd_bus_message_append(m, "{sv}", "FutureThing", "u", 7);
#undef STR
#undef U32
#undef U64
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int reply_levels(sd_bus_message *reply) {
        if (!full)
                return sd_bus_message_append(reply, "a(ssss)", 1, "default", "", "Every profile as shipped",
                                             "/usr/share/aalevel/levels/default.yaml");
        return sd_bus_message_append(reply, "a(ssss)", 4,
                                     "default", "", "Every profile as shipped", "/usr/share/aalevel/levels/default.yaml",
                                     "strict", "default", "Complain becomes enforce", "/usr/share/aalevel/levels/strict.yaml",
                                     "fsp", "strict", "Full system policy, with a longer description than the others",
                                     "/usr/share/aalevel/levels/fsp.yaml",
                                     "b\xc3\xa4""d\x1b[31m", "", "caf\xc3\xa9 tab\there", "/etc/aalevel/levels/bad.yaml");
}

static int reply_level(sd_bus_message *call, sd_bus_message **ret) {
        const char *name;
        int r;

        r = sd_bus_message_read(call, "s", &name);
        if (r < 0)
                return r;
        if (strcmp(name, "strict") != 0)
                return sd_bus_reply_method_errorf(call, AALEVEL_ERROR_NO_SUCH_LEVEL, "No level '%s'.", name);
        r = sd_bus_message_new_method_return(call, ret);
        if (r >= 0)
                r = sd_bus_message_append(*ret, "a{sv}", 18,
                                          "name", "s", "strict",
                                          "description", "s", "Complain becomes enforce",
                                          "file", "s", "/usr/share/aalevel/levels/strict.yaml",
                                          "ancestry", "as", 2, "strict", "default",
                                          "include", "as", 2, "/etc/apparmor.d", "/usr/share/apparmor/extra-profiles",
                                          "exclude", "as", 0,
                                          "directories", "as", 1, "/etc/apparmor.d",
                                          "mode", "s", "enforce",
                                          "disable", "b", 1,
                                          "force_complain", "b", 0,
                                          "requires", "as", 2, "usr.sbin.sshd", "sbin.dhclient",
                                          "confirm", "u", 150,
                                          "early_policy", "b", 1,
                                          "users", "a(ss)", 2, "alice", "staff_r", "bob", "user_r",
                                          "namespace", "s", "",
                                          "state", "a(sass)", 3, "LEVEL", 1, "1", "level strict",
                                          "DE", 2, "gnome", "kde", "/usr/share/wayland-sessions/gnome.desktop",
                                          "GPU", 1, "none", "level strict_server",
                                          "future_key", "t", UINT64_C(42),
                                          "future_dict", "a{ss}", 1, "k", "v");
        return r;
}

static int reply_profiles(sd_bus_message *reply) {
        if (failed)
                /* a file of two profiles failing in itself, one failing
                 * in an include */
                return sd_bus_message_append(reply, "a(sssss)", 4,
                                             "/usr/sbin/sshd", "enforce", "/etc/apparmor.d/usr.sbin.sshd", "loaded", "",
                                             "atd", "enforce", "/etc/apparmor.d/usr.sbin.atd", "failed",
                                             "/etc/apparmor.d/usr.sbin.atd:23: syntax error, unexpected TOK_ID",
                                             "atd//helper", "enforce", "/etc/apparmor.d/usr.sbin.atd", "failed",
                                             "/etc/apparmor.d/usr.sbin.atd:23: syntax error, unexpected TOK_ID",
                                             "", "", "/etc/apparmor.d/firefox", "failed",
                                             "/etc/apparmor.d/abstractions/evil:7: Could not open 'tunables/nope'");
        if (!full)
                return sd_bus_message_append(reply, "a(sssss)", 0);
        return sd_bus_message_append(reply, "a(sssss)", 6,
                                     "/usr/sbin/sshd", "enforce", "/etc/apparmor.d/usr.sbin.sshd", "loaded", "",
                                     "firefox", "complain", "/etc/apparmor.d/firefox", "loaded", "",
                                     "cupsd", "enforce", "/etc/apparmor.d/usr.sbin.cupsd", "failed",
                                     "/etc/apparmor.d/usr.sbin.cupsd:12: syntax error, unexpected TOK_ID",
                                     "", "", "/etc/apparmor.d/broken", "failed", "/etc/apparmor.d/broken:3: bad\x1b[0m",
                                     "evince", "kill", "/etc/apparmor.d/usr.bin.evince", "modified", "",
                                     "gone", "enforce", "/etc/apparmor.d/gone", "missing", "");
}

static int reply_diff(sd_bus_message *call, sd_bus_message **ret) {
        const char *level;
        int r;

        r = sd_bus_message_read(call, "s", &level);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(call, ret);
        if (r < 0)
                return r;
        if (!full || strcmp(level, "strict") == 0)
                return sd_bus_message_append(*ret, "a(ssss)", 0);
        return sd_bus_message_append(*ret, "a(ssss)", 7,
                                     "nginx", "add", "", "/etc/apparmor.d/usr.sbin.nginx",
                                     "totem", "remove", "", "",
                                     "firefox", "mode", "complain -> enforce", "/etc/apparmor.d/firefox",
                                     "/usr/sbin/sshd", "recompile", "", "/etc/apparmor.d/usr.sbin.sshd",
                                     "cupsd", "recompile", "local override changed", "",
                                     "future", "teleport", "", "/etc/apparmor.d/future",
                                     "evil\x1b[2J", "add", "", "/etc/apparmor.d/evil");
}

static int reply_check(sd_bus_message *call, sd_bus_message **ret) {
        const char *level;
        int r;

        r = sd_bus_message_read(call, "s", &level);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(call, ret);
        if (r < 0)
                return r;
        if (!full || strcmp(level, "default") == 0)
                return sd_bus_message_append(*ret, "uua(sssus)", 1, 0, 0);
        return sd_bus_message_append(*ret, "uua(sssus)", 58, 3, 3,
                                     "/etc/apparmor.d/usr.sbin.cupsd", "cupsd", "/etc/apparmor.d/usr.sbin.cupsd", 12,
                                     "syntax error, unexpected TOK_ID",
                                     "/etc/apparmor.d/firefox", "firefox", "/etc/apparmor.d/abstractions/evil", 7,
                                     "Could not open 'tunables/nope'",
                                     "/etc/apparmor.d/broken", "", "", 0, "apparmor_parser was killed\x1b[0m");
}

/* SetLevel and Confirm change what the next GetAll of the connection
 * says, as the daemon would. */
static void set_level(const char *level, uint32_t confirm_seconds, uint64_t flags) {
        if (strcmp(level, props.level) == 0 && !props.pending_level[0] && confirm_seconds == 0)
                return;
        if (confirm_seconds > 0) {
                snprintf(props.pending_level, sizeof props.pending_level, "%s", level);
                snprintf(props.level, sizeof props.level, "%s", level);
                snprintf(props.state, sizeof props.state, "waiting-confirm");
                props.confirm_deadline = confirm_deadline(confirm_seconds);
        } else if (!(flags & AALEVEL_FLAG_NO_BLOCK)) {
                snprintf(props.level, sizeof props.level, "%s", level);
                props.pending_level[0] = '\0';
                props.confirm_deadline = 0;
                snprintf(props.state, sizeof props.state, "idle");
        }
}

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *member = sd_bus_message_get_member(m);
        uint8_t type;
        int r;

        if (sd_bus_message_get_type(m, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL || !member)
                return 0;
        if (strcmp(member, "GetLevel") == 0 || strcmp(member, "Diff") == 0 || strcmp(member, "Check") == 0) {
                r = member[0] == 'G' ? reply_level(m, &reply) : member[0] == 'D' ? reply_diff(m, &reply)
                                                                                  : reply_check(m, &reply);
                if (r < 0 || !reply)
                        return r < 0 ? r : 1;
                r = sd_bus_send(NULL, reply, NULL);
                return r < 0 ? r : 1;
        }
        if (strcmp(member, "SetLevel") == 0) {
                const char *level;
                uint32_t confirm;
                uint64_t flags;

                r = sd_bus_message_read(m, "sut", &level, &confirm, &flags);
                if (r < 0)
                        return r;
                /* the level's own window: strict's is 150 s */
                if (confirm == UINT32_MAX)
                        confirm = strcmp(level, "strict") == 0 ? 150 : 0;
                if (strcmp(level, "nosuch") == 0)
                        return sd_bus_reply_method_errorf(m, AALEVEL_ERROR_NO_SUCH_LEVEL, "No level '%s'.", level);
                set_level(level, confirm, flags);
                return sd_bus_reply_method_return(m, NULL);
        }
        if (strcmp(member, "Confirm") == 0) {
                if (!props.pending_level[0] && props.confirm_deadline == 0)
                        return sd_bus_reply_method_errorf(m, AALEVEL_ERROR_NOTHING_PENDING, "No level waits for confirmation.");
                props.pending_level[0] = '\0';
                props.confirm_deadline = 0;
                snprintf(props.state, sizeof props.state, "idle");
                return sd_bus_reply_method_return(m, NULL);
        }
        if (strcmp(member, "Reload") == 0) {
                if (!full) {
                        snprintf(props.level, sizeof props.level, "default");
                        props.last_reload = LAST_RELOAD;
                        props.last_reload_duration = 950000;
                }
                snprintf(props.state, sizeof props.state, "idle");
                return sd_bus_reply_method_return(m, NULL);
        }

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        if (strcmp(member, "GetAll") == 0)
                r = append_props(reply);
        else if (strcmp(member, "ListLevels") == 0)
                r = reply_levels(reply);
        else if (strcmp(member, "ListProfiles") == 0 && unlisted)
                return sd_bus_reply_method_errorf(m, AALEVEL_ERROR_FAILED, "Out of memory.");
        else if (strcmp(member, "ListProfiles") == 0)
                r = reply_profiles(reply);
        else
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_UNKNOWN_METHOD, "No method %s.", member);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        return r < 0 ? r : 1;
}

static void serve(int fd) {
        sd_bus *bus = NULL;
        sd_id128_t id;
        int r;

        props_reset();
        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_fd(bus, fd, fd);
        if (r >= 0)
                r = sd_bus_set_server(bus, 1, id);
        if (r >= 0)
                r = sd_bus_set_anonymous(bus, false);
        if (r >= 0)
                r = sd_bus_add_filter(bus, NULL, on_call, NULL);
        if (r >= 0)
                r = sd_bus_start(bus);
        while (r >= 0 && sd_bus_is_open(bus) > 0) {
                r = sd_bus_process(bus, NULL);
                if (r == 0)
                        r = sd_bus_wait(bus, UINT64_MAX);
        }
        sd_bus_flush_close_unref(bus);
}

int main(int argc, char *argv[]) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        if (argc != 3 || strlen(argv[1]) >= sizeof sa.sun_path) {
                fprintf(stderr, "Usage: %s SOCKET full|idle|failed|unlisted|empty\n", argv[0]);
                return 2;
        }
        unlisted = strcmp(argv[2], "unlisted") == 0;
        failed = unlisted || strcmp(argv[2], "failed") == 0;
        idle = failed || strcmp(argv[2], "idle") == 0;
        full = idle || strcmp(argv[2], "full") == 0;
        strcpy(sa.sun_path, argv[1]);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen(fd, 8) < 0) {
                perror(argv[1]);
                return 1;
        }
        for (;;) {
                int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0) {
                        if (errno == EINTR)
                                continue;
                        perror("accept");
                        return 1;
                }
                serve(c);
        }
}
