/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inotify watches with debouncing. */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "graph.h"
#include "hashmap.h"
#include "log.h"
#include "strv.h"
#include "util.h"

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | \
                    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)

/* A watched directory, and the names in it that matter: all of them for a
 * directory of policy (a new file there may be a profile or an include),
 * only one or a few for the parent of something that matters (the parent
 * of /etc/apparmor.d is /etc, where much else changes). */
typedef struct WatchedDir {
        int wd;
        Hashmap *names;         /* NULL: every name */
} WatchedDir;

static void watched_dir_free(void *p) {
        WatchedDir *d = p;
        if (!d)
                return;
        hashmap_free(d->names);
        free(d);
}

struct Watch {
        sd_event *event;
        int fd;
        sd_event_source *io;
        sd_event_source *timer;
        Hashmap *dirs;          /* dir path → WatchedDir */
        Hashmap *by_wd;         /* "wd" → dir path (owned copy) */
        Hashmap *pending;       /* changed paths of the current burst */
        usec_t burst_start;
        unsigned debounce_ms, debounce_max_ms;
        unsigned bursts;
        WatchCallback cb;
        void *userdata;
};

bool watch_name_is_noise(const char *name) {
        /* vim: .foo.swp, .foo.swx, 4913; emacs: #foo#, .#foo; and
         * everything the parser skips anyway (backups, dot files). A
         * dot-file temporary renamed over the real file is seen as the
         * rename's target. */
        if (streq(name, "4913"))
                return true;
        if (name[0] == '#' || endswith(name, ".swp") || endswith(name, ".swx"))
                return true;
        return policy_name_is_skipped(name);
}

static void free_str(void *p) {
        free(p);
}


static int flush(Watch *w) {
        _cleanup_strv_free_ char **paths = hashmap_keys_sorted(w->pending);

        if (!paths)
                return -ENOMEM;
        hashmap_free(w->pending);
        w->pending = hashmap_new(NULL);
        w->burst_start = 0;
        if (!w->pending)
                return -ENOMEM;
        if (strv_length(paths) == 0)
                return 0;
        w->bursts++;
        w->cb(paths, w->userdata);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Watch *w = userdata;
        int r = flush(w);
        if (r < 0)
                log_error_errno(r, "Failed to pass on file changes: %m");
        return 0;
}

static int arm(Watch *w) {
        usec_t now = now_usec(CLOCK_MONOTONIC), when;
        int r;

        if (w->burst_start == 0)
                w->burst_start = now;
        when = now + w->debounce_ms * USEC_PER_MSEC;
        /* Continuous writes still get applied. */
        if (when > w->burst_start + w->debounce_max_ms * USEC_PER_MSEC)
                when = w->burst_start + w->debounce_max_ms * USEC_PER_MSEC;
        if (!w->timer) {
                r = sd_event_add_time(w->event, &w->timer, CLOCK_MONOTONIC, when, 0, on_timer, w);
                if (r < 0)
                        return r;
                return sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
        }
        r = sd_event_source_set_time(w->timer, when);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Watch *w = userdata;
        char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool any = false;

        for (;;) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (char *p = buf; p < buf + n;) {
                        struct inotify_event *ev = (struct inotify_event *) p;
                        char key[32];
                        const char *dir;

                        p += sizeof(struct inotify_event) + ev->len;
                        if (ev->mask & IN_Q_OVERFLOW) {
                                /* Lost events: everything may have changed. */
                                (void) hashmap_put(w->pending, "/", (void *) 1);
                                any = true;
                                continue;
                        }
                        snprintf(key, sizeof key, "%d", ev->wd);
                        dir = hashmap_get(w->by_wd, key);
                        if (!dir)
                                continue;
                        if (ev->mask & IN_IGNORED) {
                                /* The kernel dropped the watch (directory
                                 * gone); its number may be reused. */
                                _cleanup_free_ char *gone = strdup(dir);
                                (void) hashmap_remove(w->by_wd, key);
                                if (gone) {
                                        (void) hashmap_remove(w->dirs, gone);
                                        (void) hashmap_put(w->pending, gone, (void *) 1);
                                        any = true;
                                }
                                continue;
                        }
                        {
                                WatchedDir *wdir = hashmap_get(w->dirs, dir);
                                if (wdir && wdir->names && ev->len > 0 && !hashmap_contains(wdir->names, ev->name))
                                        continue;
                        }
                        if (ev->len == 0 || ev->name[0] == '\0') {
                                /* The watched directory itself went away. */
                                (void) hashmap_put(w->pending, dir, (void *) 1);
                                any = true;
                                continue;
                        }
                        if (watch_name_is_noise(ev->name) && !(ev->mask & IN_ISDIR))
                                continue;
                        {
                                _cleanup_free_ char *path = path_join(dir, ev->name);
                                if (path && hashmap_put(w->pending, path, (void *) 1) >= 0)
                                        any = true;
                        }
                }
        }
        if (any) {
                int r = arm(w);
                if (r < 0)
                        log_error_errno(r, "Failed to schedule a reload: %m");
        }
        return 0;
}

