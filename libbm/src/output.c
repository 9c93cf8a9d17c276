/* A set of outputs written all or nothing (bm/output.h, docs/outputs.md).
 *
 * Files are staged as bm_outfiles.  A folder that does not exist yet is
 * built as a new temporary folder next to it and renamed into place.  A
 * folder that exists is written file by file, and only when it is empty or
 * holds a MANIFEST of an earlier output: then the files that MANIFEST lists
 * may be replaced, and those the new output no longer has are deleted; a
 * file it does not list is never touched (and a new file of the same name
 * is refused). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bm/output.h"
#include "internal.h"

typedef struct staged_file {
    bm_outfile f;
    char *data; /* a device or FIFO: written at commit */
    size_t len;
} staged_file;

typedef struct staged_folder {
    char *tmp, *target, *shown;
    char **names; /* the files written into tmp */
    size_t n_names;
} staged_folder;

struct bm_output {
    bm_ctx *ctx;
    staged_file *files;
    size_t n_files, cap_files;
    staged_folder *folders;
    size_t n_folders, cap_folders;
    char **stale; /* files of earlier outputs, deleted after the renames */
    size_t n_stale, cap_stale;
};

int bm_output_new(bm_output **out, bm_ctx *ctx)
{
    if (!out || !ctx)
        return BM_EINVAL;
    *out = bm_calloc(ctx, 1, sizeof **out);
    if (!*out)
        return bm_oom(ctx);
    (*out)->ctx = ctx;
    return BM_OK;
}

static void folder_discard(bm_ctx *ctx, staged_folder *d)
{
    for (size_t i = 0; i < d->n_names; i++) {
        if (d->tmp) {
            size_t n = strlen(d->tmp) + strlen(d->names[i]) + 2;
            char *p = bm_malloc(ctx, n);
            if (p) {
                snprintf(p, n, "%s/%s", d->tmp, d->names[i]);
                unlink(p);
            }
            bm_free(ctx, p);
        }
        bm_free(ctx, d->names[i]);
    }
    if (d->tmp)
        rmdir(d->tmp);
    bm_free(ctx, d->names);
    bm_free(ctx, d->tmp);
    bm_free(ctx, d->target);
    bm_free(ctx, d->shown);
    memset(d, 0, sizeof *d);
}

static void clear(bm_output *o)
{
    for (size_t i = 0; i < o->n_files; i++) {
        bm_outfile_discard(o->ctx, &o->files[i].f);
        bm_free(o->ctx, o->files[i].data);
    }
    for (size_t i = 0; i < o->n_folders; i++)
        folder_discard(o->ctx, &o->folders[i]);
    for (size_t i = 0; i < o->n_stale; i++)
        bm_free(o->ctx, o->stale[i]);
    o->n_files = o->n_folders = o->n_stale = 0;
}

void bm_output_free(bm_output *o)
{
    if (!o)
        return;
    clear(o);
    bm_free(o->ctx, o->files);
    bm_free(o->ctx, o->folders);
    bm_free(o->ctx, o->stale);
    bm_free(o->ctx, o);
}

int bm_output_add_file(bm_output *o, const char *path, const void *data, size_t len)
{
    if (!o || !path || (!data && len))
        return BM_EINVAL;
    bm_ctx *ctx = o->ctx;
    int rc = bm_grow(ctx, (void **)&o->files, &o->cap_files, o->n_files + 1, sizeof *o->files);
    if (rc)
        return rc;
    staged_file *s = &o->files[o->n_files];
    memset(s, 0, sizeof *s);
    rc = bm_outfile_open(ctx, &s->f, path, BM_OUTFILE_DEFER_STRAIGHT);
    if (rc)
        return rc;
    if (s->f.straight) {
        s->data = bm_malloc(ctx, len ? len : 1);
        if (!s->data) {
            bm_outfile_discard(ctx, &s->f);
            return bm_oom(ctx);
        }
        if (len)
            memcpy(s->data, data, len);
        s->len = len;
    } else if ((rc = bm_outfile_write(ctx, &s->f, data, len)) != 0) {
        bm_outfile_discard(ctx, &s->f);
        return rc;
    }
    o->n_files++;
    return BM_OK;
}

/* ---- folders ------------------------------------------------------------ */

