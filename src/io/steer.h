/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Steering: the frames uvs handles are taken from the kernel stack at ingress, so that
 * a VIP may be an address of the director (as keepalived's VRRP makes it) without the
 * kernel answering its ports too. Two BPF programs (src/io/bpf/steer.bpf.c, built into
 * the library) share one hash map of keys: a tc ingress classifier on each link drops
 * uvs's frames, and a socket filter on uvsd's AF_PACKET sockets keeps exactly those.
 * Keys are <family, protocol, address, port> of each virtual service (port 0: every
 * port) and, for each NAT destination, of its replies (source address and port).
 * fwmark services are steered only through uvs's own mark rules (uvs_steer_set_marks):
 * the kernel's marks are set after tc ingress.
 *
 * Threading contract: control thread only, but for uvs_steer_alive_until (the
 * fail-safe's heartbeat), which the workers call. The BPF
 * programs read the map while it changes, and uvs_steer_sync() adds new keys before
 * it deletes stale ones, so no configured key is ever missing.
 */
#ifndef UVS_STEER_H
#define UVS_STEER_H

#include <stddef.h>

#include "core/snap.h"
#include "core/marks.h"
#include "core/model-t.h"
#include "io/bpf/steer-key.h"

struct uvs_steer;

/*
 * Loads the programs and their map, and attaches the tc program at ingress of each
 * link (ifindexes[0..n)), creating the clsact qdisc if it is missing. Each link is
 * claimed first (link_claim.h): a link that another live process steers is refused
 * (-EBUSY, the message naming its PID) before anything on any link is touched. The
 * filter has a fixed handle and priority, so that one left by a uvsd that died is
 * found and replaced; another program at that place is refused (-EEXIST). An XDP
 * program a dead uvsd left on the link (--io af_xdp) is removed. Returns 0
 * or a negative errno with a message in err (may be NULL); nothing stays attached then.
 */
int uvs_steer_open(const unsigned *ifindexes, unsigned n, struct uvs_steer **out,
		   struct uvs_error *err);

/*
 * For the AF_XDP backend: loads the XDP program (src/io/bpf/steer_xdp.bpf.c) instead,
 * with the same map of keys, and attaches it to each link, natively where the driver
 * can, generically otherwise. The program redirects uvs's frames to the AF_XDP socket
 * of their link and queue (uvs_steer_xsk_map_fd) and passes the rest to the kernel:
 * no tc program is needed. Links are claimed as by uvs_steer_open (-EBUSY); an XDP
 * program of a dead uvsd is replaced, another program refused (-EEXIST), and a dead
 * uvsd's tc filter removed. At most
 * UVS_XSK_MAX_LINKS links.
 */
int uvs_steer_open_xdp(const unsigned *ifindexes, unsigned n, struct uvs_steer **out,
		       struct uvs_error *err);

/* Told of each program uvs_steer_sweep removed: the link's name and "tc filter" or
 * "XDP program". */
typedef void (*uvs_steer_swept_fn)(void *arg, const char *ifname, const char *what);

/*
 * Removes the steering programs that uvsds which could not detach (killed by SIGKILL,
 * crashed) left on links of this network namespace other than skip[0..nskip) (the
 * ones the caller opens next, where uvs_steer_open replaces them). A uvs tc filter or
 * XDP program is removed only from a link whose claim is free, that is, that no live
 * process steers; the claim is held while it is removed, so a uvsd starting on that
 * very link at that moment is refused (-EBUSY) and may be started again. Programs of
 * live uvsds and programs that are not uvs's are never touched. Calls swept for each
 * program removed. Returns how many, or a negative errno if the links cannot be
 * listed. Needs the privileges steering needs.
 */
int uvs_steer_sweep(const unsigned *skip, unsigned nskip, uvs_steer_swept_fn swept, void *arg);

/* Link i of the open call's list is gone (deleted): its program and qdisc went with
 * it. Gives its claim up; close will not touch it. */
void uvs_steer_link_gone(struct uvs_steer *s, unsigned i);

/*
 * Link i is back as ifindex (a link made again under its name): claims it and
 * attaches the program there as the open call did (XDP: at slot i). Returns 0 (also
 * if it is attached there already) or a negative errno with a message in err (e.g.
 * -EBUSY: another live process claimed it meanwhile); the link is then left without
 * the program, and the call may be repeated.
 */
int uvs_steer_relink(struct uvs_steer *s, unsigned i, unsigned ifindex, struct uvs_error *err);

/* The XSKMAP of the XDP program (struct uvs_io_config's xsk_map_fd): link i of
 * uvs_steer_open_xdp's list is slot i. Owned by s; -EBADF if s is NULL, -ENOENT
 * without XDP. */
int uvs_steer_xsk_map_fd(const struct uvs_steer *s);

/* How the XDP program runs on link i: "native", "generic", or NULL (not attached, or
 * not XDP). */
const char *uvs_steer_xdp_mode(const struct uvs_steer *s, unsigned i);

/* The socket filter program's fd, for SO_ATTACH_BPF on every AF_PACKET socket
 * (struct uvs_io_config's bpf_filter_fd). Owned by s; -EBADF if s is NULL. */
int uvs_steer_sock_fd(const struct uvs_steer *s);

/*
 * Makes the map hold exactly the keys of m's current services and NAT destinations,
 * adding new keys first, then deleting stale ones. Reads m's keys under its ctl_lock,
 * so the caller must not hold it; compares them with the keys the map holds (kept in
 * s), so a sync costs a pass over the configuration plus the keys that change. Returns 0, -ENOMEM,
 * or -ENOSPC when the map (its capacity, uvs_steer_set_capacity) is full: it then keeps every old
 * key plus the new ones that fit, and stale keys are not deleted until a later sync succeeds. Other
 * map errors are returned as their negative errno, likewise; -EINVAL if s or m is NULL.
 */
int uvs_steer_sync(struct uvs_steer *s, struct uvs_model *m);

/* Detaches the tc (or XDP) program from every link, removes the clsact qdisc where
 * uvs_steer_open created it, gives the links' claims up and frees everything.
 * Accepts NULL. */
void uvs_steer_close(struct uvs_steer *s);

/*
 * The mark rules uvs applies itself (core/marks.h), which let fwmark services be
 * steered: the next syncs add the destinations of the rules that may give a fwmark
 * service's mark (host addresses only), and that service's NAT replies. marks stays the
 * caller's and must live until replaced or until s is closed; NULL: none.
 */
void uvs_steer_set_marks(struct uvs_steer *s, const struct uvs_marks *marks);

/*
 * The FTP helper's ports (network order, at most UVS_FTP_PORTS_MAX; the engine's
 * ftp_ports): from the next sync, a TCP service on one of them, as one on port 21
 * always, is steered by its address alone, and its NAT servers' replies from any TCP
 * port, for its data connections. Port 21 alone until set. Returns 0, or -EINVAL (s
 * NULL or n too large; nothing changed).
 */
int uvs_steer_set_ftp_ports(struct uvs_steer *s, const uint16_t *ports, unsigned n);

/* The number of keys the maps of later uvs_steer_open* calls may hold (0: the default,
 * UVS_STEER_MAX_KEYS). Process-wide; for tests that fill a map, and for directors
 * that need more. */
void uvs_steer_set_capacity(unsigned max_keys);

/* The size of the XDP fast path's table (core/fastpath.h) of the XDP programs loaded
 * from now on: entries, a power of two; 0 (the default): no fast path. Process-wide. */
void uvs_steer_set_fastpath(uint32_t entries);

/* With a fast path: its head, table and dirty bits, mapped into this process, the
 * table's size, and the offset of this process's CLOCK_MONOTONIC from the program's
 * clock. Returns 0, or -ENOENT without one. */
struct uvs_fp_head;
struct uvs_fp_entry;
int uvs_steer_fastpath(const struct uvs_steer *s, struct uvs_fp_head **head,
		       struct uvs_fp_entry **entries, uint64_t **dirty, uint32_t *n,
		       int64_t *clock_offset_ns);

/* The frames the fast path forwarded, and those of its flows it left to uvsd, since
 * the program loaded (summed over the CPUs). Returns 0 or a negative errno. */
int uvs_steer_fastpath_counts(const struct uvs_steer *s, uint64_t *hits, uint64_t *left);

/*
 * The fail-safe: the programs take frames only until this process's CLOCK_MONOTONIC
 * reaches until_ns (converted to the kernel's own clock, which a time namespace may
 * offset); after that they pass every frame to the kernel, and the socket filter
 * refuses all, until a later call moves until_ns ahead again. UINT64_MAX: for ever,
 * as from open until the first call. A uvsd killed or stopped cannot call it, so its
 * programs stop taking frames by themselves. Any thread, between open and close (one
 * map update: a system call). Returns 0 or a negative errno; -EINVAL if s is NULL.
 */
int uvs_steer_alive_until(struct uvs_steer *s, uint64_t until_ns);

/* How many keys the map holds. */
unsigned uvs_steer_keys(const struct uvs_steer *s);

/*
 * The keys of snapshot snap, sorted by their bytes and without duplicates, into a new
 * array *out (the caller frees it): one service key per non-fwmark service, one reply
 * key per masquerading destination of those. Pure: no BPF. Returns how many, or
 * -ENOMEM.
 */
int uvs_steer_keys_of(const struct uvs_snap *snap, struct uvs_steer_key **out);

/* As uvs_steer_keys_of, with the keys of fwmark services fed by marks (may be NULL). */
int uvs_steer_keys_of_marked(const struct uvs_snap *snap, const struct uvs_marks *marks,
			     struct uvs_steer_key **out);

#endif
