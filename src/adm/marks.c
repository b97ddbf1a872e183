// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "marks.h"

#define MAX_TOKENS 64
#define MAX_RANGES 15 /* multiport's own limit */

/* One rule being read; becomes one table entry per port range. */
struct parsed {
	struct uvs_mark_rule r;
	bool has_dest, has_mark, is_mark_target, chain_ok;
	unsigned nranges;
	uint16_t lo[MAX_RANGES], hi[MAX_RANGES];
};

/* Splits line into tokens in place; a "quoted string" is one token. Returns how many,
 * or -1 if there are too many or a quote is not closed. */
static int tokenize(char *line, char **tok)
{
	int n = 0;

	for (char *p = line;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == MAX_TOKENS)
			return -1;
		if (*p == '"') {
			char *end = strchr(p + 1, '"');
			if (!end)
				return -1;
			tok[n++] = p + 1;
			*end = 0;
			p = end + 1;
			continue;
		}
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
	}
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "N" or "N:M" (either side may be empty: 0 and 65535), into lo..hi. */
static int parse_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[32], *colon;
	uint32_t a = 0, b = 65535;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (colon)
		*colon = 0;
	if ((buf[0] && parse_u32(buf, &a)) || a > 65535)
		return -1;
	if (!colon)
		b = a;
	else if ((colon[1] && parse_u32(colon + 1, &b)) || b > 65535)
		return -1;
	if (a > b)
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int parse_ports(struct parsed *p, const char *list)
{
	char buf[256];
	char *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		if (p->nranges == MAX_RANGES ||
		    parse_range(item, &p->lo[p->nranges], &p->hi[p->nranges]))
			return -1;
		p->nranges++;
	}
	return p->nranges ? 0 : -1;
}

/* ADDR, ADDR/PREFIX or ADDR/DOTTED.MASK (IPv4, contiguous). */
static int parse_dest(struct parsed *p, const char *s)
{
	char buf[UVS_ADDR_STRLEN + 20], *slash;
	uint32_t prefix;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (!uvs_addr_parse(AF_INET, buf, &p->r.addr))
		p->r.af = AF_INET;
	else if (!uvs_addr_parse(AF_INET6, buf, &p->r.addr))
		p->r.af = AF_INET6;
	else
		return -1;
	prefix = p->r.af == AF_INET6 ? 128 : 32;
	if (slash) {
		union uvs_addr mask;
		if (p->r.af == AF_INET && !uvs_addr_parse(AF_INET, slash, &mask)) {
			uint32_t m = ntohl(mask.ip);
			prefix = (uint32_t)__builtin_popcount(m);
			if (m && (uint32_t)(m << prefix) != 0)
				return -1; /* not contiguous */
		} else if (parse_u32(slash, &prefix) ||
			   prefix > (p->r.af == AF_INET6 ? 128u : 32u)) {
			return -1;
		}
	}
	p->r.prefix = (uint8_t)prefix;
	p->has_dest = true;
	return 0;
}

static int parse_mark(struct parsed *p, const char *s, bool xor)
{
	char buf[32], *slash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	p->r.mask = 0xffffffff;
	if (parse_u32(buf, &p->r.value) || (slash && parse_u32(slash, &p->r.mask)))
		return -1;
	p->r.xor = xor;
	p->has_mark = true;
	return 0;
}

static int protocol_of(const char *s)
{
	uint32_t n;

	if (!strcmp(s, "tcp") || (!parse_u32(s, &n) && n == IPPROTO_TCP))
		return IPPROTO_TCP;
	if (!strcmp(s, "udp") || (!parse_u32(s, &n) && n == IPPROTO_UDP))
		return IPPROTO_UDP;
	if (!strcmp(s, "sctp") || (!parse_u32(s, &n) && n == IPPROTO_SCTP))
		return IPPROTO_SCTP;
	return -1;
}

/* Whether option o is short or long (long may be NULL). */
static bool is(const char *o, const char *short_name, const char *long_name)
{
	return !strcmp(o, short_name) || (long_name && !strcmp(o, long_name));
}

