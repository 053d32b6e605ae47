/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The transports' listening sockets, passed by systemd or bound here. */
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "util.h"

/* aalevel.socket has two: room for a few more. */
#define PASSED_MAX 8

static int passed[PASSED_MAX];
static int n_passed = -1;       /* not asked yet */

static void collect(void) {
        int n;

        if (n_passed >= 0)
                return;
        n_passed = 0;
        /* Once, and the environment cleared: the parser children must not
         * think the sockets are theirs. */
        n = sd_listen_fds(1);
        if (n < 0) {
                log_warning_errno(n, "Cannot read the sockets systemd passed: %m");
                return;
        }
        for (int i = 0; i < n; i++) {
                int fd = SD_LISTEN_FDS_START + i;
                (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
                if (n_passed < PASSED_MAX)
                        passed[n_passed++] = fd;
                else {
                        log_warning("systemd passed more sockets than aalevel.socket has; closing fd %d.", fd);
                        close(fd);
                }
        }
}

int listen_unix(const char *path, const char *what) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char *slash;
        int r;

        collect();
        for (int i = 0; i < n_passed; i++)
                if (passed[i] >= 0 && sd_is_socket_unix(passed[i], SOCK_STREAM, 1, path, 0) > 0) {
                        fd = passed[i];
                        passed[i] = -1;
                        (void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                        return TAKE_FD(fd);
                }

        if (strlen(path) >= sizeof(sa.sun_path))
                return log_error_errno(-ENAMETOOLONG, "Socket path %s is too long.", path);
        strcpy(sa.sun_path, path);
        dir = strdup(path);
        if (!dir)
                return log_oom();
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                r = mkdir_p(dir, 0755);
                if (r < 0)
                        return log_error_errno(r, "Failed to create %s: %m", dir);
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(-errno, "Failed to create the %s: %m", what);
        (void) unlink(path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_error_errno(-errno, "Failed to bind %s: %m", path);
        /* Everyone may connect and read; changes are checked per call. */
        if (chmod(path, 0666) < 0)
                return log_error_errno(-errno, "Failed to make %s accessible: %m", path);
        if (listen(fd, SOMAXCONN) < 0)
                return log_error_errno(-errno, "Failed to listen on %s: %m", path);
        return TAKE_FD(fd);
}

void listen_close_unused(void) {
        for (int i = 0; i < n_passed; i++)
                if (passed[i] >= 0) {
                        log_warning("systemd passed a socket (fd %d) on a path no transport of this build "
                                    "serves; closing it.", passed[i]);
                        close(passed[i]);
                        passed[i] = -1;
                }
}