int watch_new(sd_event *event, unsigned debounce_ms, unsigned debounce_max_ms, WatchCallback cb, void *userdata,
              Watch **ret) {
        _cleanup_(watch_freep) Watch *w = NULL;
        int r;

        w = calloc(1, sizeof(Watch));
        if (!w)
                return -ENOMEM;
        w->fd = -1;
        w->event = sd_event_ref(event);
        w->cb = cb;
        w->userdata = userdata;
        watch_set_debounce(w, debounce_ms, debounce_max_ms);
        w->dirs = hashmap_new(watched_dir_free);
        w->by_wd = hashmap_new(free_str);
        w->pending = hashmap_new(NULL);
        if (!w->dirs || !w->by_wd || !w->pending)
                return -ENOMEM;
        w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w->fd < 0)
                return negative_errno();
        r = sd_event_add_io(event, &w->io, w->fd, EPOLLIN, on_inotify, w);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(w);
        return 0;
}

void watch_free(Watch *w) {
        if (!w)
                return;
        sd_event_source_disable_unref(w->io);
        sd_event_source_disable_unref(w->timer);
        if (w->fd >= 0)
                close(w->fd);
        hashmap_free(w->dirs);
        hashmap_free(w->by_wd);
        hashmap_free(w->pending);
        sd_event_unref(w->event);
        free(w);
}

void watch_set_debounce(Watch *w, unsigned debounce_ms, unsigned debounce_max_ms) {
        w->debounce_ms = debounce_ms;
        w->debounce_max_ms = debounce_max_ms < debounce_ms ? debounce_ms : debounce_max_ms;
}

static char *parent_of(const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return NULL;
        return slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
}

static bool is_dir(const char *path) {
        struct stat st;
        return stat(path, &st) >= 0 && S_ISDIR(st.st_mode);
}

/* Records that dir must be watched, for every name (name NULL) or for
 * this name at least. */
static int want_dir(Hashmap *want, const char *dir, const char *name) {
        Hashmap *names = hashmap_get(want, dir);
        int r;

        if (!hashmap_contains(want, dir)) {
                if (name) {
                        names = hashmap_new(NULL);
                        if (!names)
                                return -ENOMEM;
                }
                r = hashmap_put(want, dir, names);
                if (r < 0) {
                        hashmap_free(names);
                        return r;
                }
        } else if (names && !name) {
                /* Upgrade to every name. */
                (void) hashmap_steal(want, dir);
                hashmap_free(names);
                names = NULL;
                return hashmap_put(want, dir, NULL);
        }
        if (names && name)
                return hashmap_put(names, name, (void *) 1);
        return 0;
}

/* A path that matters: a directory is watched whole, and its parent for
 * its own name (removal, rename); a file, existing or not, through the
 * nearest directory that exists, for the next name on the way to it. */
