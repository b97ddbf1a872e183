// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for uvs's mark rules (uvsd --marks). Each input is a rules text.
 * Checks: a refused text allocates nothing and says why; an accepted one gives a
 * table whose every rule is well formed (family, prefix within it, ports in order)
 * and classifies frames to each rule's own address without fault.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adm/marks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uvs_marks *t = NULL;
	struct uvs_error err = { "" };

	if (uvs_marks_parse((const char *)data, size, &t, &err) < 0) {
		if (t || !err.msg[0])
			abort();
		return 0;
	}
	for (unsigned i = 0; i < t->n; i++) {
		const struct uvs_mark_rule *r = &t->rule[i];
		unsigned bits = r->af == AF_INET6 ? 128 : 32;

		if ((r->af != AF_INET && r->af != AF_INET6) || r->prefix > bits ||
		    r->port_lo > r->port_hi)
			abort();
		(void)uvs_marks_classify(t, r->af, r->protocol, &r->addr, htons(r->port_lo));
	}
	free(t);
	return 0;
}
