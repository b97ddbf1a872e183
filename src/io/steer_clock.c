// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fail-safe's clock (steer-decide.h, steer_owner_alive): which clock the programs
 * read, set in the object before it is loaded, and how this process's CLOCK_MONOTONIC
 * relates to the kernel's own, which they compare the deadline with.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steer-internal.h"

/* The variable in the programs' .rodata that picks their clock. */
#define COARSE_CLOCK_VAR "steer_coarse_clock"

int64_t steer_monotonic_offset_ns(void)
{
	FILE *f = fopen("/proc/self/timens_offsets", "re");
	long long sec, nsec;
	int64_t offset = 0;
	char clock[32];

	if (!f)
		return 0;
	/* Lines "monotonic SECONDS NANOSECONDS" and "boottime ..." (time_namespaces(7)). */
	while (fscanf(f, "%31s %lld %lld", clock, &sec, &nsec) == 3)
		if (!strcmp(clock, "monotonic") || !strcmp(clock, "1")) /* name or clock id */
			offset = (int64_t)sec * 1000000000 + nsec;
	fclose(f);
	return offset;
}

bool steer_has_coarse_clock(enum bpf_prog_type type)
{
	return libbpf_probe_bpf_helper(type, BPF_FUNC_ktime_get_coarse_ns, NULL) == 1;
}

/* The .rodata map of obj (libbpf names it after the object: "<name>.rodata"). */
static struct bpf_map *rodata_of(struct bpf_object *obj)
{
	struct bpf_map *map;
	const char *name;

	bpf_object__for_each_map(map, obj)
	{
		name = bpf_map__name(map);
		if (bpf_map__is_internal(map) && strlen(name) >= 7 &&
		    !strcmp(name + strlen(name) - 7, ".rodata"))
			return map;
	}
	return NULL;
}

/* Sets byte at of map's initial value data[0..size) (read-only here: libbpf's). */
static int set_byte(struct bpf_map *map, const uint8_t *data, size_t size, size_t at, uint8_t value)
{
	uint8_t *copy = malloc(size);
	int ret;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, size);
	copy[at] = value;
	ret = bpf_map__set_initial_value(map, copy, size);
	free(copy);
	return ret;
}

int steer_set_coarse_clock(struct bpf_object *obj, bool coarse)
{
	struct bpf_map *rodata = rodata_of(obj);
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *v;
	const struct btf_type *sec;
	const uint8_t *data;
	size_t size;
	int id;

	if (!rodata || !btf || !(data = bpf_map__initial_value(rodata, &size)))
		return -ENOENT;
	/* Where the variable is in the section: its BTF says. */
	if ((id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC)) < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, (uint32_t)id);
	v = btf_var_secinfos(sec);
	for (unsigned i = 0; i < btf_vlen(sec); i++, v++) {
		const struct btf_type *var = btf__type_by_id(btf, v->type);

		if (strcmp(btf__name_by_offset(btf, var->name_off), COARSE_CLOCK_VAR))
			continue;
		if (v->size != 1 || v->offset >= size)
			return -EINVAL;
		return set_byte(rodata, data, size, v->offset, coarse);
	}
	return -ENOENT;
}
