// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvs-run: runs a program with the preload library (LD_PRELOAD), so that stock
 * ipvsadm, keepalived or any libnl client of the kernel's IPVS talks to uvsd.
 *
 * The library is found from where uvs-run itself is: installed, in the library
 * directory meson installed it to (also below a DESTDIR staging directory); in the
 * build tree, beside uvs-run.
 *
 * Exit status as env(1): 125 for uvs-run's own failures, 126 for a program that cannot
 * be run, 127 for one that is not found; else the program's.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uvs/ctl.h"

#define LIB_NAME "libuvs-preload.so"

static void usage(FILE *f)
{
	fprintf(f, "Usage: uvs-run [--socket PATH] COMMAND [ARG]...\n"
		   "Runs COMMAND with uvs's preload library, so that its IPVS requests (stock\n"
		   "ipvsadm, keepalived) go to uvsd instead of the kernel.\n"
		   "\n"
		   "  --socket PATH   uvsd's control socket (default $" UVS_CTL_PATH_ENV
		   " or " UVS_CTL_PATH ")\n"
		   "  --help          show this help and exit\n"
		   "  --version       show the version and exit\n");
}

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The library's path into out (len bytes); false if it is nowhere to be found (what
 * was looked at is in tried). */
static bool find_library(char *out, size_t len, char *tried, size_t tlen)
{
	char exe[PATH_MAX], dir[PATH_MAX];
	size_t dlen, slen = strlen(UVS_RUN_SBINDIR);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	tried[0] = 0;
	if (n < 0)
		return false;
	exe[n] = 0;
	snprintf(dir, sizeof(dir), "%s", dirname(exe));
	dlen = strlen(dir);
	/* Installed, or staged under DESTDIR: dir is [DESTDIR]SBINDIR. */
	if (dlen >= slen && !strcmp(dir + dlen - slen, UVS_RUN_SBINDIR)) {
		snprintf(out, len, "%.*s%s/%s", (int)(dlen - slen), dir, UVS_PRELOAD_DIR, LIB_NAME);
		if (readable(out))
			return true;
		snprintf(tried, tlen, "%s, ", out);
	}
	/* The build tree: beside uvs-run. */
	snprintf(out, len, "%s/%s", dir, LIB_NAME);
	if (readable(out))
		return true;
	snprintf(tried + strlen(tried), tlen - strlen(tried), "%s", out);
	return false;
}

int main(int argc, char **argv)
{
	char lib[PATH_MAX], tried[2 * PATH_MAX + 8], *preload;
	const char *old;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("uvs-run %s\n", UVS_VERSION);
			return 0;
		}
		if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			setenv(UVS_CTL_PATH_ENV, argv[++i], 1);
		} else if (!strncmp(argv[i], "--socket=", 9)) {
			setenv(UVS_CTL_PATH_ENV, argv[i] + 9, 1);
		} else {
			fprintf(stderr, "uvs-run: %s: %s\n", argv[i],
				strcmp(argv[i], "--socket") ? "unknown option" : "needs a path");
			usage(stderr);
			return 125;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "uvs-run: no command given\n");
		usage(stderr);
		return 125;
	}
	if (!find_library(lib, sizeof(lib), tried, sizeof(tried))) {
		fprintf(stderr, "uvs-run: cannot find " LIB_NAME " (looked for %s)\n", tried);
		return 125;
	}
	/* LD_PRELOAD separates its entries with spaces and colons. */
	if (strpbrk(lib, " :")) {
		fprintf(stderr, "uvs-run: %s: a space or colon in its path cannot be preloaded\n",
			lib);
		return 125;
	}
	old = getenv("LD_PRELOAD");
	if (old && old[0]) {
		if (asprintf(&preload, "%s:%s", lib, old) < 0)
			return 125;
		setenv("LD_PRELOAD", preload, 1);
		free(preload);
	} else {
		setenv("LD_PRELOAD", lib, 1);
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "uvs-run: cannot run %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
