/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parallel apparmor_parser runs. */
#include "compiler.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "hash.h"
#include "strv.h"
#include "util.h"

/* A compiled policy is at most a few MiB. The parser may write this much
 * to either output (the kernel stops it there, RLIMIT_FSIZE on the memfds
 * it writes to); of its messages the daemon keeps the first STDERR_MAX. */
#define OUTPUT_MAX_DEFAULT (256U * 1024U * 1024U)
#define STDERR_MAX (1024U * 1024U)

/* The parser's whole environment: its messages in English for
 * parser-error.c, none of the service's variables (LANG, LANGUAGE,
 * LC_*, LD_*, MALLOC_*) to change what it says or does. */
static char *const parser_envp[] = {
        (char *) "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        (char *) "LC_ALL=C",
        NULL,
};

void compile_job_clear(CompileJob *j) {
        free(j->blob);
        free(j->errors);
        j->blob = NULL;
        j->errors = NULL;
        j->blob_size = 0;
        j->status = 0;
}

char **compiler_argv(const CompilerSettings *s, const CompileJob *j) {
        _cleanup_strv_free_ char **argv = NULL;

        /* -K: the parser's own cache trusts modification times and must
         * never answer for us. -Q -S: compile only, binary to stdout. */
        if (strv_extend(&argv, s->parser) < 0 || strv_extend(&argv, "-Q") < 0 || strv_extend(&argv, "-K") < 0 ||
            strv_extend(&argv, "-S") < 0)
                return NULL;
        if (s->parser_config && access(s->parser_config, F_OK) == 0) {
                if (strv_extend(&argv, "--config-file") < 0 || strv_extend(&argv, s->parser_config) < 0)
                        return NULL;
        }
        if (s->features_file) {
                if (strv_extend(&argv, "--kernel-features") < 0 || strv_extend(&argv, s->features_file) < 0)
                        return NULL;
        }
        if (s->base_dir) {
                if (strv_extend(&argv, "-b") < 0 || strv_extend(&argv, s->base_dir) < 0)
                        return NULL;
        }
        STRV_FOREACH(i, s->include_path)
                if (strv_extend(&argv, "-I") < 0 || strv_extend(&argv, *i) < 0)
                        return NULL;
        if (j->force_complain && strv_extend(&argv, "-C") < 0)
                return NULL;
        if (j->ns && (strv_extend(&argv, "-n") < 0 || strv_extend(&argv, j->ns) < 0))
                return NULL;
        /* With a prelude the policy comes on standard input; naming it as a
         * file (not reading stdin implicitly) makes the parser say in which
         * file and line an error is. Same binary either way. */
        if (strv_extend(&argv, j->prelude ? "/proc/self/fd/0" : j->file) < 0)
                return NULL;
        return TAKE_PTR(argv);
}

typedef struct Running {
        CompileJob *job;
        pid_t pid;
        int pidfd;              /* -1 when the kernel has no pidfd_open */
        int out_fd, err_fd;
        usec_t started;
        const char *parser;
        size_t output_max;
} Running;

static int memfd(const char *name) {
        return memfd_create(name, MFD_CLOEXEC);
}

static int pidfd_open_compat(pid_t pid) {
#ifdef SYS_pidfd_open
        return (int) syscall(SYS_pidfd_open, pid, 0);
#else
        errno = ENOSYS;
        return -1;
#endif
}

static size_t output_max(const CompilerSettings *s) {
        return s->output_max > 0 ? s->output_max : OUTPUT_MAX_DEFAULT;
}

/* In the child, before exec: no file it writes (its stdout and stderr
 * are memfds) grows past output_max + 1 bytes, the byte that tells an
 * output of exactly output_max from a longer one; a write past it
 * raises SIGXFSZ, which kills it unless it ignores the signal, and
 * then fails with EFBIG. Async-signal-safe. */
static int child_limit_output(size_t max) {
        struct rlimit rl = { .rlim_cur = (rlim_t) max + 1, .rlim_max = (rlim_t) max + 1 };
        struct sigaction dfl = { .sa_handler = SIG_DFL };

        if (sigaction(SIGXFSZ, &dfl, NULL) < 0 || sigaction(SIGPIPE, &dfl, NULL) < 0)
                return -1;
        return setrlimit(RLIMIT_FSIZE, &rl);
}