static char *join(bm_ctx *ctx, const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = bm_malloc(ctx, n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* A name an earlier MANIFEST may give for deletion: a plain file name. */
static int plain_name(const char *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* The file names an earlier MANIFEST in dir lists (text kept in *text, the
 * names point into it); 0 names and *ours = 0 when there is none of ours. */
static int read_manifest(bm_ctx *ctx, const char *dir, const char *marker, char **text,
                         char ***names, size_t *n, int *ours)
{
    *text = NULL;
    *names = NULL;
    *n = 0;
    *ours = 0;
    char *path = join(ctx, dir, "MANIFEST");
    if (!path)
        return bm_oom(ctx);
    struct stat st;
    int regular = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
    size_t len = 0;
    int rc = BM_OK;
    if (regular)
        rc = bm_read_file(ctx, path, text, &len);
    bm_free(ctx, path);
    if (rc || !*text)
        return rc;
    size_t mlen = strlen(marker);
    if (strncmp(*text, marker, mlen) != 0 || (*text)[mlen] != '\n')
        return BM_OK;
    *ours = 1;
    size_t cap = 0;
    for (char *p = *text; *p;) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = '\0';
        if (*p != '#' && plain_name(p)) {
            if ((rc = bm_grow(ctx, (void **)names, &cap, *n + 1, sizeof **names)) != 0)
                return rc;
            (*names)[(*n)++] = p;
        }
        p = eol ? eol + 1 : p + strlen(p);
    }
    return BM_OK;
}

static int listed(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* 1 when dir holds nothing. */
static int empty_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int empty = 1;
    struct dirent *e;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* A new folder: files written into a fresh temporary folder next to it. */
static int stage_new_folder(bm_output *o, const char *shown, char *target, size_t n,
                            const char *const *names, const char *const *texts,
                            const size_t *lens)
{
    bm_ctx *ctx = o->ctx;
    int rc = bm_grow(ctx, (void **)&o->folders, &o->cap_folders, o->n_folders + 1,
                     sizeof *o->folders);
    if (rc) {
        bm_free(ctx, target);
        return rc;
    }
    staged_folder *d = &o->folders[o->n_folders];
    memset(d, 0, sizeof *d);
    d->target = target;
    d->shown = bm_strdup(ctx, shown);
    d->names = bm_calloc(ctx, n ? n : 1, sizeof *d->names);
    if (!d->shown || !d->names) {
        folder_discard(ctx, d);
        return bm_oom(ctx);
    }
    /* mkdir applies the umask, as for any new folder; a taken name (or a
     * link planted under it) makes it fail, and another name is tried. */
    for (int tries = 0; tries < 100 && !d->tmp; tries++) {
        if ((rc = bm_temp_name(ctx, target, &d->tmp)) != 0) {
            folder_discard(ctx, d);
            return rc;
        }
        if (mkdir(d->tmp, 0777) != 0) {
            int err = errno;
            bm_free(ctx, d->tmp);
            d->tmp = NULL;
            if (err == ENOENT) {
                bm_error(ctx, bm_loc_make(shown, 0, 0),
                         "cannot write: its parent folder does not exist");
                folder_discard(ctx, d);
                return BM_EIO;
            }
            if (err != EEXIST) {
                bm_error(ctx, bm_loc_make(shown, 0, 0),
                         "cannot create a temporary folder next to it: %s", strerror(err));
                folder_discard(ctx, d);
                return BM_EIO;
            }
        }
    }
    if (!d->tmp) {
        bm_error(ctx, bm_loc_make(shown, 0, 0), "cannot create a temporary folder next to it");
        folder_discard(ctx, d);
        return BM_EIO;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        char *path = join(ctx, d->tmp, names[i]);
        if ((d->names[i] = bm_strdup(ctx, names[i])) != NULL)
            d->n_names = i + 1; /* folder_discard frees it, whatever follows */
        if (!d->names[i] || !path) {
            bm_free(ctx, path);
            rc = bm_oom(ctx);
            break;
        }
        bm_outfile f = {.fd = -1};
        f.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        f.shown = path;
        if (f.fd < 0) {
            bm_error(ctx, bm_loc_make(path, 0, 0), "cannot write: %s", strerror(errno));
            rc = BM_EIO;
        } else {
            rc = bm_outfile_write(ctx, &f, texts[i], lens[i]);
            if (close(f.fd) != 0 && !rc) {
                bm_error(ctx, bm_loc_make(path, 0, 0), "cannot write: %s", strerror(errno));
                rc = BM_EIO;
            }
        }
        bm_free(ctx, path);
    }
    if (rc) {
        folder_discard(ctx, d);
        return rc;
    }
    o->n_folders++;
    return BM_OK;
}

/* An existing folder: written file by file (see the top of this file). */
static int stage_in_folder(bm_output *o, const char *shown, const char *dir, size_t n,
                           const char *const *names, const char *const *texts,
                           const size_t *lens, const char *marker)
{
    bm_ctx *ctx = o->ctx;
    char *text, **old;
    size_t n_old;
    int ours;
    int rc = read_manifest(ctx, dir, marker, &text, &old, &n_old, &ours);
    if (rc)
        return rc;
    if (!ours && !empty_folder(dir)) {
        bm_error(ctx, bm_loc_make(shown, 0, 0),
                 "refusing to write into this folder: it is not empty and holds no MANIFEST of "
                 "an earlier output, so its files are not libbm's; remove them or choose "
                 "another folder");
        rc = BM_EEXISTS;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        char *path = join(ctx, dir, names[i]);
        if (!path) {
            rc = bm_oom(ctx);
            break;
        }
        struct stat st;
        if (lstat(path, &st) == 0 && !(ours && strcmp(names[i], "MANIFEST") == 0) &&
            !listed(old, n_old, names[i])) {
            bm_error(ctx, bm_loc_make(path, 0, 0),
                     "refusing to replace it: the folder's MANIFEST does not list it, so libbm "
                     "did not write it; move it away or choose another folder");
            rc = BM_EEXISTS;
        } else {
            rc = bm_output_add_file(o, path, texts[i], lens[i]);
        }
        bm_free(ctx, path);
    }
    for (size_t k = 0; k < n_old && !rc; k++) {
        int kept = 0;
        for (size_t i = 0; i < n && !kept; i++)
            kept = strcmp(old[k], names[i]) == 0;
        char *path = kept ? NULL : join(ctx, dir, old[k]);
        struct stat st;
        if (kept)
            continue;
        if (!path)
            rc = bm_oom(ctx);
        else if (lstat(path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
                 !(rc = bm_grow(ctx, (void **)&o->stale, &o->cap_stale, o->n_stale + 1,
                                sizeof *o->stale))) {
            o->stale[o->n_stale++] = path;
            path = NULL;
        }
        bm_free(ctx, path);
    }
    bm_free(ctx, old);
    bm_free(ctx, text);
    return rc;
}

int bm_output_add_folder(bm_output *o, const char *dir, size_t n, const char *const *names,
                         const char *const *texts, const size_t *lens, const char *marker)
{
    if (!o || !dir || !names || !texts || !lens || !marker)
        return BM_EINVAL;
    bm_ctx *ctx = o->ctx;
    if (!*dir) {
        bm_error(ctx, bm_loc_make(NULL, 0, 0), "the output folder name is empty");
        return BM_EINVAL;
    }
    char *target;
    int rc = bm_path_final_target(ctx, dir, &target);
    if (rc)
        return rc;
    struct stat st;
    if (stat(target, &st) != 0) {
        if (errno == ENOENT)
            return stage_new_folder(o, dir, target, n, names, texts, lens);
        bm_error(ctx, bm_loc_make(dir, 0, 0), "cannot write: %s", strerror(errno));
        rc = BM_EIO;
    } else if (!S_ISDIR(st.st_mode)) {
        bm_error(ctx, bm_loc_make(dir, 0, 0), "cannot write the folder: a file of that name exists");
        rc = BM_EEXISTS;
    } else {
        rc = stage_in_folder(o, dir, target, n, names, texts, lens, marker);
    }
    bm_free(ctx, target);
    return rc;
}

/* ---- commit ------------------------------------------------------------- */

int bm_output_commit(bm_output *o)
{
    if (!o)
        return BM_EINVAL;
    bm_ctx *ctx = o->ctx;
    int rc = BM_OK;
    /* Devices and FIFOs first: nothing is replaced if one of them fails. */
    for (size_t i = 0; i < o->n_files && !rc; i++) {
        staged_file *s = &o->files[i];
        if (!s->f.straight)
            continue;
        rc = bm_outfile_open_straight(ctx, &s->f);
        if (!rc)
            rc = bm_outfile_write(ctx, &s->f, s->data, s->len);
        if (!rc)
            rc = bm_outfile_commit(ctx, &s->f);
    }
    for (size_t i = 0; i < o->n_files && !rc; i++)
        if (!o->files[i].f.straight)
            rc = bm_outfile_commit(ctx, &o->files[i].f);
    for (size_t i = 0; i < o->n_folders && !rc; i++) {
        staged_folder *d = &o->folders[i];
        if (rename(d->tmp, d->target) != 0) {
            bm_error(ctx, bm_loc_make(d->shown, 0, 0), "cannot put the folder in place: %s",
                     strerror(errno));
            rc = BM_EIO;
        } else {
            bm_free(ctx, d->tmp);
            d->tmp = NULL; /* in place: nothing for the discard to remove */
        }
    }
    for (size_t i = 0; i < o->n_stale && !rc; i++)
        if (unlink(o->stale[i]) != 0 && errno != ENOENT)
            bm_warning(ctx, bm_loc_make(o->stale[i], 0, 0),
                       "cannot remove this file of the earlier output: %s", strerror(errno));
    clear(o);
    return rc;
}
