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

typedef struct Node {
        DepType type;
        int error;
        uint8_t digest[SHA256_DIGEST_SIZE];
        IncludeScan *scan;      /* DEP_FILE */
        char **entries;         /* DEP_DIR: the files it includes, full paths, sorted */
        char *real;             /* the symlink target's real path, when different */
} Node;

struct IncludeGraph {
        char **search_path;
        char *cwd;
        char *root;
        Hashmap *nodes;         /* path → Node */
        uint64_t reads;
};

static void node_free(void *p) {
        Node *n = p;
        if (!n)
                return;
        include_scan_free(n->scan);
        strv_free(n->entries);
        free(n->real);
        free(n);
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

void closure_free(Closure *c) {
        if (!c)
                return;
        free(c->file);
        for (size_t i = 0; i < c->n_deps; i++)
                free(c->deps[i].path);
        free(c->deps);
        free(c->error);
        strv_free(c->warnings);
        strv_free(c->watch);
        free(c);
}

int include_graph_new(char * const *search_path, const char *cwd, const char *root, IncludeGraph **ret) {
        _cleanup_(include_graph_freep) IncludeGraph *g = NULL;

        g = calloc(1, sizeof(IncludeGraph));
        if (!g)
                return -ENOMEM;
        g->search_path = strv_copy(search_path);
        g->cwd = strdup(cwd);
        g->root = strdup(strempty(root));
        g->nodes = hashmap_new(node_free);
        if (!g->search_path || !g->cwd || !g->root || !g->nodes)
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
        node_free(*n);
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
        g->reads++;

        r = read_full_file(path, POLICY_FILE_MAX, &text, &size);
        if (r == -EISDIR) {
                _cleanup_strv_free_ char **entries = NULL;
                Sha256 s;

                r = dir_entries(path, &entries);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        n->type = DEP_ERROR;
                        n->error = r;
                } else {
                        n->type = DEP_DIR;
                        /* The listing by name: the same wherever the tree
                         * lives (an image's root, or /). */
                        sha256_init(&s);
                        STRV_FOREACH(e, entries) {
                                const char *base = strrchr(*e, '/') + 1;
                                sha256_update(&s, base, strlen(base) + 1);
                        }
                        sha256_final(&s, n->digest);
                        n->entries = TAKE_PTR(entries);
                }
        } else if (r == -ENOENT || r == -ENOTDIR) {
                n->type = DEP_MISSING;
        } else if (r == -ENOMEM) {
                return r;
        } else if (r < 0) {
                n->type = DEP_ERROR;
                n->error = r;
        } else if (memory_has_nul(text, size)) {
                n->type = DEP_ERROR;
                n->error = -EBADMSG;
        } else {
                n->type = DEP_FILE;
                sha256(text, size, n->digest);
                r = include_scan(text, size, &n->scan);
                if (r < 0)
                        return r;
        }

        /* A symlink's target may live in a directory nobody watches. */
        if (n->type != DEP_MISSING && lstat(path, &lst) >= 0 && S_ISLNK(lst.st_mode)) {
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
                node_free(n);
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
        if (hashmap_contains(w->seen, path))
                return 0;
        if (n->real && !strv_contains(w->c->watch, n->real)) {
                int r = strv_extend(&w->c->watch, n->real);
                if (r < 0)
                        return r;
        }
        return hashmap_put(w->seen, path, n);
}

static int walk_file(Walk *w, const char *path, unsigned depth);

static int walk_node(Walk *w, const char *path, Node *n, unsigned depth) {
        int r;

        r = record(w, path, n);
        if (r < 0)
                return r;
        if (n->type == DEP_DIR) {
                STRV_FOREACH(e, n->entries) {
                        r = walk_file(w, *e, depth + 1);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (n->type != DEP_FILE)
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
                                if (cn->type == DEP_MISSING) {
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

int include_graph_closure(IncludeGraph *g, const char *file, Closure **ret) {
        _cleanup_(closure_freep) Closure *c = NULL;
        _cleanup_(hashmap_freep) Hashmap *seen = NULL, *stack = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        Walk w;
        Sha256 s;
        int r;

        c = calloc(1, sizeof(Closure));
        if (!c)
                return -ENOMEM;
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
        c->deps = calloc(strv_length(paths) + 1, sizeof(Dep));
        if (!c->deps)
                return -ENOMEM;
        sha256_init(&s);
        for (char **p = paths; *p; p++) {
                Node *n = hashmap_get(seen, *p);
                Dep *d = &c->deps[c->n_deps++];
                uint8_t type = (uint8_t) n->type;

                d->path = TAKE_PTR(*p);
                d->type = n->type;
                d->error = n->error;
                memcpy(d->digest, n->digest, sizeof d->digest);
                if (n->type == DEP_FILE && n->scan->mentions_aalevel)
                        c->mentions_aalevel = true;
                if (n->type == DEP_ERROR && !c->error &&
                    asprintf(&c->error, "%s: %s", d->path, dep_error_text(n->error)) < 0)
                        return -ENOMEM;
                {
                        const char *logical = d->path;
                        size_t rl = strlen(g->root);
                        if (rl > 0 && strneq(logical, g->root, rl) && logical[rl] == '/')
                                logical += rl;
                        sha256_update(&s, logical, strlen(logical) + 1);
                }
                sha256_update(&s, &type, 1);
                sha256_update(&s, d->digest, sizeof d->digest);
        }
        sha256_final(&s, c->digest);
        *ret = TAKE_PTR(c);
        return 0;
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
        Hashmap *fresh = hashmap_new(node_free);
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
