/* One output file, written safely (docs/outputs.md):
 *
 * - a regular file (or a new one) is written to a fresh temporary file in
 *   the target's own folder and renamed over it at commit, so readers see
 *   the old or the new contents, never a half-written file;
 * - a symbolic link is followed to its final target, which is written as
 *   above: the link stays a link;
 * - a device, FIFO or socket is written straight, never replaced.
 *
 * The temporary file is unnamed (O_TMPFILE) where the file system allows,
 * so a process killed mid-way leaves nothing behind; it gets a name only
 * for the instant between linkat() and rename().  Elsewhere it is a named
 * file created with O_EXCL | O_NOFOLLOW under a random name, so a link
 * planted in advance can neither be followed nor guessed. */
#define _GNU_SOURCE /* O_TMPFILE, linkat's AT_SYMLINK_FOLLOW */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* Symbolic links followed at most (the kernel's own limit is 40). */
#define MAX_LINKS 40

static int fail(bm_ctx *ctx, const char *shown, const char *what, int err)
{
    bm_error(ctx, bm_loc_make(shown, 0, 0), "%s: %s", what, strerror(err));
    return BM_EIO;
}

/* The folder part of path ("." when it has none), in a new string. */
static char *folder_of(bm_ctx *ctx, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return bm_strdup(ctx, ".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = bm_malloc(ctx, n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

/* Follows symbolic links from path to the first name that is not one
 * (which may not exist yet).  A relative link is relative to its folder. */
int bm_path_final_target(bm_ctx *ctx, const char *path, char **out)
{
    char *cur = bm_strdup(ctx, path);
    if (!cur)
        return bm_oom(ctx);
    for (int hops = 0;; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            *out = cur;
            return BM_OK;
        }
        if (hops == MAX_LINKS) {
            bm_free(ctx, cur);
            return fail(ctx, path, "cannot write", ELOOP);
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            bm_free(ctx, cur);
            return fail(ctx, path, "cannot write", errno);
        }
        link[n] = '\0';
        char *next;
        if (link[0] == '/' || !strchr(cur, '/')) {
            next = bm_strdup(ctx, link);
        } else {
            size_t dir = (size_t)(strrchr(cur, '/') - cur) + 1;
            next = bm_malloc(ctx, dir + (size_t)n + 1);
            if (next) {
                memcpy(next, cur, dir);
                memcpy(next + dir, link, (size_t)n + 1);
            }
        }
        bm_free(ctx, cur);
        if (!next)
            return bm_oom(ctx);
        cur = next;
    }
}

/* Random letters and digits for temporary names. */
static void random_tag(char *tag, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[32];
    if (n > sizeof bytes)
        n = sizeof bytes;
    if (getrandom(bytes, n, GRND_NONBLOCK) != (ssize_t)n) {
        /* No entropy yet: O_EXCL still keeps the name safe, only guessable. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
        for (size_t i = 0; i < n; i++, x = x * 6364136223846793005UL + 1442695040888963407UL)
            bytes[i] = (unsigned char)(x >> 33);
    }
    for (size_t i = 0; i < n; i++)
        tag[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
    tag[n] = '\0';
}

int bm_temp_name(bm_ctx *ctx, const char *path, char **out)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + 32;
    char *name = bm_malloc(ctx, n);
    if (!name)
        return bm_oom(ctx);
    char tag[13];
    random_tag(tag, 12);
    snprintf(name, n, "%.*s.%s.tmp-%s", (int)dir, path, path + dir, tag);
    *out = name;
    return BM_OK;
}

/* A named temporary file next to the target. */
static int open_named(bm_ctx *ctx, bm_outfile *f, mode_t mode)
{
    for (int tries = 0; tries < 100; tries++) {
        int rc = bm_temp_name(ctx, f->target, &f->tmp);
        if (rc)
            return rc;
        f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (f->fd >= 0)
            return BM_OK;
        int err = errno;
        bm_free(ctx, f->tmp);
        f->tmp = NULL;
        if (err == ENOENT) {
            bm_error(ctx, bm_loc_make(f->shown, 0, 0), "cannot write: its folder does not exist");
            return BM_EIO;
        }
        if (err != EEXIST)
            return fail(ctx, f->shown, "cannot create a temporary file next to it", err);
    }
    return fail(ctx, f->shown, "cannot create a temporary file next to it", EEXIST);
}

/* An unnamed temporary file in the target's folder; 0 when the file system
 * cannot make one (or /proc, needed to name it later, is missing). */
static int open_unnamed(bm_ctx *ctx, bm_outfile *f, mode_t mode)
{
    char *dir = folder_of(ctx, f->target);
    if (!dir)
        return 0;
    f->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    bm_free(ctx, dir);
    if (f->fd < 0)
        return 0;
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", f->fd);
    if (access(self, F_OK) != 0) {
        close(f->fd);
        f->fd = -1;
        return 0;
    }
    f->unnamed = 1;
    return 1;
}

int bm_outfile_open(bm_ctx *ctx, bm_outfile *f, const char *path, unsigned flags)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    if (!path || !*path) {
        bm_error(ctx, bm_loc_make(NULL, 0, 0), "the output file name is empty");
        return BM_EINVAL;
    }
    f->shown = bm_strdup(ctx, path);
    if (!f->shown)
        return bm_oom(ctx);
    int rc = bm_path_final_target(ctx, path, &f->target);
    if (rc) {
        bm_outfile_discard(ctx, f);
        return rc;
    }
    struct stat st;
    mode_t mode = 0666; /* less the umask, as for any new file */
    int keep_mode = 0;
    if (stat(f->target, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            bm_error(ctx, bm_loc_make(path, 0, 0), "cannot write: it is a folder");
            bm_outfile_discard(ctx, f);
            return BM_EIO;
        }
        if (!S_ISREG(st.st_mode)) {
            f->straight = 1;
            if (flags & BM_OUTFILE_DEFER_STRAIGHT)
                return BM_OK;
            return bm_outfile_open_straight(ctx, f);
        }
        mode = st.st_mode & 07777;
        keep_mode = 1;
    } else if (errno != ENOENT) {
        fail(ctx, path, "cannot write", errno);
        bm_outfile_discard(ctx, f);
        return BM_EIO;
    }
    if (((flags & BM_OUTFILE_NAMED_TEMP) || !open_unnamed(ctx, f, mode)) &&
        (rc = open_named(ctx, f, mode)) != 0) {
        bm_outfile_discard(ctx, f);
        return rc;
    }
    /* The umask does not apply to a file that is replaced: it keeps its mode. */
    if (keep_mode)
        (void)fchmod(f->fd, mode);
    return BM_OK;
}

int bm_outfile_open_straight(bm_ctx *ctx, bm_outfile *f)
{
    f->fd = open(f->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (f->fd < 0) {
        int err = errno;
        fail(ctx, f->shown, "cannot write", err);
        return BM_EIO;
    }
    return BM_OK;
}

int bm_outfile_write(bm_ctx *ctx, bm_outfile *f, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(f->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(ctx, f->shown, "cannot write", n < 0 ? errno : EIO);
        p += n;
        len -= (size_t)n;
    }
    return BM_OK;
}

FILE *bm_outfile_stream(bm_ctx *ctx, bm_outfile *f)
{
    f->stream = fdopen(f->fd, "w");
    if (!f->stream)
        fail(ctx, f->shown, "cannot write", errno);
    return f->stream;
}

/* Closes the descriptor (or stream); 0 or the error number. */
static int close_file(bm_outfile *f)
{
    int err = 0;
    if (f->stream) {
        if (fclose(f->stream) != 0)
            err = errno ? errno : EIO;
    } else if (f->fd >= 0 && close(f->fd) != 0) {
        err = errno;
    }
    f->stream = NULL;
    f->fd = -1;
    return err;
}

/* Gives the unnamed file the name f->tmp (retrying on a taken name). */
static int link_unnamed(bm_ctx *ctx, bm_outfile *f)
{
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", f->fd);
    for (int tries = 0; tries < 100; tries++) {
        int rc = bm_temp_name(ctx, f->target, &f->tmp);
        if (rc)
            return rc;
        if (linkat(AT_FDCWD, self, AT_FDCWD, f->tmp, AT_SYMLINK_FOLLOW) == 0)
            return BM_OK;
        int err = errno;
        bm_free(ctx, f->tmp);
        f->tmp = NULL;
        if (err != EEXIST)
            return fail(ctx, f->shown, "cannot write", err);
    }
    return fail(ctx, f->shown, "cannot write", EEXIST);
}

int bm_outfile_commit(bm_ctx *ctx, bm_outfile *f)
{
    if (f->stream && fflush(f->stream) != 0) {
        int err = errno;
        bm_outfile_discard(ctx, f);
        return fail(ctx, f->shown, "cannot write", err);
    }
    if (f->stream && ferror(f->stream)) {
        bm_outfile_discard(ctx, f);
        return fail(ctx, f->shown, "cannot write", EIO);
    }
    int rc = f->unnamed ? link_unnamed(ctx, f) : BM_OK;
    int err = close_file(f);
    if (!rc && err)
        rc = fail(ctx, f->shown, "cannot write", err);
    if (!rc && f->tmp && rename(f->tmp, f->target) != 0)
        rc = fail(ctx, f->shown, "cannot write", errno);
    if (!rc) {
        bm_free(ctx, f->tmp);
        f->tmp = NULL; /* in place: nothing for discard to remove */
    }
    bm_outfile_discard(ctx, f);
    return rc;
}

void bm_outfile_discard(bm_ctx *ctx, bm_outfile *f)
{
    close_file(f);
    if (f->tmp)
        unlink(f->tmp);
    bm_free(ctx, f->tmp);
    bm_free(ctx, f->target);
    bm_free(ctx, f->shown);
    f->tmp = f->target = f->shown = NULL;
}
