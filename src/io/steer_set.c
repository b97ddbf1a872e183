// SPDX-License-Identifier: GPL-2.0-or-later
/* The keys the steering map holds (steer-internal.h): a hash set with linear probing
 * and backward-shift removal, so that no tombstones build up. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "steer-internal.h"

/* FNV-1a over the key's bytes, then mixed so that the low bits used as index depend
 * on every byte. */
static size_t key_hash(const struct uvs_steer_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h ^= h >> 32;
	return (size_t)(h * 0x9e3779b97f4a7c15ull >> 16);
}

static bool same(const struct uvs_steer_key *a, const struct uvs_steer_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

struct steer_slot *steer_set_find(const struct steer_set *s, const struct uvs_steer_key *k)
{
	if (!s->cap)
		return NULL;
	for (size_t i = key_hash(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		struct steer_slot *slot = &s->slots[i];
		if (!slot->epoch)
			return NULL;
		if (same(&slot->key, k))
			return slot;
	}
}

/* Puts k in the first free slot of its probe sequence; s has room. */
static void place(struct steer_set *s, const struct uvs_steer_key *k, uint32_t epoch)
{
	size_t i = key_hash(k) & (s->cap - 1);

	while (s->slots[i].epoch)
		i = (i + 1) & (s->cap - 1);
	s->slots[i].key = *k;
	s->slots[i].epoch = epoch;
}

/* Doubles the table (at least 1024 slots). Returns 0 or -ENOMEM. */
static int grow(struct steer_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 1024;
	struct steer_set bigger = { calloc(cap, sizeof(struct steer_slot)), cap, s->n };

	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].epoch)
			place(&bigger, &s->slots[i].key, s->slots[i].epoch);
	free(s->slots);
	*s = bigger;
	return 0;
}

int steer_set_add(struct steer_set *s, const struct uvs_steer_key *k, uint32_t epoch)
{
	/* At most half full, so probe sequences stay short. */
	if ((s->n + 1) * 2 > s->cap && grow(s))
		return -ENOMEM;
	place(s, k, epoch);
	s->n++;
	return 0;
}

void steer_set_remove(struct steer_set *s, const struct uvs_steer_key *k)
{
	struct steer_slot *slot = steer_set_find(s, k);
	size_t mask = s->cap - 1, hole, i;

	if (!slot)
		return;
	hole = (size_t)(slot - s->slots);
	s->slots[hole].epoch = 0;
	s->n--;
	/* Moves back each later key of the run that the hole would cut off from its home
	 * slot, so that every key stays reachable from its home without tombstones. */
	for (i = (hole + 1) & mask; s->slots[i].epoch; i = (i + 1) & mask) {
		size_t home = key_hash(&s->slots[i].key) & mask;
		/* Cyclically, does home lie in (hole, i]? Then the key stays. */
		bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
		if (stays)
			continue;
		s->slots[hole] = s->slots[i];
		s->slots[i].epoch = 0;
		hole = i;
	}
}

void steer_set_free(struct steer_set *s)
{
	free(s->slots);
	*s = (struct steer_set){ 0 };
}
