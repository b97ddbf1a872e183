// SPDX-License-Identifier: GPL-2.0-or-later
/* The table of tracked generic netlink sockets. */
#include "nltrack.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "base/atomic.h"
#include "real.h"

/* Recursive: what the library calls while holding it (syslog, for a report) may come
 * back through the hooks, which look their fd up. */
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct uvs_nlsock **socks;
static size_t nsocks, cap;
static int count; /* nsocks, read without the lock */

/* A fork while another thread holds the lock must not leave the child's copy held: it
 * is taken around fork, released in the parent, and made anew in the child (whose
 * thread is not the owner a recursive mutex would let unlock it). */
static void before_fork(void)
{
	pthread_mutex_lock(&lock);
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

static void after_fork_child(void)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&lock, &a);
	pthread_mutexattr_destroy(&a);
}

static void __attribute__((constructor)) init(void)
{
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

bool uvs_nltrack_any(void)
{
	return uvs_load_relaxed(&count) > 0;
}

void uvs_nltrack_lock(void)
{
	pthread_mutex_lock(&lock);
}

void uvs_nltrack_unlock(void)
{
	pthread_mutex_unlock(&lock);
}

static size_t index_of(int fd)
{
	for (size_t i = 0; i < nsocks; i++) {
		if (socks[i]->fd == fd)
			return i;
	}
	return nsocks;
}

struct uvs_nlsock *uvs_nltrack_find(int fd)
{
	size_t i = index_of(fd);

	return i < nsocks ? socks[i] : NULL;
}

static void drop(size_t i)
{
	struct uvs_nlsock *s = socks[i];

	if (s->errpeer >= 0)
		uvs_real()->close(s->errpeer);
	free(s);
	socks[i] = socks[--nsocks];
	uvs_store_relaxed(&count, (int)nsocks);
}

int uvs_nltrack_add(int fd, int type)
{
	struct uvs_nlsock *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	s->state = UVS_NL_KERNEL;
	s->errpeer = -1;
	pthread_mutex_lock(&lock);
	if ((i = index_of(fd)) < nsocks)
		drop(i);
	if (nsocks == cap) {
		size_t n = cap ? 2 * cap : 8;
		struct uvs_nlsock **p = realloc(socks, n * sizeof(*p));
		if (!p) {
			pthread_mutex_unlock(&lock);
			free(s);
			return -ENOMEM;
		}
		socks = p;
		cap = n;
	}
	socks[nsocks++] = s;
	uvs_store_relaxed(&count, (int)nsocks);
	pthread_mutex_unlock(&lock);
	return 0;
}

void uvs_nltrack_forget(int fd)
{
	size_t i;

	pthread_mutex_lock(&lock);
	if ((i = index_of(fd)) < nsocks)
		drop(i);
	pthread_mutex_unlock(&lock);
}

int uvs_nltrack_opt(const struct uvs_nlsock *s, int name)
{
	for (size_t i = 0; i < s->nopts; i++) {
		if (s->opts[i].name == name)
			return s->opts[i].value;
	}
	return 0;
}

void uvs_nltrack_set_opt(struct uvs_nlsock *s, int name, int value)
{
	for (size_t i = 0; i < s->nopts; i++) {
		if (s->opts[i].name == name) {
			s->opts[i].value = value;
			return;
		}
	}
	if (s->nopts < UVS_NL_OPTS_MAX)
		s->opts[s->nopts++] = (struct uvs_nl_opt){ name, value };
}
