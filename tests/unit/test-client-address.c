/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where the daemon is: the socket path and its D-Bus address. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "address.h"

Test(address, pick) {
        cr_expect_str_eq(socket_path_pick("/opt", "/env"), "/opt");
        cr_expect_str_eq(socket_path_pick(NULL, "/env"), "/env");
        cr_expect_str_eq(socket_path_pick("", "/env"), "/env");
        cr_expect_str_eq(socket_path_pick(NULL, ""), AALEVEL_RUNTIME_DIR "/bus");
        cr_expect_str_eq(socket_path_pick(NULL, NULL), AALEVEL_RUNTIME_DIR "/bus");
}

static void expect_address(const char *path, const char *expect) {
        char *a = NULL;
        cr_assert_eq(bus_address_from_path(path, &a), 0);
        cr_expect_str_eq(a, expect);
        free(a);
}

Test(address, escaping) {
        expect_address("/run/aalevel/bus", "unix:path=/run/aalevel/bus");
        expect_address("/tmp/a-b_c.d/x*y\\z", "unix:path=/tmp/a-b_c.d/x*y\\z");
        expect_address("/tmp/a,b;c=d%e f", "unix:path=/tmp/a%2cb%3bc%3dd%25e%20f");
        expect_address("/tmp/\xc3\xa9", "unix:path=/tmp/%c3%a9");
        expect_address("", "unix:path=");
}
