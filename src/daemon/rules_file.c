// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adm/replace.h"
#include "log.h"

/* Sets why and errno; returns NULL. */
static char *refuse(struct uvs_error *why, int errnum, const char *what)
{
	uvs_errorf(why, errnum, "%s", what ? what : strerror(errnum));
	errno = errnum;
	return NULL;
}

/* Why a file of mode `mode` is not read ("" for a regular file). */
static const char *not_regular(mode_t mode)
{
	if (S_ISREG(mode))
		return "";
	if (S_ISDIR(mode))
		return "a directory, not a regular file";
	if (S_ISFIFO(mode))
		return "a FIFO, not a regular file";
	if (S_ISSOCK(mode))
		return "a socket, not a regular file";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device, not a regular file";
	return "not a regular file";
}

/* The whole of the regular file fd, NUL-terminated, its length in *n; NULL with errno
 * and why set. */
static char *read_all(int fd, size_t *n, struct uvs_error *why)
{
	char *buf = NULL;
	size_t used = 0, cap = 0;

	for (;;) {
		if (cap - used < 4096) {
			if (cap >= UVSD_RULES_MAX) {
				free(buf);
				uvs_errorf(why, EFBIG, "larger than %u MiB", UVSD_RULES_MAX >> 20);
				errno = EFBIG;
				return NULL;
			}
			cap = cap ? cap * 2 : 65536;
			char *grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				return refuse(why, ENOMEM, NULL);
			}
			buf = grown;
		}
		ssize_t got = read(fd, buf + used, cap - used);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(buf);
			return refuse(why, e, NULL);
		}
		if (got == 0)
			break;
		used += (size_t)got;
	}
	buf[used] = '\0';
	*n = used;
	return buf;
}

/* The 1-based line of text at offset off. */
static unsigned long line_of(const char *text, size_t off)
{
	unsigned long line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

char *uvsd_read_text(const char *path, struct uvs_error *why)
{
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer; what is not a
	 * regular file is refused before any read. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	size_t n = 0;
	char *text;

	if (fd < 0)
		return refuse(why, errno, NULL);
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return refuse(why, e, NULL);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return refuse(why, S_ISDIR(st.st_mode) ? EISDIR : EINVAL, not_regular(st.st_mode));
	}
	text = read_all(fd, &n, why);
	close(fd);
	if (text && strlen(text) != n) {
		uvs_errorf(why, EINVAL, "line %lu: a NUL byte: not a text file",
			   line_of(text, strlen(text)));
		free(text);
		errno = EINVAL;
		return NULL;
	}
	return text;
}

/* Whether text holds no command: only blank and comment lines. */
static bool holds_no_rules(const char *text)
{
	for (const char *s = text; *s;) {
		s += strspn(s, " \t\r\v\f");
		if (*s && *s != '\n' && *s != '#')
			return false;
		s += strcspn(s, "\n");
		s += *s == '\n';
	}
	return true;
}

int uvsd_rules_file_apply(struct uvs_engine *e, const char *path, char **declared)
{
	struct uvs_adm_error err = { 0 };
	struct uvs_error why;
	char *plan, *now_declared, *text = uvsd_read_text(path, &why);
	unsigned removed = 0;
	bool empty;
	int ret;

	if (!text) {
		ret = -errno;
		uvs_log(LOG_ERR, "rules %s: %s; configuration unchanged", path, why.msg);
		return ret;
	}
	empty = holds_no_rules(text);
	/* Checking the text and working out the differences happens with the workers
	 * running; only applying the differences pauses them. */
	ret = uvs_adm_reload_plan(e->model, &e->timeouts, *declared, text, &plan, &now_declared,
				  &removed, &err);
	free(text);
	if (ret < 0) {
		uvs_log(LOG_ERR, "rules %s: %s; configuration unchanged", path, err.msg);
		return ret;
	}
	uvs_engine_pause(e);
	ret = uvs_adm_apply(e->model, &e->timeouts, plan, &err);
	uvs_engine_resume(e);
	free(plan);
	if (ret < 0) {
		uvs_log(LOG_ERR, "rules %s: applying the differences: %s; configuration unchanged",
			path, err.msg);
		free(now_declared);
		return ret;
	}
	free(*declared);
	*declared = now_declared;
	/* An empty file is a valid declaration (of nothing), but rarely meant. */
	if (empty && removed)
		uvs_log(LOG_WARNING,
			"rules %s holds no rules: the %u service(s) it declared before removed",
			path, removed);
	else if (removed)
		uvs_log(LOG_INFO, "rules %s applied (%u service(s) it no longer declares removed)",
			path, removed);
	else
		uvs_log(LOG_INFO, "rules %s applied", path);
	return 0;
}
