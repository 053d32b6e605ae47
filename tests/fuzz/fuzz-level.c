/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Level files (level_parse_string), and sets of them (level_set_load and
 * everything that works on the set: resolving inheritance, cycles,
 * missing parents, raise or lower).
 *
 * The input is one level file, "strict.yaml". Lines "#=NAME" (a YAML
 * comment, so a file stays valid YAML) split it into several files for a
 * set: "#=fsp.yaml" starts a vendor file, "#=admin/fsp.yaml" an admin one;
 * names are cut to [a-z0-9_.] and at most 8 files are written. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "fileio.h"
#include "level.h"
#include "strv.h"
#include "util.h"

#define MAX_FILES 8

static char *workdir;

/* Empties a directory of the files written here (no subdirectories). */
static void empty_dir(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
}

/* No fsync: the files are thrown away after one run. */
static int write_file(const char *path, const char *data, size_t size) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        return loop_write(fd, data, size);
}

static void cleanup_workdir(void) {
        _cleanup_free_ char *vendor = path_join(workdir, "vendor"), *admin = path_join(workdir, "admin");

        if (vendor && admin) {
                empty_dir(vendor);
                empty_dir(admin);
                (void) rmdir(vendor);
                (void) rmdir(admin);
        }
        (void) rmdir(workdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        char tmpl[] = "/tmp/fuzz-level.XXXXXX";
        const char *shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm/fuzz-level.XXXXXX" : NULL;
        char shm_tmpl[64];

        if (shm) {
                snprintf(shm_tmpl, sizeof shm_tmpl, "%s", shm);
                workdir = mkdtemp(shm_tmpl) ? strdup(shm_tmpl) : NULL;
        }
        if (!workdir)
                workdir = mkdtemp(tmpl) ? strdup(tmpl) : NULL;
        if (!workdir)
                abort();
        atexit(cleanup_workdir);
        {
                _cleanup_free_ char *vendor = path_join(workdir, "vendor"), *admin = path_join(workdir, "admin");
                if (!vendor || !admin || mkdir(vendor, 0700) < 0 || mkdir(admin, 0700) < 0)
                        abort();
        }
        return 0;
}

static void check_level(const Level *l) {
        FUZZ_ASSERT(l->name && level_name_is_valid(l->name));
        FUZZ_ASSERT(!l->inherits || level_name_is_valid(l->inherits));
        FUZZ_ASSERT(!l->mode_set || mode_override_to_string(l->mode));
        for (size_t i = 0; i < l->n_users; i++)
                FUZZ_ASSERT(l->users[i].user && l->users[i].role);
}

static void check_resolved(const LevelSet *s, const char *name) {
        _cleanup_(resolved_level_freep) ResolvedLevel *rl = NULL;
        int r = level_set_resolve(s, name, &rl);

        if (r < 0)
                return;
        FUZZ_ASSERT(rl->include && rl->exclude && rl->directories && rl->requires && rl->ancestry);
        FUZZ_ASSERT(streq(rl->ancestry[0], name));
        FUZZ_ASSERT(mode_override_to_string(rl->mode));
        FUZZ_ASSERT(level_set_is_raise(s, name, name));
}

static void one_file(const uint8_t *data, size_t size) {
        _cleanup_(level_freep) Level *l = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = level_parse_string((const char *) data, size, "/fuzz/levels/strict.yaml", &l, &error);
        if (r < 0) {
                /* Every refusal says where. */
                FUZZ_ASSERT(r == -ENOMEM || (error && startswith(error, "/fuzz/levels/strict.yaml:")));
                return;
        }
        check_level(l);
}

static bool name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static void level_set(const uint8_t *data, size_t size) {
        _cleanup_(level_set_freep) LevelSet *s = NULL;
        _cleanup_free_ char *vendor = path_join(workdir, "vendor"), *admin = path_join(workdir, "admin");
        _cleanup_strv_free_ char **names = NULL;
        const char *p = (const char *) data, *end = p + size;
        unsigned files = 0;

        if (!vendor || !admin)
                return;
        empty_dir(vendor);
        empty_dir(admin);

        /* The part before the first "#=" line is not a file. */
        while (p < end && files < MAX_FILES) {
                const char *start = NULL, *name, *eol, *next;
                char fname[64];
                size_t n = 0;
                bool is_admin = false;

                for (const char *q = p; q + 2 <= end; q++)
                        if ((q == (const char *) data || q[-1] == '\n') && q[0] == '#' && q[1] == '=') {
                                start = q;
                                break;
                        }
                if (!start)
                        break;
                name = start + 2;
                eol = memchr(name, '\n', (size_t) (end - name));
                if (!eol)
                        eol = end;
                if (eol - name > 6 && memcmp(name, "admin/", 6) == 0) {
                        is_admin = true;
                        name += 6;
                }
                for (const char *c = name; c < eol && n < sizeof fname - 1; c++)
                        if (name_char(*c))
                                fname[n++] = *c;
                fname[n] = '\0';
                /* The body runs to the next "#=" line. */
                next = end;
                for (const char *q = eol; q + 3 <= end; q++)
                        if (q[0] == '\n' && q[1] == '#' && q[2] == '=') {
                                next = q + 1;
                                break;
                        }
                if (n > 0 && !streq(fname, ".") && !streq(fname, "..")) {
                        _cleanup_free_ char *path = path_join(is_admin ? admin : vendor, fname);
                        const char *body = eol < end ? eol + 1 : end;
                        if (!path || write_file(path, body, (size_t) (MAX(next, body) - body)) < 0)
                                abort();
                        files++;
                }
                p = next;
        }
        if (files == 0)
                return;

        if (level_set_load(vendor, admin, &s) < 0)
                return;
        for (size_t i = 0; i < s->n_levels; i++) {
                check_level(s->levels[i]);
                /* Sorted, and every parent resolvable: broken chains are dropped. */
                if (i > 0)
                        FUZZ_ASSERT(strcmp(s->levels[i - 1]->name, s->levels[i]->name) < 0);
                if (s->levels[i]->inherits)
                        FUZZ_ASSERT(level_set_find(s, s->levels[i]->inherits));
                check_resolved(s, s->levels[i]->name);
                for (size_t j = 0; j < s->n_levels; j++)
                        (void) level_set_is_raise(s, s->levels[i]->name, s->levels[j]->name);
        }
        STRV_FOREACH(e, s->errors)
                FUZZ_ASSERT(startswith(*e, workdir));
        names = level_set_boolean_names(s);
        FUZZ_ASSERT(names);
        STRV_FOREACH(n, names)
                FUZZ_ASSERT(level_name_is_valid(*n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (!workdir)
                LLVMFuzzerInitialize(NULL, NULL);
        one_file(data, size);
        level_set(data, size);
        return 0;
}