static int start_job(const CompilerSettings *s, CompileJob *j, Running *run) {
        _cleanup_close_ int in_fd = -1, out_fd = -1, err_fd = -1;
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *input = NULL;
        size_t max = output_max(s);
        pid_t pid;
        int r;

        argv = compiler_argv(s, j);
        if (!argv)
                return -ENOMEM;
        out_fd = memfd("aalevel-blob");
        err_fd = memfd("aalevel-stderr");
        if (out_fd < 0 || err_fd < 0)
                return negative_errno();
        if (j->prelude) {
                /* The include path is quoted for the parser's lexer. */
                if (strchr(j->file, '"') || strchr(j->file, '\n'))
                        return -EINVAL;
                if (asprintf(&input, "%s\ninclude \"%s\"\n", j->prelude, j->file) < 0)
                        return -ENOMEM;
                in_fd = memfd("aalevel-prelude");
                if (in_fd < 0)
                        return negative_errno();
                r = loop_write(in_fd, input, strlen(input));
                if (r < 0)
                        return r;
                if (lseek(in_fd, 0, SEEK_SET) < 0)
                        return negative_errno();
        } else {
                in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (in_fd < 0)
                        return negative_errno();
        }

        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                /* The child: only async-signal-safe calls from here. */
                sigset_t none;
                sigemptyset(&none);
                (void) sigprocmask(SIG_SETMASK, &none, NULL);
                if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
                    dup2(err_fd, STDERR_FILENO) < 0)
                        _exit(126);
                if (s->cwd && chdir(s->cwd) < 0)
                        _exit(126);
                if (child_limit_output(max) < 0)
                        _exit(126);
                execve(argv[0], argv, parser_envp);
                _exit(127); /* the parent says why */
        }

        *run = (Running) {
                .job = j,
                .pid = pid,
                .pidfd = pidfd_open_compat(pid),
                .out_fd = TAKE_FD(out_fd),
                .err_fd = TAKE_FD(err_fd),
                .started = now_usec(CLOCK_MONOTONIC),
                .parser = s->parser,
                .output_max = max,
        };
        return 0;
}

static int read_memfd(int fd, size_t max, char **ret, size_t *ret_size) {
        if (lseek(fd, 0, SEEK_SET) < 0)
                return negative_errno();
        return read_full_fd(fd, max, ret, ret_size);
}

/* The first STDERR_MAX bytes of the parser's messages, cut after the
 * last whole line when there were more. */
