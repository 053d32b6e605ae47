/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The include graph and profile closures. */
#include "graph.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "hashmap.h"
#include "include.h"
#include "strv.h"
#include "util.h"

/* Policy files are text of a few KiB; anything this big is a mistake
 * (or an attack on the daemon's memory). */
#define POLICY_FILE_MAX (8U * 1024U * 1024U)
/* No real policy nests includes this deep; a generated chain that does is
 * cut off rather than recursed into without bound. */
#define INCLUDE_DEPTH_MAX 64

/* What a file was like when it was read: if it is still so, its content
 * is too (see include_graph_revalidate()). */
typedef struct Signature {
        bool valid;
        dev_t dev;
        ino_t ino;
        off_t size;
        mode_t mode;
        struct timespec mtime, ctime;
        ino_t link_ino;         /* the path itself, when it is a symlink */
        struct timespec link_ctime;
        bool racy;              /* changed just before it was read: the status
                                 * alone does not vouch for the content */
} Signature;

/* A node is shared by the graph's map and by every closure that read it;
 * closures point at its Dep. Invalidating a node marks it stale (every
 * closure holding it is then out of date) and drops the map's reference. */
typedef struct Node {
        Dep dep;                /* first: a Dep * is a Node * */
        unsigned n_ref;
        bool stale;
        IncludeScan *scan;      /* DEP_FILE */
        char **entries;         /* DEP_DIR: the files it includes, full paths, sorted */
        char *real;             /* the symlink target's real path, when different */
        char *unlisted;         /* DEP_DIR: the entry its digest leaves out (aalevel's state file) */
        Signature sig;
} Node;

struct IncludeGraph {
        char **search_path;
        char *cwd;
        char *root;
        Hashmap *nodes;         /* path → Node (one reference) */
        Hashmap *closures;      /* profile file → its last Closure (one reference) */
        uint64_t reads;
        char *managed;          /* aalevel's own state file: not in any digest */
        char *managed_dir;      /* its directory */
};

static Node *node_ref(Node *n) {
        n->n_ref++;
        return n;
}

static void node_unref(void *p) {
        Node *n = p;
        if (!n || --n->n_ref > 0)
                return;
        free(n->dep.path);
        include_scan_free(n->scan);
        strv_free(n->entries);
        free(n->real);
        free(n->unlisted);
        free(n);
}

/* Drops the map's reference; closures holding the node see it stale. */
static void node_retire(void *p) {
        Node *n = p;
        if (n)
                n->stale = true;
        node_unref(n);
}

bool policy_name_is_skipped(const char *name) {
        static const char * const suffixes[] = {
                ".dpkg-new", ".dpkg-old", ".dpkg-dist", ".dpkg-bak", ".dpkg-remove",
                ".pacsave", ".pacnew", ".rpmnew", ".rpmsave", ".orig", ".rej", "~",
        };
        if (isempty(name) || name[0] == '.' || streq(name, "README"))
                return true;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (endswith(name, suffixes[i]))
                        return true;
        return false;
}

Closure *closure_ref(Closure *c) {
        c->n_ref++;
        return c;
}

void closure_free(Closure *c) {
        if (!c)
                return;
        if (c->n_ref > 1) {
                c->n_ref--;
                return;
        }
        free(c->file);
        for (size_t i = 0; i < c->n_deps; i++)
                node_unref((Node *) c->deps[i]);
        free(c->deps);
        free(c->error);
        strv_free(c->warnings);
        free(c);
}

int include_graph_set_managed(IncludeGraph *g, const char *path) {
        char *p = NULL, *d = NULL, *slash;

        if (path) {
                p = strdup(path);
                d = strdup(path);
                if (!p || !d) {
                        free(p);
                        free(d);
                        return -ENOMEM;
                }
                slash = strrchr(d, '/');
                if (slash)
                        *slash = '\0';
        }
        if (streq_ptr(p, g->managed)) {
                free(p);
                free(d);
                return 0;
        }
        free(g->managed);
        free(g->managed_dir);
        g->managed = p;
        g->managed_dir = d;
        include_graph_invalidate_all(g);
        return 0;
}

