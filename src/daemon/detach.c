// SPDX-License-Identifier: GPL-2.0-or-later
#include "detach.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

/* What the child writes down the pipe once it serves; log lines never hold it. */
#define READY_BYTE '\0'

/* The parent: copies what the child says to stderr until the ready byte (exit 0) or
 * the end of the pipe (the child's exit status). */
static _Noreturn void wait_for_child(pid_t pid, int fd)
{
	char buf[4096];
	ssize_t n;
	int st;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		char *ready = memchr(buf, READY_BYTE, (size_t)n);
		size_t text = ready ? (size_t)(ready - buf) : (size_t)n;
		/* A closed stderr loses the text, not the wait for the child's word. */
		ssize_t said = text ? write(STDERR_FILENO, buf, text) : 0;
		(void)said;
		if (ready)
			exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "uvsd: the daemon stopped while starting\n");
			exit(1);
		}
	if (WIFEXITED(st))
		exit(WEXITSTATUS(st) ? WEXITSTATUS(st) : 1);
	fprintf(stderr, "uvsd: the daemon was killed by signal %d while starting\n",
		WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	exit(1);
}

int uvsd_detach(void)
{
	int p[2], null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		wait_for_child(pid, p[0]);
	}
	close(p[0]);
	/* A parent that is gone must not kill the child's next log line. */
	signal(SIGPIPE, SIG_IGN);
	setsid();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	dup2(p[1], STDERR_FILENO);
	close(p[1]);
	uvs_log_copy_to_stderr(LOG_WARNING);
	if (chdir("/") < 0)
		uvs_log(LOG_WARNING, "cannot change to /: %s", strerror(errno));
	return 0;
}

void uvsd_detach_ready(void)
{
	static const char ready = READY_BYTE;
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	uvs_log_copy_to_stderr(-1);
	/* Fails only if the parent is gone: then nobody waits. */
	ssize_t told = write(STDERR_FILENO, &ready, 1);
	(void)told;
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
}
