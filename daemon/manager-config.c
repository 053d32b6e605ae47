/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration as the manager reads and watches it. */
#include "manager-config.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "messages.h"
#include "strv.h"
#include "util.h"

int manager_config_load(const char *config_file, bool quiet, Config **ret_config, LevelSet **ret_levels,
                        char ***ret_errors) {
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(level_set_freep) LevelSet *levels = NULL;
        _cleanup_strv_free_ char **errors = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        assert(config_file);
        assert(ret_config);
        assert(ret_levels);
        assert(ret_errors);

        r = config_load(config_file, NULL, &config, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                _cleanup_free_ char *f = NULL;
                if (!quiet && asprintf(&f, "CONFIG_FILE=%s", config_file) >= 0)
                        log_struct(LOG_ERR, MESSAGE_ID_CONFIG_REJECTED, ((char *[]) { f, NULL }),
                                   "Configuration rejected, the previous one stays in force: %s",
                                   error ? error : strerror(-r));
                if (strv_extend(&errors, error ? error : strerror(-r)) < 0)
                        return -ENOMEM;
                *ret_config = NULL;
                *ret_levels = NULL;
                *ret_errors = TAKE_PTR(errors);
                return 0;
        }
        r = level_set_load(config->vendor_levels_dir, config->levels_dir, &levels);
        if (r < 0)
                return r;
        if (!quiet)
                STRV_FOREACH(e, levels->errors)
                        log_struct(LOG_ERR, MESSAGE_ID_CONFIG_REJECTED, NULL, "Level definition left out: %s", *e);
        if (strv_extend_strv(&errors, levels->errors) < 0)
                return -ENOMEM;
        *ret_config = TAKE_PTR(config);
        *ret_levels = TAKE_PTR(levels);
        *ret_errors = TAKE_PTR(errors);
        return 0;
}

bool manager_config_has_path(const char *config_file, const Config *config, const char *path) {
        size_t n;
        const char *dirs[2];

        assert(config_file);
        assert(config);
        assert(path);

        if (streq(path, "/"))
                return true; /* events were lost */
        n = strlen(config_file);
        if (strneq(path, config_file, n) && (path[n] == '\0' || startswith(path + n, ".d")))
                return true;
        dirs[0] = config->levels_dir;
        dirs[1] = config->vendor_levels_dir;
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                size_t k = strlen(dirs[i]);
                if (strneq(path, dirs[i], k) && (path[k] == '\0' || path[k] == '/'))
                        return true;
        }
        return false;
}

int manager_config_watch_paths(const char *config_file, const Config *config, const LevelSet *levels,
                               char * const *engine_watch, char ***ret) {
        _cleanup_strv_free_ char **paths = strv_copy(engine_watch);
        _cleanup_free_ char *dropins = NULL;

        assert(config_file);
        assert(config);
        assert(ret);

        if (!paths || asprintf(&dropins, "%s.d", config_file) < 0)
                return -ENOMEM;
        if (strv_extend(&paths, config_file) < 0 || strv_extend(&paths, dropins) < 0 ||
            strv_extend(&paths, config->policy_dir) < 0 ||
            strv_consume(&paths, path_join(config->policy_dir, "disable")) < 0 ||
            strv_consume(&paths, path_join(config->policy_dir, "force-complain")) < 0 ||
            strv_extend(&paths, config->levels_dir) < 0 || strv_extend(&paths, config->vendor_levels_dir) < 0)
                return -ENOMEM;
        for (size_t i = 0; levels && i < levels->n_levels; i++)
                if (strv_extend_strv(&paths, levels->levels[i]->directories) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(paths);
        return 0;
}