static void closure_free_void(void *p) {
        closure_free(p);
}

/* Whether every file the closure read is still as it was. */
static bool closure_current(const Closure *c) {
        for (size_t i = 0; i < c->n_deps; i++)
                if (((const Node *) c->deps[i])->stale)
                        return false;
        return true;
}

int include_graph_new(char * const *search_path, const char *cwd, const char *root, IncludeGraph **ret) {
        _cleanup_(include_graph_freep) IncludeGraph *g = NULL;

        g = calloc(1, sizeof(IncludeGraph));
        if (!g)
                return -ENOMEM;
        g->search_path = strv_copy(search_path);
        g->cwd = strdup(cwd);
        g->root = strdup(strempty(root));
        g->nodes = hashmap_new(node_retire);
        g->closures = hashmap_new(closure_free_void);
        if (!g->search_path || !g->cwd || !g->root || !g->nodes || !g->closures)
                return -ENOMEM;
        *ret = TAKE_PTR(g);
        return 0;
}

void include_graph_free(IncludeGraph *g) {
        if (!g)
                return;
        strv_free(g->search_path);
        free(g->cwd);
        free(g->root);
        free(g->managed);
        free(g->managed_dir);
        hashmap_free(g->closures);
        hashmap_free(g->nodes);
        free(g);
}

uint64_t include_graph_reads(const IncludeGraph *g) {
        return g->reads;
}

static int dir_entries(const char *path, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        struct dirent **entries = NULL;
        int n, r = 0;

        n = scandir(path, &entries, NULL, dirent_cmp_bytes);
        if (n < 0)
                return negative_errno();
        l = calloc(1, sizeof(char *));
        if (!l)
                r = -ENOMEM;
        for (int i = 0; i < n; i++) {
                const char *name = entries[i]->d_name;
                struct stat st;
                _cleanup_free_ char *full = NULL;

                if (r >= 0 && !policy_name_is_skipped(name)) {
                        full = path_join(path, name);
                        if (!full)
                                r = -ENOMEM;
                        /* The parser skips subdirectories; a symlink loop or
                         * a file vanishing now is kept: reading it reports it. */
                        else if (stat(full, &st) < 0 || !S_ISDIR(st.st_mode))
                                r = strv_consume(&l, TAKE_PTR(full));
                }
                free(entries[i]);
        }
        free(entries);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}

/* Reads what is at path into a new node. Only -ENOMEM is an error here;
 * anything wrong with the file is recorded in the node. */
static void node_freep(Node **n) {
        node_unref(*n);
}

static void signature_take(Signature *sig, const char *path) {
        struct stat st, lst;

        sig->valid = false;
        if (stat(path, &st) < 0 || lstat(path, &lst) < 0)
                return;
        sig->dev = st.st_dev;
        sig->ino = st.st_ino;
        sig->size = st.st_size;
        sig->mode = st.st_mode;
        sig->mtime = st.st_mtim;
        sig->ctime = st.st_ctim;
        sig->link_ino = lst.st_ino;
        sig->link_ctime = lst.st_ctim;
        sig->valid = true;
}