/* Reads the rule in tok[0..n). Returns 0 or -1 with the reason in err. */
static int parse_rule(char **tok, int n, struct parsed *p, struct uvs_error *err)
{
	/* Every option here takes one value: the loop steps over both. */
	for (int i = 0; i < n; i += 2) {
		const char *o = tok[i], *v = i + 1 < n ? tok[i + 1] : NULL;
		int ret = 0;

		if (is(o, "-m", "--match") && v) {
			if (strcmp(v, "tcp") && strcmp(v, "udp") && strcmp(v, "sctp") &&
			    strcmp(v, "multiport") && strcmp(v, "comment"))
				return uvs_errorf(err, EINVAL, "match '%s' is not understood", v);
		} else if (is(o, "--comment", NULL) && v) {
			/* the operator's note */
		} else if (is(o, "-A", "--append") && v) {
			if (strcmp(v, "PREROUTING"))
				return uvs_errorf(err, EINVAL,
						  "chain '%s': uvs applies PREROUTING rules only",
						  v);
			p->chain_ok = true;
		} else if (is(o, "-t", "--table") && v) {
			if (strcmp(v, "mangle"))
				return uvs_errorf(err, EINVAL,
						  "table '%s': marks are set in mangle", v);
		} else if (is(o, "-p", "--protocol") && v) {
			int proto = protocol_of(v);
			if (proto < 0)
				return uvs_errorf(err, EINVAL, "protocol '%s': tcp, udp or sctp",
						  v);
			p->r.protocol = (uint8_t)proto;
		} else if (is(o, "-d", "--destination") && v) {
			if (p->has_dest || parse_dest(p, v))
				return uvs_errorf(err, EINVAL,
						  "destination '%s' is not one address "
						  "with an optional prefix",
						  v);
		} else if (is(o, "--dport", "--destination-port") && v) {
			if (p->nranges || parse_ports(p, v) || p->nranges != 1)
				return uvs_errorf(err, EINVAL, "port '%s' is not N or N:M", v);
		} else if (is(o, "--dports", "--destination-ports") && v) {
			if (p->nranges || parse_ports(p, v))
				return uvs_errorf(err, EINVAL,
						  "ports '%s' are not a list of N or N:M", v);
		} else if (is(o, "-j", "--jump") && v) {
			if (strcmp(v, "MARK"))
				return uvs_errorf(err, EINVAL,
						  "target '%s': uvs reads MARK rules only", v);
			p->is_mark_target = true;
		} else if (is(o, "--set-mark", NULL) && v) {
			ret = parse_mark(p, v, false);
		} else if (is(o, "--set-xmark", NULL) && v) {
			ret = parse_mark(p, v, true);
		} else {
			return uvs_errorf(err, EINVAL, "'%s'%s is not understood", o,
					  v ? "" : " (or its value is missing)");
		}
		if (ret)
			return uvs_errorf(err, EINVAL, "mark '%s' is not V or V/M", v);
	}
	if (!p->chain_ok)
		return uvs_errorf(err, EINVAL, "no -A PREROUTING");
	if (!p->is_mark_target || !p->has_mark)
		return uvs_errorf(err, EINVAL, "no -j MARK --set-mark");
	if (!p->has_dest)
		return uvs_errorf(err, EINVAL, "no -d: uvs takes frames by destination address");
	if (p->nranges && !p->r.protocol)
		return uvs_errorf(err, EINVAL, "ports without -p");
	return 0;
}

static int add_rules(struct uvs_marks **t, unsigned *cap, const struct parsed *p)
{
	unsigned ranges = p->nranges ? p->nranges : 1;

	if ((*t)->n + ranges > *cap) {
		unsigned ncap = (*cap + ranges) * 2;
		struct uvs_marks *bigger =
			realloc(*t, sizeof(**t) + (size_t)ncap * sizeof((*t)->rule[0]));
		if (!bigger)
			return -ENOMEM;
		*t = bigger;
		*cap = ncap;
	}
	for (unsigned i = 0; i < ranges; i++) {
		struct uvs_mark_rule *r = &(*t)->rule[(*t)->n++];
		*r = p->r;
		r->port_lo = p->nranges ? p->lo[i] : 0;
		r->port_hi = p->nranges ? p->hi[i] : 65535;
	}
	return 0;
}

int uvs_marks_parse(const char *text, size_t len, struct uvs_marks **out, struct uvs_error *err)
{
	struct uvs_marks *t = calloc(1, sizeof(*t));
	unsigned cap = 0, lineno = 0;
	size_t pos = 0;

	if (!t)
		return uvs_errorf(err, ENOMEM, "out of memory");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char line[1024], *tok[MAX_TOKENS];
		struct parsed p = { 0 };
		struct uvs_error why;
		int ntok, ret;

		lineno++;
		if (n >= sizeof(line)) {
			free(t);
			return uvs_errorf(err, EINVAL, "line %u: longer than %zu bytes", lineno,
					  sizeof(line) - 1);
		}
		memcpy(line, text + pos, n);
		line[n] = 0;
		pos += n + 1;
		if (memchr(line, 0, n)) {
			free(t);
			return uvs_errorf(err, EINVAL, "line %u: a NUL byte", lineno);
		}
		ntok = tokenize(line, tok);
		if (ntok < 0) {
			free(t);
			return uvs_errorf(err, EINVAL, "line %u: too many words or an open quote",
					  lineno);
		}
		if (!ntok || tok[0][0] == '#' || tok[0][0] == '*' || tok[0][0] == ':' ||
		    !strcmp(tok[0], "COMMIT"))
			continue;
		if (parse_rule(tok, ntok, &p, &why) < 0) {
			free(t);
			return uvs_errorf(err, EINVAL, "line %u: %s", lineno, why.msg);
		}
		if ((ret = add_rules(&t, &cap, &p)) < 0) {
			free(t);
			return uvs_errorf(err, -ret, "out of memory");
		}
	}
	*out = t;
	return 0;
}
