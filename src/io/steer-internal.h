/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What steer.c (BPF programs and map) shares with steer_keys.c (the keys a
 * configuration needs) and steer_set.c (the keys the map holds).
 */
#ifndef UVS_STEER_INTERNAL_H
#define UVS_STEER_INTERNAL_H

#include "io/steer.h"

/* A growing array of keys. */
struct steer_keyvec {
	struct uvs_steer_key *v;
	size_t n, cap;
};

/*
 * The keys of every service of m and of their NAT destinations (and, with marks, of
 * fwmark services fed by them), appended to out, in the model's order, duplicates
 * included. Reads the model under its ctl_lock, copying nothing else. Returns 0 or
 * -ENOMEM (out then holds what was appended so far).
 */
int steer_model_keys(struct uvs_model *m, const struct uvs_marks *marks, struct steer_keyvec *out);

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