static bool timespec_eq(struct timespec a, struct timespec b) {
        return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool signature_eq(const Signature *a, const Signature *b) {
        return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
               a->mode == b->mode && timespec_eq(a->mtime, b->mtime) && timespec_eq(a->ctime, b->ctime) &&
               a->link_ino == b->link_ino && timespec_eq(a->link_ctime, b->link_ctime);
}

/* A change made in the same clock tick as the read, after it, would leave
 * the signature as it was: a file changed less than this long before it
 * was read is never trusted by its signature (git's "racily clean"). */
#define SIGNATURE_RACY_SEC 2

static bool signature_racy(const Signature *sig, time_t read_at) {
        return sig->ctime.tv_sec + SIGNATURE_RACY_SEC > read_at ||
               sig->link_ctime.tv_sec + SIGNATURE_RACY_SEC > read_at;
}

/* A directory's listing by name, the same wherever the tree lives (an
 * image's root, or /), without skip. */
static void listing_digest(char * const *entries, const char *skip, uint8_t ret[SHA256_DIGEST_SIZE]) {
        Sha256 s;

        sha256_init(&s);
        STRV_FOREACH(e, entries) {
                const char *base = strrchr(*e, '/') + 1;
                if (streq_ptr(*e, skip))
                        continue;
                sha256_update(&s, base, strlen(base) + 1);
        }
        sha256_final(&s, ret);
}

static int node_load(IncludeGraph *g, const char *path, Node **ret) {
        _cleanup_(node_freep) Node *n = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size;
        struct stat lst;
        int r;

        n = calloc(1, sizeof(Node));
        if (!n)
                return -ENOMEM;
        n->n_ref = 1;
        n->dep.path = strdup(path);
        if (!n->dep.path)
                return -ENOMEM;
        g->reads++;

        /* Before reading: a change after this shows in a later signature. */
        {
                time_t read_at = time(NULL);
                signature_take(&n->sig, path);
                if (n->sig.valid && signature_racy(&n->sig, read_at))
                        n->sig.racy = true;
        }

        r = read_full_file(path, POLICY_FILE_MAX, &text, &size);
        if (r == -EISDIR) {
                _cleanup_strv_free_ char **entries = NULL;

                r = dir_entries(path, &entries);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        n->dep.type = DEP_ERROR;
                        n->dep.error = r;
                } else {
                        n->dep.type = DEP_DIR;
                        if (g->managed && strv_contains(entries, g->managed) &&
                            !(n->unlisted = strdup(g->managed)))
                                return -ENOMEM;
                        listing_digest(entries, n->unlisted, n->dep.digest);
                        n->entries = TAKE_PTR(entries);
                }
        } else if (r == -ENOENT || r == -ENOTDIR) {
                n->dep.type = DEP_MISSING;
        } else if (r == -ENOMEM) {
                return r;
        } else if (r < 0) {
                n->dep.type = DEP_ERROR;
                n->dep.error = r;
        } else if (memory_has_nul(text, size)) {
                n->dep.type = DEP_ERROR;
                n->dep.error = -EBADMSG;
        } else {
                n->dep.type = DEP_FILE;
                sha256(text, size, n->dep.digest);
                r = include_scan(text, size, &n->scan);
                if (r < 0)
                        return r;
        }

        /* A symlink's target may live in a directory nobody watches. */
        if (n->dep.type != DEP_MISSING && lstat(path, &lst) >= 0 && S_ISLNK(lst.st_mode)) {
                char real[PATH_MAX];
                if (realpath(path, real) && !streq(real, path)) {
                        n->real = strdup(real);
                        if (!n->real)
                                return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(n);
        return 0;
}

static int node_get(IncludeGraph *g, const char *path, Node **ret) {
        Node *n = hashmap_get(g->nodes, path);
        int r;

        if (n) {
                *ret = n;
                return 0;
        }
        r = node_load(g, path, &n);
        if (r < 0)
                return r;
        r = hashmap_put(g->nodes, path, n);
        if (r < 0) {
                node_unref(n);
                return r;
        }
        *ret = n;
        return 0;
}

typedef struct Walk {
        IncludeGraph *g;
        Hashmap *seen;          /* path → the Node, for every dep recorded */
        Hashmap *stack;         /* files being included right now */
        Closure *c;
} Walk;

static int record(Walk *w, const char *path, Node *n) {
        /* (A symlink's real path is watched through its node: see
         * include_graph_paths().) */
        if (hashmap_contains(w->seen, path))
                return 0;
        return hashmap_put(w->seen, path, n);
}

static int walk_file(Walk *w, const char *path, unsigned depth);

static int walk_node(Walk *w, const char *path, Node *n, unsigned depth) {
        int r;

        r = record(w, path, n);
        if (r < 0)
                return r;
        if (n->dep.type == DEP_DIR) {
                STRV_FOREACH(e, n->entries) {
                        r = walk_file(w, *e, depth + 1);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (n->dep.type != DEP_FILE)
                return 0;
        if (depth > INCLUDE_DEPTH_MAX) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "%s: includes nested more than %d deep, not followed further", path,
                             INCLUDE_DEPTH_MAX) < 0)
                        return -ENOMEM;
                return strv_consume(&w->c->warnings, TAKE_PTR(msg));
        }
        if (hashmap_contains(w->stack, path)) {
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "%s: include loop (the file includes itself through its includes); "
                             "skipped, as apparmor_parser does", path) < 0)
                        return -ENOMEM;
                return strv_contains(w->c->warnings, msg) ? 0 : strv_consume(&w->c->warnings, TAKE_PTR(msg));
        }
        r = hashmap_put(w->stack, path, n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n->scan->n_includes; i++) {
                const IncludeDirective *d = &n->scan->includes[i];

                if (d->kind == INCLUDE_SEARCH) {
                        /* Every candidate up to the first that exists is a
                         * dependency: creating an earlier one would win. */
                        STRV_FOREACH(dir, w->g->search_path) {
                                _cleanup_free_ char *cand = path_join(*dir, d->path);
                                Node *cn;
                                if (!cand)
                                        return -ENOMEM;
                                r = node_get(w->g, cand, &cn);
                                if (r < 0)
                                        return r;
                                if (cn->dep.type == DEP_MISSING) {
                                        r = record(w, cand, cn);
                                        if (r < 0)
                                                return r;
                                        continue;
                                }
                                r = walk_node(w, cand, cn, depth + 1);
                                if (r < 0)
                                        return r;
                                break;
                        }
                } else {
                        _cleanup_free_ char *cand = d->path[0] == '/' ? strdup(d->path) : path_join(w->g->cwd, d->path);
                        if (!cand)
                                return -ENOMEM;
                        r = walk_file(w, cand, depth + 1);
                        if (r < 0)
                                return r;
                }
        }
        (void) hashmap_steal(w->stack, path);
        return 0;
}

