// SPDX-License-Identifier: GPL-2.0-or-later
/* Following uvsd's links through deletion and re-creation. See links.h. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "log.h"

struct link {
	const char *name;
	unsigned ifindex; /* where uvsd is attached, or would be; 0 while it is gone */
	bool steered;	  /* the steering program is on ifindex (or there is no steering) */
	bool back;	  /* came back; "forwarding again" not logged yet */
	char error[512];  /* the last failure logged, so that it is logged once */
};

struct uvsd_links {
	struct uvs_steer *steer;
	struct uvsd_datapath *dp;
	struct uvsd_prime *prime;
	unsigned n;
	bool reopen;	    /* the backend must be opened again (a link came back) */
	uint32_t mtu;	    /* ... or for frames of this MTU (0: not for that) */
	char dp_error[512]; /* the last data path failure logged */
	struct link links[];
};

int uvsd_links_open(struct uvsd_links **out, const char *const *ifnames, unsigned n,
		    struct uvs_steer *steer, struct uvsd_datapath *dp, struct uvsd_prime *prime)
{
	struct uvsd_links *l = calloc(1, sizeof(*l) + n * sizeof(l->links[0]));

	if (!l)
		return -ENOMEM;
	l->steer = steer;
	l->dp = dp;
	l->prime = prime;
	l->n = n;
	for (unsigned i = 0; i < n; i++) {
		l->links[i].name = ifnames[i];
		l->links[i].ifindex = if_nametoindex(ifnames[i]);
		l->links[i].steered = true;
	}
	*out = l;
	return 0;
}

void uvsd_links_close(struct uvsd_links *l)
{
	free(l);
}

/* Logs msg at level unless it is what last was (last: the link's or the data path's
 * buffer). */
static void log_once(char *last, size_t len, int level, const char *msg)
{
	if (!strcmp(last, msg))
		return;
	snprintf(last, len, "%s", msg);
	uvs_log(level, "%s", msg);
}

/* Whether ifindex still names a link (a deleted link's index is not reused until the
 * indexes wrap round). */
static bool exists(unsigned ifindex)
{
	char name[IF_NAMESIZE];

	return if_indextoname(ifindex, name) != NULL;
}

/* Notices link k gone or back; attaches steering to it when back. */
static void check_link(struct uvsd_links *l, unsigned k)
{
	struct link *lk = &l->links[k];
	unsigned now;
	struct uvs_error why = { "" };
	char msg[512];

	if (lk->ifindex && !exists(lk->ifindex)) {
		/* A link that flaps says so a few times, not at every flap. */
		UVS_LOG_LIMIT(gone_limit, "link_gone");
		uvs_log_limited(&gone_limit, LOG_WARNING,
				"%s: link gone (ifindex %u): nothing is forwarded on it until a "
				"link of that name is back",
				lk->name, lk->ifindex);
		uvs_steer_link_gone(l->steer, k);
		lk->ifindex = 0;
		lk->back = false;
		lk->error[0] = 0;
	}
	now = if_nametoindex(lk->name);
	if (!lk->ifindex && now) {
		uvs_log(LOG_NOTICE, "%s: link back (ifindex %u): attaching to it again", lk->name,
			now);
		lk->ifindex = now;
		lk->steered = !l->steer;
		lk->back = true;
		l->reopen = true;
	}
	if (!lk->ifindex || lk->steered)
		return;
	if (uvs_steer_relink(l->steer, k, lk->ifindex, &why) < 0) {
		snprintf(msg, sizeof(msg), "%s: steering: %s (tried again every 2 s)", lk->name,
			 why.msg);
		log_once(lk->error, sizeof(lk->error), LOG_ERR, msg);
		return;
	}
	lk->steered = true;
	lk->error[0] = 0;
}

void uvsd_links_check(struct uvsd_links *l)
{
	bool all_there = true;
	struct uvs_error why = { "" };
	char msg[512];

	uint32_t was, now;

	for (unsigned k = 0; k < l->n; k++) {
		check_link(l, k);
		all_there &= l->links[k].ifindex && l->links[k].steered;
	}
	/* Frames of a larger MTU need larger buffers: the backend sized them at open. */
	if (all_there && !l->reopen && uvsd_datapath_mtu_grew(l->dp, &was, &now)) {
		uvs_log(LOG_NOTICE,
			"a link's MTU is %u now, more than the %u the packet backend was opened "
			"for: opening it again",
			now, was);
		l->reopen = true;
		l->mtu = now;
	}
	/* The backend opens every link at once: it waits until all are there, each with
	 * uvsd's steering (a link another uvsd claimed meanwhile gets no sockets of this
	 * one, which would receive its frames too). */
	if (l->reopen && all_there) {
		if (uvsd_datapath_reopen(l->dp, &why) < 0) {
			snprintf(msg, sizeof(msg),
				 "data path: %s: nothing is forwarded (tried again every 2 s)",
				 why.msg);
			log_once(l->dp_error, sizeof(l->dp_error), LOG_ERR, msg);
			return;
		}
		l->reopen = false;
		l->dp_error[0] = 0;
		if (l->mtu)
			uvs_log(LOG_NOTICE, "packet backend opened again for frames of MTU %u",
				l->mtu);
		l->mtu = 0;
		/* The new link's neighbour table is empty. */
		uvsd_prime_forget(l->prime);
	}
	for (unsigned k = 0; k < l->n && !l->reopen; k++) {
		struct link *lk = &l->links[k];

		if (lk->back && lk->steered) {
			uvs_log(LOG_NOTICE, "%s: forwarding again (ifindex %u)", lk->name,
				lk->ifindex);
			lk->back = false;
		}
	}
}

bool uvsd_links_settled(const struct uvsd_links *l)
{
	if (l->reopen)
		return false;
	for (unsigned k = 0; k < l->n; k++)
		if (!l->links[k].ifindex || !l->links[k].steered || l->links[k].back)
			return false;
	return true;
}
