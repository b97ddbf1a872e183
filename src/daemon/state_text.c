// SPDX-License-Identifier: GPL-2.0-or-later
/* The state file's text, written and read (state_text.h). */
#include "state_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "adm/daemon.h"
#include "adm/rules.h"
#include "adm/save.h"

#define VERSION_WORD "uvsd-state"

enum section { S_NONE, S_SERVICES, S_TIMEOUTS, S_SYSCTLS, S_DAEMONS, S_DECLARED, S_COUNT };

static const char *const section_names[S_COUNT] = {
	[S_SERVICES] = "services", [S_TIMEOUTS] = "timeouts", [S_SYSCTLS] = "sysctls",
	[S_DAEMONS] = "daemons",   [S_DECLARED] = "declared",
};

/* ---- writing ---- */

static void header(FILE *f, enum section s)
{
	fprintf(f, "[%s]\n", section_names[s]);
}

int uvsd_state_write(FILE *f, const struct uvsd_state_src *src)
{
	const struct uvs_timeouts *t = src->timeouts;
	int ret;

	fprintf(f,
		"# uvsd's configuration, restored when uvsd starts (uvsd(8), --state).\n"
		"# uvsd rewrites this file after every change: edit it only while uvsd is\n"
		"# stopped.\n" VERSION_WORD " %d\n",
		UVSD_STATE_VERSION);
	header(f, S_SERVICES);
	if ((ret = uvs_adm_save_in_order(f, src->model)) == -ENOMEM)
		return ret;
	header(f, S_TIMEOUTS);
	fprintf(f, "--set %u %u %u\n", t->tcp[UVS_TCP_S_ESTABLISHED], t->tcp[UVS_TCP_S_FIN_WAIT],
		t->udp);
	header(f, S_SYSCTLS);
	for (size_t i = 0; i < uvs_sysctl_ndefs; i++) {
		const struct uvs_sysctl_def *d = &uvs_sysctl_defs[i];
		char value[UVS_SYSCTL_VALUE_MAX];
		if (d->use == UVS_SYSCTL_REFUSED)
			continue;
		uvs_sysctl_format(&src->model->sysctl, d, value);
		fprintf(f, UVS_SYSCTL_PREFIX "%s = %s\n", d->name, value);
	}
	header(f, S_DAEMONS);
	for (size_t i = 0; i < src->ndaemons; i++)
		uvs_adm_write_daemon(f, &src->daemons[i]);
	if (src->declared) {
		header(f, S_DECLARED);
		fputs("# What the --rules file declared at its last load: its next load removes\n"
		      "# what it no longer declares, and nothing that it never declared.\n",
		      f);
		fputs(src->declared, f);
	}
	return ferror(f) ? -EIO : 0;
}

/* ---- reading ---- */

/* A line of the text: [s, s + len), without its newline. */
struct line {
	const char *s;
	size_t len;
	unsigned no;
};