static int walk_file(Walk *w, const char *path, unsigned depth) {
        Node *n;
        int r;

        if (hashmap_contains(w->seen, path) && !hashmap_contains(w->stack, path))
                return 0; /* already included: the parser skips duplicates */
        r = node_get(w->g, path, &n);
        if (r < 0)
                return r;
        return walk_node(w, path, n, depth);
}

static const char *dep_error_text(int error) {
        switch (error) {
        case -EBADMSG: return "binary data (NUL bytes) in a policy file";
        case -EFBIG: return "file too large for a policy file";
        case -ELOOP: return "symlink loop";
        case -EBADFD: return "not a regular file";
        default: return strerror(-error);
        }
}

static int closure_compute(IncludeGraph *g, const char *file, Closure **ret) {
        _cleanup_(closure_freep) Closure *c = NULL;
        _cleanup_(hashmap_freep) Hashmap *seen = NULL, *stack = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        size_t rl = strlen(g->root);
        Walk w;
        Sha256 s;
        int r;

        c = calloc(1, sizeof(Closure));
        if (!c)
                return -ENOMEM;
        c->n_ref = 1;
        c->file = strdup(file);
        seen = hashmap_new(NULL);
        stack = hashmap_new(NULL);
        if (!c->file || !seen || !stack)
                return -ENOMEM;

        w = (Walk) { .g = g, .seen = seen, .stack = stack, .c = c };
        r = walk_file(&w, file, 0);
        if (r < 0)
                return r;

        paths = hashmap_keys_sorted(seen);
        if (!paths)
                return -ENOMEM;
        c->deps = calloc(strv_length(paths) + 1, sizeof(Dep *));
        if (!c->deps)
                return -ENOMEM;
        sha256_init(&s);
        for (char **p = paths; *p; p++) {
                Node *n = hashmap_get(seen, *p);
                const Dep *d = &n->dep;
                const char *logical = d->path;
                uint8_t type = (uint8_t) d->type;

                c->deps[c->n_deps++] = &node_ref(n)->dep;
                if (d->type == DEP_FILE && n->scan->mentions_aalevel)
                        c->mentions_aalevel = true;
                if (d->type == DEP_FILE)
                        c->state_uses |= n->scan->state_uses;
                /* aalevel's own state file says what the key covers in
                 * other words (the values the closure uses): its bytes,
                 * and its directory existing for it alone, are in no
                 * digest. */
                if (streq_ptr(d->path, g->managed)) {
                        c->state_file = true;
                        continue;
                }
                if (streq_ptr(d->path, g->managed_dir) && d->type == DEP_DIR &&
                    (!n->entries[0] || (streq(n->entries[0], g->managed) && !n->entries[1])))
                        type = DEP_MISSING;
                if (d->type == DEP_ERROR && !c->error &&
                    asprintf(&c->error, "%s: %s", d->path, dep_error_text(d->error)) < 0)
                        return -ENOMEM;
                if (rl > 0 && strneq(logical, g->root, rl) && logical[rl] == '/')
                        logical += rl;
                sha256_update(&s, logical, strlen(logical) + 1);
                sha256_update(&s, &type, 1);
                if (type == DEP_MISSING)
                        sha256_update(&s, (uint8_t[SHA256_DIGEST_SIZE]) {}, SHA256_DIGEST_SIZE);
                else
                        sha256_update(&s, d->digest, sizeof d->digest);
        }
        sha256_final(&s, c->digest);
        *ret = TAKE_PTR(c);
        return 0;
}

