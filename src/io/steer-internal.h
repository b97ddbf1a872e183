/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What steer.c (BPF programs and map) shares with steer_keys.c (the keys a
 * configuration needs), steer_set.c (the keys the map holds) and steer_sweep.c
 * (programs dead uvsds left).
 */
#ifndef UVS_STEER_INTERNAL_H
#define UVS_STEER_INTERNAL_H

#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/ftp.h"
#include "io/steer.h"

/* Where the tc filter sits: fixed, so that a stale one can be found and replaced. */
#define STEER_TC_HANDLE 0x757673 /* "uvs" */
#define STEER_TC_PRIO	0x7576
/* The programs' names, which tell uvs's programs on a link from others. */
#define STEER_TC_NAME  "uvs_steer_tc"
#define STEER_XDP_NAME "uvs_steer_xdp"

/* What sits at one of steering's places on a link. */
enum { STEER_NONE, STEER_OURS, STEER_OTHER };

/*
 * What is at uvs's tc place (STEER_TC_HANDLE, STEER_TC_PRIO) on link ifindex's
 * ingress: STEER_OURS for a bpf filter named STEER_TC_NAME (by the name it was
 * attached with, which needs no privilege to read), STEER_OTHER for another one,
 * STEER_NONE; or a negative errno (steer_place.c).
 */
int steer_tc_at_place(unsigned ifindex);

/*
 * The XDP program on link ifindex: STEER_NONE, STEER_OURS (a program named
 * STEER_XDP_NAME), STEER_OTHER, or a negative errno: -EPERM when the program's name
 * cannot be read (it needs CAP_SYS_ADMIN). *prog_id and *mode (XDP_FLAGS_*_MODE) are
 * set when a program is there.
 */
int steer_xdp_on(unsigned ifindex, uint32_t *prog_id, uint32_t *mode);

/* What steer_remove_left removes. */
enum { STEER_LEFT_TC = 1, STEER_LEFT_XDP = 2 };

/*
 * Removes from link ifindex the uvs programs of the kinds in `kinds` (STEER_LEFT_*)
 * that are there: the caller holds the link's claim, so they are a dead owner's.
 * Returns the kinds it removed.
 */
unsigned steer_remove_left(unsigned ifindex, unsigned kinds);

/* How far this process's CLOCK_MONOTONIC is ahead of the kernel's own, which the
 * programs read (bpf_ktime_get_ns): the offset of its time namespace
 * (time_namespaces(7)); 0 outside one, or on a kernel without them (steer_clock.c). */
int64_t steer_monotonic_offset_ns(void);

/* Whether programs of type may call bpf_ktime_get_coarse_ns (Linux 5.11). Needs the
 * privilege to load a program (it loads a small one); false without. */
bool steer_has_coarse_clock(enum bpf_prog_type type);

/* Makes the programs of obj (opened, not loaded) read the coarse clock, or the other
 * one (steer_coarse_clock in steer-decide.h). Returns 0, or -ENOENT if obj has no such
 * variable. */
int steer_set_coarse_clock(struct bpf_object *obj, bool coarse);

/* A growing array of keys. */
struct steer_keyvec {
	struct uvs_steer_key *v;
	size_t n, cap;
};

/* The FTP helper's ports (network order) beside 21, whose services' keys take every
 * TCP port. */
struct steer_ftp {
	uint16_t ports[UVS_FTP_PORTS_MAX];
	unsigned n;
};

/*
 * The keys of every service of m and of their NAT destinations (and, with marks, of
 * fwmark services fed by them; for FTP services, port 21 and ftp's ports (may
 * be NULL), every TCP port), appended to out, in the model's order, duplicates
 * included. Reads the model under its ctl_lock, copying nothing else. Returns 0 or
 * -ENOMEM (out then holds what was appended so far).
 */
int steer_model_keys(struct uvs_model *m, const struct uvs_marks *marks,
		     const struct steer_ftp *ftp, struct steer_keyvec *out);

/* Sets in bits (UVS_STEER_ADDR_BITS of them, cleared by the caller) the bit of every
 * key's address in keys[0..n). */
void steer_addr_bits(const struct uvs_steer_key *keys, size_t n, __u64 *bits);

/* Writes filter a into the address filter map fd (steer-key.h): the words that differ
 * from *map (all of them if map is NULL), then the kept word, so that the filter is
 * kept only once its bits are in. *map, if given, follows each word written. Returns 0
 * or -errno (the words before the failing one written). */
int steer_addrs_write(int fd, const struct uvs_steer_addrs *a, struct uvs_steer_addrs *map);

/*
 * The keys the map holds, in an open-addressing hash table (linear probing), each
 * stamped with the sync that last wanted it. epoch 0 marks an empty slot.
 */
struct steer_slot {
	struct uvs_steer_key key;
	uint32_t epoch;
};

struct steer_set {
	struct steer_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

/* The slot of k, or NULL. */
struct steer_slot *steer_set_find(const struct steer_set *s, const struct uvs_steer_key *k);
/* Adds k (not in s) with stamp epoch (non-zero), growing s. Returns 0 or -ENOMEM. */
int steer_set_add(struct steer_set *s, const struct uvs_steer_key *k, uint32_t epoch);
/* Removes k if s holds it. */
void steer_set_remove(struct steer_set *s, const struct uvs_steer_key *k);
void steer_set_free(struct steer_set *s);

#endif