static int read_messages(int fd, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        struct stat st;
        char *nl;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        buf = malloc(STDERR_MAX + 1);
        if (!buf)
                return -ENOMEM;
        while (size < STDERR_MAX) {
                ssize_t n = pread(fd, buf + size, STDERR_MAX - size, (off_t) size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        buf[size] = '\0';
        if ((size_t) st.st_size > size && (nl = strrchr(buf, '\n')))
                nl[1] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

/* Whether the parser wrote past its bound to stdout or stderr. */
static bool output_overflowed(const Running *run) {
        struct stat st;

        return (fstat(run->out_fd, &st) == 0 && (size_t) st.st_size > run->output_max) ||
               (fstat(run->err_fd, &st) == 0 && (size_t) st.st_size > run->output_max);
}

static void finish_job(Running *run, int wstatus, const struct rusage *ru, bool timed_out, unsigned timeout_sec) {
        CompileJob *j = run->job;
        _cleanup_free_ char *err = NULL, *out = NULL;
        size_t out_size = 0;
        int r;

        j->seconds = (double) (now_usec(CLOCK_MONOTONIC) - run->started) / USEC_PER_SEC;
        j->max_rss_kb = ru ? ru->ru_maxrss : 0;
        (void) read_messages(run->err_fd, &err);

        if (output_overflowed(run)) {
                /* Not the policy's failure: parser-error.c files this
                 * message as environmental, so it is never cached. */
                j->status = -EFBIG;
                if (asprintf(&j->errors, "apparmor_parser wrote more than %zu bytes of output and was stopped%s%s",
                             run->output_max, err && *err ? "; it began: " : "", strempty(err)) < 0)
                        j->errors = NULL;
        } else if (timed_out) {
                j->status = -ETIME;
                if (asprintf(&j->errors, "apparmor_parser did not finish within %u seconds and was stopped%s%s",
                             timeout_sec, err && *err ? "; it said: " : "", strempty(err)) < 0)
                        j->errors = NULL;
        } else if (WIFSIGNALED(wstatus)) {
                j->status = -ECHILD;
                if (asprintf(&j->errors, "apparmor_parser crashed (signal %d, %s)%s%s", WTERMSIG(wstatus),
                             strsignal(WTERMSIG(wstatus)), err && *err ? "; it said: " : "", strempty(err)) < 0)
                        j->errors = NULL;
        } else if ((WEXITSTATUS(wstatus) == 127 || WEXITSTATUS(wstatus) == 126) && (!err || !*err)) {
                const char *parser = run->parser;
                j->status = -ENOEXEC;
                if (asprintf(&j->errors, "cannot execute the AppArmor parser %s: %s", parser,
                             access(parser, X_OK) < 0 ? strerror(errno) : "exec failed") < 0)
                        j->errors = NULL;
        } else if (WEXITSTATUS(wstatus) != 0) {
                j->status = -EINVAL;
                j->errors = err && *err ? TAKE_PTR(err) : strdup("apparmor_parser failed without a message");
        } else {
                r = read_memfd(run->out_fd, run->output_max, &out, &out_size);
                if (r < 0 || out_size == 0) {
                        j->status = r < 0 ? r : -ENODATA;
                        if (asprintf(&j->errors, "apparmor_parser produced no usable output (%s)",
                                     r < 0 ? strerror(-r) : "empty") < 0)
                                j->errors = NULL;
                } else {
                        j->status = 0;
                        j->blob = (uint8_t *) TAKE_PTR(out);
                        j->blob_size = out_size;
                        j->errors = err && *err ? TAKE_PTR(err) : NULL; /* warnings */
                }
        }
        closep(&run->out_fd);
        closep(&run->err_fd);
        closep(&run->pidfd);
        run->job = NULL;
}

static int job_cmp(const void *a, const void *b) {
        const CompileJob *x = *(CompileJob * const *) a, *y = *(CompileJob * const *) b;
        if (x->expected_seconds != y->expected_seconds)
                return x->expected_seconds > y->expected_seconds ? -1 : 1;
        return strcmp(x->file, y->file);
}

/* The parsers of one compiler_run(): at most slots at once, the longest
 * expected first. */
typedef struct Pool {
        const CompilerSettings *s;
        CompileJob **order;
        size_t n, next, done, active;
        Running *running;
        unsigned slots;
        CompileProgress progress;
        void *userdata;
} Pool;

/* Whatever still runs when the pool goes (cancelled, out of memory) is
 * killed. */
static void pool_done(Pool *p) {
        for (unsigned i = 0; p->running && i < p->slots; i++) {
                Running *run = &p->running[i];
                int wstatus;

                if (!run->job)
                        continue;
                (void) kill(run->pid, SIGKILL);
                (void) waitpid(run->pid, &wstatus, 0);
                closep(&run->out_fd);
                closep(&run->err_fd);
                closep(&run->pidfd);
        }
        free(p->running);
        free(p->order);
}

static void job_done(Pool *p, CompileJob *j) {
        p->done++;
        if (p->progress)
                p->progress(j, p->done, p->n, p->userdata);
}

/* Starts the next jobs in the free slots; -errno when the machine cannot
 * run more (memory, descriptors). A parser that cannot start fails its
 * job. */
static int fill_slots(Pool *p) {
        for (unsigned i = 0; i < p->slots && p->next < p->n; i++) {
                CompileJob *j = p->order[p->next];
                int r;

                if (p->running[i].job)
                        continue;
                compile_job_clear(j);
                r = start_job(p->s, j, &p->running[i]);
                if (r == -ENOMEM || r == -EMFILE || r == -ENFILE)
                        return r;
                p->next++;
                if (r < 0) {
                        j->status = r == -EAGAIN ? -EAGAIN : -ENOEXEC;
                        if (asprintf(&j->errors, "cannot run apparmor_parser: %s", strerror(-r)) < 0)
                                j->errors = NULL;
                        job_done(p, j);
                        continue;
                }
                p->active++;
        }
        return 0;
}

/* Waits a little for a parser to end, and collects those that did (or
 * kills those past the timeout). */
static void reap(Pool *p) {
        const CompilerSettings *s = p->s;
        struct pollfd pfd[p->slots];
        unsigned npfd = 0;
        bool any_without_pidfd = false;
        usec_t now;

        for (unsigned i = 0; i < p->slots; i++) {
                if (!p->running[i].job)
                        continue;
                if (p->running[i].pidfd >= 0)
                        pfd[npfd++] = (struct pollfd) { .fd = p->running[i].pidfd, .events = POLLIN };
                else
                        any_without_pidfd = true;
        }
        (void) poll(pfd, npfd, any_without_pidfd || s->cancel ? 20 : 1000);

        now = now_usec(CLOCK_MONOTONIC);
        for (unsigned i = 0; i < p->slots; i++) {
                Running *run = &p->running[i];
                CompileJob *j = run->job;
                struct rusage ru;
                int wstatus;
                pid_t pid;
                bool timed_out = false;

                if (!j)
                        continue;
                pid = wait4(run->pid, &wstatus, WNOHANG, &ru);
                if (pid == 0 && s->timeout_sec > 0 && now - run->started > s->timeout_sec * USEC_PER_SEC) {
                        (void) kill(run->pid, SIGKILL);
                        pid = wait4(run->pid, &wstatus, 0, &ru);
                        timed_out = true;
                }
                if (pid <= 0)
                        continue;
                finish_job(run, wstatus, &ru, timed_out, s->timeout_sec);
                p->active--;
                job_done(p, j);
        }
}

int compiler_run(const CompilerSettings *s, CompileJob **jobs, size_t n, CompileProgress progress, void *userdata) {
        _cleanup_(pool_done) Pool p = {
                .s = s, .n = n, .slots = s->jobs > 0 ? s->jobs : 1, .progress = progress, .userdata = userdata,
        };
        int r;

        if (n == 0)
                return 0;
        p.order = malloc(sizeof(CompileJob *) * n);
        p.running = calloc(p.slots, sizeof(Running));
        if (!p.order || !p.running)
                return -ENOMEM;
        memcpy(p.order, jobs, sizeof(CompileJob *) * n);
        qsort(p.order, n, sizeof(CompileJob *), job_cmp);
        for (unsigned i = 0; i < p.slots; i++)
                p.running[i].pidfd = p.running[i].out_fd = p.running[i].err_fd = -1;

        while (p.done < n) {
                if (s->cancel && *s->cancel)
                        return -ECANCELED;
                r = fill_slots(&p);
                if (r < 0)
                        return r;
                if (p.active > 0)
                        reap(&p);
        }
        return 0;
}

int compiler_label_variable(FILE *f, const char *name, char * const *labels) {
        /* Each character that means something to the parser (globbing,
         * alternation, quoting, comments, variables) is escaped: the
         * variable matches the labels as they are, and only them. */
        static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/&+-";

        fprintf(f, "@{%s} =", name);
        if (!labels || !labels[0])
                fputs(" unconfined", f); /* a variable cannot be empty */
        STRV_FOREACH(l, labels) {
                fputc(' ', f);
                for (const char *p = *l; *p; p++) {
                        if (!strchr(plain, *p))
                                fputc('\\', f);
                        fputc(*p, f);
                }
        }
        fputc('\n', f);
        return ferror(f) ? -ENOMEM : 0;
}

int compiler_identity(const char *parser, char **ret) {
        _cleanup_free_ char *exe = NULL, *version = NULL;
        uint8_t digest[SHA256_DIGEST_SIZE];
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        size_t size;
        int pipefd[2], wstatus, r;
        pid_t pid;

        r = read_full_file(parser, 64U * 1024U * 1024U, &exe, &size);
        if (r < 0)
                return r;
        sha256(exe, size, digest);
        hex_encode(digest, sizeof digest, hex);

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return negative_errno();
        pid = fork();
        if (pid < 0) {
                r = negative_errno();
                close(pipefd[0]);
                close(pipefd[1]);
                return r;
        }
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (dup2(pipefd[1], STDOUT_FILENO) < 0 || devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
                    dup2(devnull, STDERR_FILENO) < 0)
                        _exit(126);
                execle(parser, parser, "--version", (char *) NULL, parser_envp);
                _exit(127);
        }
        close(pipefd[1]);
        r = read_full_fd(pipefd[0], 64 * 1024, &version, NULL);
        close(pipefd[0]);
        (void) waitpid(pid, &wstatus, 0);
        if (r < 0)
                return r;
        if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
                return -ENOEXEC;
        version[strcspn(version, "\n")] = '\0';
        if (asprintf(ret, "%s (sha256 %s)", version, hex) < 0)
                return -ENOMEM;
        return 0;
}