int include_graph_closure(IncludeGraph *g, const char *file, Closure **ret) {
        Closure *c = hashmap_get(g->closures, file);
        int r;

        /* Computed before, and nothing it read has changed since. */
        if (c && closure_current(c)) {
                *ret = closure_ref(c);
                return 0;
        }
        r = closure_compute(g, file, &c);
        if (r < 0)
                return r;
        /* Not remembered when out of memory: only slower next time. */
        if (hashmap_put(g->closures, file, c) >= 0)
                closure_ref(c);
        *ret = c;
        return 0;
}

void include_graph_forget_closures(IncludeGraph *g) {
        Hashmap *fresh = hashmap_new(closure_free_void);
        if (!fresh)
                return;
        hashmap_free(g->closures);
        g->closures = fresh;
}

void include_graph_invalidate_all(IncludeGraph *g);

static void invalidate_one(IncludeGraph *g, const char *path) {
        (void) hashmap_remove(g->nodes, path);
}

void include_graph_invalidate(IncludeGraph *g, const char *path) {
        _cleanup_free_ char *dir = NULL;
        char *slash;
        size_t i = 0, len = strlen(path);
        const char *key;
        void *value;

        invalidate_one(g, path);
        /* A directory created, removed or renamed: everything below it
         * (a missing local/foo may exist now). */
        {
                _cleanup_strv_free_ char **below = NULL;
                i = 0;
                while (hashmap_iterate(g->nodes, &i, &key, NULL))
                        if (strneq(key, path, len) && key[len] == '/' && strv_extend(&below, key) < 0) {
                                /* Out of memory: forget everything rather than
                                 * keep something stale. */
                                include_graph_invalidate_all(g);
                                return;
                        }
                STRV_FOREACH(b, below)
                        invalidate_one(g, *b);
        }
        dir = strdup(path);
        if (dir && (slash = strrchr(dir, '/'))) {
                *slash = '\0';
                invalidate_one(g, isempty(dir) ? "/" : dir);
        }
        /* A node behind a symlink whose target changed. Rare: a linear
         * pass is fine. */
        for (;;) {
                bool found = false;
                i = 0;
                while (hashmap_iterate(g->nodes, &i, &key, &value)) {
                        Node *n = value;
                        if (n->real && streq(n->real, path)) {
                                _cleanup_free_ char *k = strdup(key);
                                if (k) {
                                        invalidate_one(g, k);
                                        found = true;
                                }
                                break;
                        }
                }
                if (!found)
                        break;
        }
}

