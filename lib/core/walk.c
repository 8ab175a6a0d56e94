/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "walk.h"
#include "xalloc.h"

struct dent {
	char *key;		/* the name, with a '/' after a folder's */
	size_t n;		/* the name's length */
	int isdir;
	int bad;		/* an errno: cannot be read; -1: not a file */
	int64_t size;		/* a file's, in bytes */
};

struct level {
	struct dent *v;
	size_t n, i;
	size_t pathlen;		/* of the folder's path, with its '/' */
	dev_t dev;
	ino_t ino;
};

struct walk {
	char *root;
	struct level *lv;
	size_t depth, cap;
	struct buf path;
	int started;
};

struct walk *
walk_open(const char *root)
{
	struct walk *w = xcalloc(1, sizeof *w);

	w->root = xstrdup(root);
	return w;
}

static int
dentcmp(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->key,
		      ((const struct dent *)b)->key);
}

static void
freelevel(struct level *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].key);
	free(l->v);
}

static int
hidden(const char *name)
{
	return name[0] == '_' || name[0] == '.';
}

/* Reads the folder w->path names into a new level. */
static int
push(struct walk *w, struct buf *err)
{
	struct level l = { 0 };
	struct dirent *d;
	struct stat st;
	size_t cap = 0, i, base;
	int bad;
	DIR *dir;

	if (stat(w->path.p, &st) < 0 || !(dir = opendir(w->path.p))) {
		buf_adds(err, strerror(errno));
		return -1;
	}
	for (i = 0; i < w->depth; i++)
		if (w->lv[i].dev == st.st_dev && w->lv[i].ino == st.st_ino) {
			closedir(dir);
			buf_adds(err, "a symbolic link loop, not followed");
			return -1;
		}
	l.dev = st.st_dev;
	l.ino = st.st_ino;
	if (w->path.len == 0 || w->path.p[w->path.len - 1] != '/')
		buf_addc(&w->path, '/');
	base = l.pathlen = w->path.len;
	for (;;) {
		errno = 0;
		if (!(d = readdir(dir)))
			break;
		if (hidden(d->d_name))	/* ".", "..", _SUCCESS, .staging */
			continue;
		w->path.len = base;
		buf_adds(&w->path, d->d_name);
		bad = 0;
		if (stat(w->path.p, &st) < 0)
			bad = errno;	/* a dangling link */
		else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			bad = -1;	/* a fifo, a socket, a device */
		if (l.n == cap) {
			cap = cap ? 2 * cap : 64;
			l.v = xreallocarray(l.v, cap, sizeof *l.v);
		}
		l.v[l.n].n = strlen(d->d_name);
		l.v[l.n].isdir = !bad && S_ISDIR(st.st_mode);
		l.v[l.n].bad = bad;
		l.v[l.n].size = bad ? -1 : (int64_t)st.st_size;
		l.v[l.n].key = xmalloc(l.v[l.n].n + 2);
		memcpy(l.v[l.n].key, d->d_name, l.v[l.n].n);
		l.v[l.n].key[l.v[l.n].n] = l.v[l.n].isdir ? '/' : '\0';
		l.v[l.n].key[l.v[l.n].n + 1] = '\0';
		l.n++;
	}
	if (errno) {
		buf_adds(err, strerror(errno));
		w->path.len = base - 1;
		w->path.p[w->path.len] = '\0';
		closedir(dir);
		freelevel(&l);
		return -1;
	}
	closedir(dir);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof *l.v, dentcmp);
	if (w->depth == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 8;
		w->lv = xreallocarray(w->lv, w->cap, sizeof *w->lv);
	}
	w->lv[w->depth++] = l;
	return 0;
}

int
walk_next(struct walk *w, struct buf *path, int64_t *size, struct buf *err)
{
	struct level *l;
	struct dent *d;

	if (!w->started) {
		w->started = 1;
		buf_reset(&w->path);
		buf_adds(&w->path, w->root);
		if (push(w, err) < 0) {
			buf_reset(path);
			buf_adds(path, w->root);
			return -1;
		}
	}
	while (w->depth > 0) {
		l = &w->lv[w->depth - 1];
		if (l->i == l->n) {
			freelevel(l);
			w->depth--;
			continue;
		}
		d = &l->v[l->i++];
		w->path.len = l->pathlen;
		buf_add(&w->path, d->key, d->n);
		if (d->bad) {
			buf_reset(path);
			buf_add(path, w->path.p, w->path.len);
			buf_adds(err, d->bad < 0 ? "not a regular file" :
				 strerror(d->bad));
			return -1;
		}
		if (d->isdir) {
			if (push(w, err) < 0) {
				buf_reset(path);
				buf_add(path, w->path.p, w->path.len);
				return -1;
			}
			continue;
		}
		buf_reset(path);
		buf_add(path, w->path.p, w->path.len);
		if (size)
			*size = d->size;
		return 1;
	}
	return 0;
}

void
walk_close(struct walk *w)
{
	if (!w)
		return;
	while (w->depth > 0)
		freelevel(&w->lv[--w->depth]);
	free(w->lv);
	free(w->root);
	buf_free(&w->path);
	free(w);
}