static int want_path(Hashmap *want, const char *path) {
        _cleanup_free_ char *cur = strdup(path);
        int r;

        if (!cur)
                return -ENOMEM;
        if (is_dir(cur)) {
                r = want_dir(want, cur, NULL);
                if (r < 0 || streq(cur, "/"))
                        return r;
        }
        for (;;) {
                _cleanup_free_ char *parent = parent_of(cur);
                if (!parent)
                        return 0;
                if (is_dir(parent))
                        return want_dir(want, parent, strrchr(cur, '/') + 1);
                free(cur);
                cur = TAKE_PTR(parent);
        }
}

static void free_names(void *p) {
        hashmap_free(p);
}

/* A copy of a name filter (NULL stays NULL, meaning every name). */
static int copy_names(Hashmap *names, Hashmap **ret) {
        Hashmap *c;
        size_t i = 0;
        const char *k;

        if (!names) {
                *ret = NULL;
                return 0;
        }
        c = hashmap_new(NULL);
        if (!c)
                return -ENOMEM;
        while (hashmap_iterate(names, &i, &k, NULL))
                if (hashmap_put(c, k, (void *) 1) < 0) {
                        hashmap_free(c);
                        return -ENOMEM;
                }
        *ret = c;
        return 0;
}

int watch_update(Watch *w, char * const *paths, char ***ret_added) {
        _cleanup_(hashmap_freep) Hashmap *want = hashmap_new(free_names);
        _cleanup_strv_free_ char **have = NULL, **added = NULL;
        int r;

        if (!want)
                return -ENOMEM;
        STRV_FOREACH(p, paths) {
                r = want_path(want, *p);
                if (r < 0)
                        return r;
        }

        /* Drop what is no longer wanted. */
        have = hashmap_keys_sorted(w->dirs);
        if (!have)
                return -ENOMEM;
        STRV_FOREACH(d, have)
                if (!hashmap_contains(want, *d)) {
                        WatchedDir *wd = hashmap_get(w->dirs, *d);
                        char key[32];
                        snprintf(key, sizeof key, "%d", wd->wd);
                        (void) inotify_rm_watch(w->fd, wd->wd);
                        (void) hashmap_remove(w->by_wd, key);
                        (void) hashmap_remove(w->dirs, *d);
                }

        {
                size_t i = 0;
                const char *d;
                void *names;

                while (hashmap_iterate(want, &i, &d, &names)) {
                        WatchedDir *wd = hashmap_get(w->dirs, d);
                        char key[32];
                        char *copy;
                        int n;

                        if (wd) {
                                /* Already watched: take the new name filter. */
                                Hashmap *c;
                                if (copy_names(names, &c) < 0)
                                        return -ENOMEM;
                                hashmap_free(wd->names);
                                wd->names = c;
                                continue;
                        }
                        n = inotify_add_watch(w->fd, d, WATCH_MASK);
                        if (n < 0) {
                                log_warning_errno(-errno, "Cannot watch %s: %m", d);
                                continue;
                        }
                        wd = calloc(1, sizeof(WatchedDir));
                        snprintf(key, sizeof key, "%d", n);
                        copy = strdup(d);
                        if (!wd || !copy || hashmap_put(w->by_wd, key, copy) < 0) {
                                free(wd);
                                free(copy);
                                return -ENOMEM;
                        }
                        wd->wd = n;
                        if (copy_names(names, &wd->names) < 0 || hashmap_put(w->dirs, d, wd) < 0) {
                                watched_dir_free(wd);
                                return -ENOMEM;
                        }
                        if (strv_extend(&added, d) < 0)
                                return -ENOMEM;
                }
        }
        if (ret_added)
                *ret_added = TAKE_PTR(added);
        return 0;
}

unsigned watch_count(const Watch *w) {
        return (unsigned) hashmap_size(w->dirs);
}

unsigned watch_bursts(const Watch *w) {
        return w->bursts;
}