void include_graph_invalidate_all(IncludeGraph *g) {
        Hashmap *fresh = hashmap_new(node_retire);
        char **keys;

        if (fresh) {
                hashmap_free(g->nodes);
                g->nodes = fresh;
                return;
        }
        /* Out of memory for a new map: empty the old one in place. */
        keys = hashmap_keys_sorted(g->nodes);
        for (char **k = keys; k && *k; k++)
                invalidate_one(g, *k);
        strv_free(keys);
}

static bool node_changed(const char *path, const Node *n) {
        Signature now;
        struct stat st;

        switch (n->dep.type) {
        case DEP_ERROR:
                return true;
        case DEP_MISSING:
                return !(lstat(path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR));
        default:
                if (!n->sig.valid || n->sig.racy)
                        return true;
                signature_take(&now, path);
                return !signature_eq(&n->sig, &now);
        }
}

/* The content of a file or the listing of a directory, read again and
 * digested as node_load() digests it. */
static bool node_content_same(const Node *n) {
        uint8_t digest[SHA256_DIGEST_SIZE];

        if (n->dep.type == DEP_FILE) {
                _cleanup_free_ char *text = NULL;
                size_t size;

                if (read_full_file(n->dep.path, POLICY_FILE_MAX, &text, &size) < 0)
                        return false;
                sha256(text, size, digest);
        } else {
                _cleanup_strv_free_ char **entries = NULL;

                if (dir_entries(n->dep.path, &entries) < 0)
                        return false;
                listing_digest(entries, n->unlisted, digest);
        }
        return memcmp(digest, n->dep.digest, sizeof digest) == 0;
}

bool closure_unchanged(const Closure *c) {
        for (size_t i = 0; i < c->n_deps; i++) {
                const Node *n = (const Node *) c->deps[i];
                Signature now;
                struct stat st;

                switch (n->dep.type) {
                case DEP_ERROR:
                        return false;
                case DEP_MISSING:
                        if (!(lstat(n->dep.path, &st) < 0 && (errno == ENOENT || errno == ENOTDIR)))
                                return false;
                        break;
                default:
                        /* The status was taken before the read: any write
                         * since, the parser's read included, changed it. */
                        if (!n->sig.valid)
                                return false;
                        signature_take(&now, n->dep.path);
                        if (!signature_eq(&n->sig, &now))
                                return false;
                        /* A write in the read's clock tick leaves the
                         * status as it was: the content is read again. */
                        if (n->sig.racy && !node_content_same(n))
                                return false;
                }
        }
        return true;
}

unsigned include_graph_revalidate(IncludeGraph *g) {
        _cleanup_strv_free_ char **changed = NULL;
        const char *key;
        void *value;
        size_t i = 0;
        unsigned n = 0;

        while (hashmap_iterate(g->nodes, &i, &key, &value))
                if (node_changed(key, value) && strv_extend(&changed, key) < 0) {
                        unsigned all = (unsigned) hashmap_size(g->nodes);
                        include_graph_invalidate_all(g);
                        return all;
                }
        /* Each node is judged by its own status: a directory's changes
         * when its listing does, a symlink's when its target does. */
        STRV_FOREACH(p, changed) {
                invalidate_one(g, *p);
                n++;
        }
        return n;
}

char **include_graph_paths(const IncludeGraph *g) {
        _cleanup_(hashmap_freep) Hashmap *set = hashmap_new(NULL);
        const char *key;
        void *value;
        size_t i = 0;

        if (!set)
                return NULL;
        while (hashmap_iterate(g->nodes, &i, &key, &value)) {
                const Node *n = value;
                if (hashmap_put(set, key, (void *) 1) < 0 || (n->real && hashmap_put(set, n->real, (void *) 1) < 0))
                        return NULL;
        }
        return hashmap_keys_sorted(set);
}
