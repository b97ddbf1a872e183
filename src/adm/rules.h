/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ipvsadm rules language, what `ipvsadm -S` writes and `ipvsadm -R` reads: one
 * command a line (-A -E -D -C -a -e -d, --set), numeric addresses only.
 *
 * Parsing applies ipvsadm's defaults and option rules and fills a command; running a
 * command hands it to the model, whose checks and messages are the kernel's. Applying
 * a whole text is atomic: either every line takes effect or the configuration stays
 * exactly as it was.
 */
#ifndef UVS_ADM_RULES_H
#define UVS_ADM_RULES_H

#include <stddef.h>

#include "core/model.h"
#include "core/proto_tcp.h"
#include "ctl/request.h"

/* Why a rules text was refused: line is the 1-based line number (0 if no line is to
 * blame) and msg reads "line N: what was wrong". */
struct uvs_adm_error {
	unsigned line;
	char msg[256];
};

/* Fills err (may be NULL): line, and msg as "line N: " and the message (no prefix for
 * line 0). */
void uvs_adm_error_set(struct uvs_adm_error *err, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parses one command given as arguments without the program name, e.g. {"-A", "-t",
 * "10.0.0.1:80", "-s", "rr"}. Returns 0, or -EINVAL with a message in *err (may be
 * NULL) naming what was wrong.
 */
int uvs_adm_parse_argv(int argc, char *const argv[], struct uvs_ctl_req *cmd,
		       struct uvs_error *err);

struct adm_args;

/*
 * The configuration request of a, words adm_scan read and whose options suit its
 * command (adm_args_check), with ipvsadm's defaults; addresses and ports are numeric.
 * Returns 0, or -EINVAL with a message in *err (may be NULL) naming the bad value.
 */
int uvs_adm_request(const struct adm_args *a, struct uvs_ctl_req *cmd, struct uvs_error *err);

/* The service of a's -t/-u/--sctp-service/-f (and -6), as uvs_adm_request reads it. */
int uvs_adm_service_key(const struct adm_args *a, struct uvs_svc_key *k, struct uvs_error *err);

/*
 * Parses one line of a rules text: splits it at blanks and drops a first word
 * "ipvsadm". Returns 0 for a command, 1 for a line with nothing to do (blank, or
 * starting with '#'), or -EINVAL / -ENOMEM with a message in *err.
 */
int uvs_adm_parse_line(const char *line, struct uvs_ctl_req *cmd, struct uvs_error *err);

/*
 * Runs one command on m. --set changes *t, and is refused (-EINVAL) if t is NULL.
 * Returns 0 or the model's negative errno with its message in *err; a refused command
 * changes nothing.
 */
int uvs_adm_exec(struct uvs_model *m, struct uvs_timeouts *t, const struct uvs_ctl_req *cmd,
		 struct uvs_error *err);

/*
 * Applies a rules text (lines separated by '\n') to m and *t (t may be NULL if the text
 * has no --set). Every line is parsed first: a syntax error returns -EINVAL and changes
 * nothing. Then the commands run in order; if the model refuses one, those already
 * run are undone in reverse order, so that services, destinations, their
 * configuration and order, and the timeouts are as before, and the model's negative
 * errno is returned. *err (may be NULL) then says "line N: message".
 *
 * Atomic against failure, not isolated: other control-side writers must not run
 * meanwhile, and workers may see the intermediate states.
 */
int uvs_adm_apply(struct uvs_model *m, struct uvs_timeouts *t, const char *text,
		  struct uvs_adm_error *err);

/*
 * ipvsadm's names for the scheduler flags in `flags` (UVS_SVC_F_SCHED1..3), as sched
 * shows them: "sh-fallback,sh-port" for sh, mh-... for mh, flag-N otherwise. Writes
 * "" if none. Returns buf.
 */
const char *uvs_adm_sched_flags_format(const char *sched, uint32_t flags, char *buf, size_t len);

#endif
