/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mark rules uvs applies itself (core/marks.h), read from the text an operator
 * already has: iptables-save or ip6tables-save output of the mangle table's MARK
 * rules, or the same rules as iptables command lines without the command name, e.g.
 *
 *   *mangle
 *   -A PREROUTING -d 10.0.0.1/32 -p tcp -m multiport --dports 80,443 -j MARK --set-xmark
 * 0x1/0xffffffff COMMIT -t mangle -A PREROUTING -d 2001:db8:f::1 -p udp --dport 53 -j MARK
 * --set-mark 2
 *
 * Understood: -A/--append PREROUTING, -t/--table mangle, -p/--protocol tcp|udp|sctp
 * (or their numbers), -d/--destination ADDR[/PREFIX or /MASK] (required, one address
 * family per rule), --dport/--destination-port N[:M], -m tcp|udp|sctp|multiport,
 * --dports N[:M][,...], -j MARK with --set-mark or --set-xmark V[/M]. Comments (#),
 * blank lines, table headers (*mangle), chain lines (:NAME ...) and COMMIT are skipped.
 * Anything else is refused with its line number: a rule uvs would apply differently
 * from the kernel must not be half understood.
 */
#ifndef UVS_ADM_MARKS_H
#define UVS_ADM_MARKS_H

#include <stddef.h>

#include "core/marks.h"
#include "core/model-t.h"

/* Parses text (len bytes) into a new table *out (free() it). Returns 0, or a negative
 * errno with "line N: ..." in err and nothing allocated. */
int uvs_marks_parse(const char *text, size_t len, struct uvs_marks **out, struct uvs_error *err);

#endif
