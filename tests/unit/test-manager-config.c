/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The manager's view of the configuration: which changed paths are the
 * configuration's, which paths are watched, and a refused file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"
#include "manager-config.h"
#include "strv.h"
#include "util.h"

static Config *defaults(void) {
        Config *c = NULL;
        cr_assert_eq(config_new_default(NULL, &c), 0);
        return c;
}

Test(manager_config, has_path) {
        Config *c = defaults();
        const char *f = "/etc/aalevel/aalevel.conf";
        _cleanup_free_ char *in_levels = path_join(c->levels_dir, "strict.yaml");
        _cleanup_free_ char *in_vendor = path_join(c->vendor_levels_dir, "fsp.yaml");
        _cleanup_free_ char *sibling = NULL;

        cr_assert(asprintf(&sibling, "%sx/strict.yaml", c->levels_dir) >= 0);
        cr_assert(manager_config_has_path(f, c, "/"));
        cr_assert(manager_config_has_path(f, c, f));
        cr_assert(manager_config_has_path(f, c, "/etc/aalevel/aalevel.conf.d/10-local.conf"));
        cr_assert(manager_config_has_path(f, c, c->levels_dir));
        cr_assert(manager_config_has_path(f, c, in_levels));
        cr_assert(manager_config_has_path(f, c, in_vendor));
        cr_assert_not(manager_config_has_path(f, c, sibling));
        cr_assert_not(manager_config_has_path(f, c, "/etc/aalevel/aalevel.confx"));
        cr_assert_not(manager_config_has_path(f, c, "/etc/apparmor.d/usr.bin.foo"));
        config_free(c);
}

Test(manager_config, watch_paths) {
        Config *c = defaults();
        char *engine[] = { (char *) "/etc/apparmor.d/abstractions", NULL };
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_free_ char *disable = path_join(c->policy_dir, "disable");

        cr_assert_eq(manager_config_watch_paths("/etc/aalevel/aalevel.conf", c, NULL, engine, &paths), 0);
        cr_assert(strv_contains(paths, "/etc/apparmor.d/abstractions"));
        cr_assert(strv_contains(paths, "/etc/aalevel/aalevel.conf"));
        cr_assert(strv_contains(paths, "/etc/aalevel/aalevel.conf.d"));
        cr_assert(strv_contains(paths, c->policy_dir));
        cr_assert(strv_contains(paths, disable));
        cr_assert(strv_contains(paths, c->levels_dir));
        cr_assert(strv_contains(paths, c->vendor_levels_dir));
        config_free(c);
}

Test(manager_config, refused_file_is_no_error) {
        char dir[] = "/tmp/test-manager-config.XXXXXX";
        _cleanup_free_ char *f = NULL;
        Config *config = (Config *) 1;
        LevelSet *levels = (LevelSet *) 1;
        char **errors = NULL;

        cr_assert_not_null(mkdtemp(dir));
        f = path_join(dir, "aalevel.conf");
        cr_assert_eq(write_file_atomic(f, "[daemon\nnonsense\n", 17, 0644), 0);
        cr_assert_eq(manager_config_load(f, true, &config, &levels, &errors), 0);
        cr_assert_null(config);
        cr_assert_null(levels);
        cr_assert_eq(strv_length(errors), 1);
        strv_free(errors);
        cr_assert_eq(unlink(f), 0);
        cr_assert_eq(rmdir(dir), 0);
}