/* Fills err with "line N: " and the message; returns -EINVAL. */
static int __attribute__((format(printf, 3, 4)))
bad(struct uvs_error *err, const struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -EINVAL;
	n = snprintf(err->msg, sizeof(err->msg), "line %u: ", l->no);
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The line as a string without blanks at either end, for the caller to free. */
static char *trimmed(const struct line *l)
{
	size_t len = l->len;
	const char *s = l->s;

	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

/* The version line: VERSION_WORD and a number we read. */
static int version(const struct line *l, const char *text, struct uvs_error *err)
{
	size_t n = strlen(VERSION_WORD);
	char *end;
	unsigned long v;

	if (strncmp(text, VERSION_WORD, n) || !isblank((unsigned char)text[n]))
		return bad(err, l, "%s",
			   "no version line (" VERSION_WORD " N): not a uvsd state file");
	text += n + strspn(text + n, " \t");
	errno = 0;
	v = strtoul(text, &end, 10);
	if (!isdigit((unsigned char)*text) || *end || errno)
		return bad(err, l, "version '%s' is not a number", text);
	if (v > UVSD_STATE_VERSION)
		return bad(err, l,
			   "state version %lu, written by a newer uvsd: this one reads "
			   "version %d and older",
			   v, UVSD_STATE_VERSION);
	if (v < 1)
		return bad(err, l, "version %s is no uvsd state version", text);
	return 0;
}

static enum section section_of(const char *name)
{
	for (int s = S_SERVICES; s < S_COUNT; s++)
		if (!strcmp(name, section_names[s]))
			return (enum section)s;
	return S_NONE;
}

/* A rules line of [services] or [declared] (-A, -a) or [timeouts] (--set): parsed
 * for its syntax and kind; the model checks the rest when it is applied. */
static int rules_line(const struct line *l, enum section sec, const char *text,
		      struct uvs_error *err)
{
	struct uvs_ctl_req cmd;
	struct uvs_error why;
	int ret = uvs_adm_parse_line(text, &cmd, &why);

	if (ret < 0)
		return uvs_errorf(err, -ret, "line %u: %s", l->no, why.msg);
	if (sec == S_TIMEOUTS && cmd.kind != UVS_REQ_SET_TIMEOUT)
		return bad(err, l, "%s", "only --set belongs in [timeouts]");
	if (sec != S_TIMEOUTS && cmd.kind != UVS_REQ_ADD_SVC && cmd.kind != UVS_REQ_ADD_DEST)
		return bad(err, l, "only -A and -a lines belong in [%s]", section_names[sec]);
	return 0;
}

static int sysctl_line(const struct line *l, char *text, struct uvs_sysctl *s,
		       struct uvs_error *err)
{
	char *eq = strchr(text, '='), *name = text, *value;
	struct uvs_error why;
	size_t n;

	if (!eq)
		return bad(err, l, "%s", "not NAME = VALUE");
	value = eq + 1 + strspn(eq + 1, " \t");
	for (n = (size_t)(eq - name); n && isblank((unsigned char)name[n - 1]);)
		n--;
	name[n] = '\0';
	if (strncmp(name, UVS_SYSCTL_PREFIX, strlen(UVS_SYSCTL_PREFIX)))
		return bad(err, l, "%s is not an IPVS sysctl (" UVS_SYSCTL_PREFIX "*)", name);
	if (uvs_sysctl_set(s, name, value, &why) < 0)
		return bad(err, l, "%s", why.msg);
	return 0;
}

/* A --start-daemon line, read as uvsadm reads its command line. */
static int daemon_line(const struct line *l, char *text, struct uvsd_state *st,
		       struct uvs_error *err)
{
	char *argv[32], *save = NULL;
	struct adm_scan_error e;
	struct adm_args a;
	struct uvs_error why;
	int argc = 0;

	for (char *w = strtok_r(text, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (argc == (int)(sizeof(argv) / sizeof(argv[0])))
			return bad(err, l, "%s", "too many words for a --start-daemon line");
		argv[argc++] = w;
	}
	if (adm_scan(argc, argv, ADM_SCAN_CMDLINE, &a, &e) || a.npos)
		return bad(err, l, "%s", "not a --start-daemon line of ipvsadm's options");
	if (a.cmd != C_STARTD)
		return bad(err, l, "%s", "not a --start-daemon line");
	if (st->ndaemons == 2)
		return bad(err, l, "%s", "a third sync daemon (one master and one backup at most)");
	if (adm_args_check(&a, &why) || uvs_adm_daemon(&a, &st->daemons[st->ndaemons], &why))
		return bad(err, l, "%s", why.msg);
	st->daemon_line[st->ndaemons++] = l->no;
	return 0;
}

/* [declared], loaded whole into a model of its own (errors on the file's lines) and
 * written back in order into st->declared. */
static int load_declared(const char *rules, struct uvsd_state *st, struct uvs_error *err)
{
	struct uvs_model m;
	struct uvs_timeouts t;
	struct uvs_adm_error why;
	size_t len = 0;
	FILE *f;
	int ret;

	if (uvs_model_init(&m, 1) < 0)
		return uvs_errorf(err, ENOMEM, "out of memory");
	uvs_timeouts_default(&t);
	ret = uvs_adm_apply(&m, &t, rules, &why);
	if (ret) /* why.msg is "line N: message" */
		ret = uvs_errorf(err, ret == -ENOMEM ? ENOMEM : EINVAL,
				 "line %u: %s (in [declared])", why.line,
				 why.line ? strchr(why.msg, ':') + 2 : why.msg);
	else if (!(f = open_memstream(&st->declared, &len)))
		ret = uvs_errorf(err, ENOMEM, "out of memory");
	else if ((ret = uvs_adm_save_in_order(f, &m)) | fclose(f))
		ret = uvs_errorf(err, ENOMEM, "out of memory");
	uvs_model_destroy(&m);
	return ret;
}

/* Copies line l into the rules text out (which mirrors text's lines). */
static void keep_line(char *out, const char *text, const struct line *l)
{
	memcpy(out + (l->s - text), l->s, l->len);
}

/* Reads every line of text; rules and declared mirror it, blank but for their
 * sections' lines. */
static int parse_lines(const char *text, struct uvsd_state *st, char *declared,
		       struct uvs_error *err)
{
	bool seen[S_COUNT] = { false }, versioned = false;
	enum section sec = S_NONE;
	struct line l = { text, 0, 0 };
	int ret = 0;

	for (const char *p = text; *p && !ret; p += l.len + (p[l.len] == '\n')) {
		l = (struct line){ p, strcspn(p, "\n"), l.no + 1 };
		char *t = trimmed(&l);
		size_t n = t ? strlen(t) : 0;

		if (!t)
			return uvs_errorf(err, ENOMEM, "out of memory");
		if (!n || t[0] == '#')
			ret = 0;
		else if (!versioned)
			versioned = !(ret = version(&l, t, err));
		else if (t[0] == '[') {
			bool closed = t[n - 1] == ']';
			t[n - 1] = '\0';
			sec = closed ? section_of(t + 1) : S_NONE;
			if (!closed)
				ret = bad(err, &l, "%s", "a section's name without its ']'");
			else if (sec == S_NONE)
				ret = bad(err, &l, "[%s] is no section of a uvsd state file",
					  t + 1);
			else if (seen[sec])
				ret = bad(err, &l, "[%s] a second time", section_names[sec]);
			seen[sec] = true;
		} else if (sec == S_NONE)
			ret = bad(err, &l, "%s", "a line before the first [section]");
		else if (sec == S_SYSCTLS)
			ret = sysctl_line(&l, t, &st->sysctl, err);
		else if (sec == S_DAEMONS)
			ret = daemon_line(&l, t, st, err);
		else if (!(ret = rules_line(&l, sec, t, err)))
			keep_line(sec == S_DECLARED ? declared : st->rules, text, &l);
		free(t);
	}
	if (!ret && !versioned)
		ret = uvs_errorf(err, EINVAL,
				 "line %u: no version line (" VERSION_WORD
				 " N): not a uvsd state file",
				 l.no + 1);
	if (!ret && seen[S_DECLARED])
		ret = load_declared(declared, st, err);
	return ret;
}

/* A copy of text with every character but the newlines blanked out. */
static char *blank_copy(const char *text)
{
	size_t len = strlen(text);
	char *s = malloc(len + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++)
		s[i] = text[i] == '\n' ? '\n' : ' ';
	s[len] = '\0';
	return s;
}

int uvsd_state_parse(const char *text, const struct uvs_sysctl *base, struct uvsd_state *st,
		     struct uvs_error *err)
{
	char *declared = blank_copy(text);
	int ret;

	memset(st, 0, sizeof(*st));
	st->sysctl = *base;
	st->rules = blank_copy(text);
	if (!st->rules || !declared)
		ret = uvs_errorf(err, ENOMEM, "out of memory");
	else
		ret = parse_lines(text, st, declared, err);
	free(declared);
	if (ret)
		uvsd_state_free(st);
	return ret;
}

void uvsd_state_free(struct uvsd_state *st)
{
	free(st->rules);
	free(st->declared);
	st->rules = st->declared = NULL;
}
