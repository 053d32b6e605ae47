/* SPDX-License-Identifier: GPL-2.0-or-later */
/* closure-dump: prints aalevel's closure of policy files, one dependency
 * per line ("FILE<TAB>TYPE<TAB>PATH<TAB>DIGEST", TYPE file/missing/dir/error), for
 * the differential test against what apparmor_parser really opens.
 *
 *   closure-dump [-I DIR]... [-C CWD] FILE...                           */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph.h"
#include "strv.h"

int main(int argc, char *argv[]) {
        static const char * const types[] = { "file", "missing", "dir", "error" };
        char **search = NULL;
        const char *cwd = "/";
        IncludeGraph *g = NULL;
        int c, status = 0;

        while ((c = getopt(argc, argv, "I:C:")) >= 0) {
                if (c == 'I')
                        (void) strv_extend(&search, optarg);
                else if (c == 'C')
                        cwd = optarg;
                else
                        return 2;
        }
        if (include_graph_new(search, cwd, "", &g) < 0)
                return 1;
        for (int i = optind; i < argc; i++) {
                Closure *cl = NULL;
                if (include_graph_closure(g, argv[i], &cl) < 0)
                        return 1;
                for (size_t k = 0; k < cl->n_deps; k++) {
                        char hex[2 * SHA256_DIGEST_SIZE + 1];
                        hex_encode(cl->deps[k]->digest, sizeof cl->deps[k]->digest, hex);
                        printf("%s\t%s\t%s\t%s\n", argv[i], types[cl->deps[k]->type], cl->deps[k]->path, hex);
                }
                if (cl->error) {
                        fprintf(stderr, "%s: %s\n", argv[i], cl->error);
                        status = 1;
                }
                closure_free(cl);
        }
        include_graph_free(g);
        strv_free(search);
        return status;
}
