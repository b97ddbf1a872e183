/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of uvsd's state file (--state): the whole configuration uvsd restores when
 * it starts, readable by an operator. After comments, a version line, then sections:
 *
 *   uvsd-state 1
 *   [services]     -A and -a lines in the ipvsadm rules language (`ipvsadm -R` reads
 *                  them), services oldest first, each one's real servers oldest first,
 *                  so that a restore rebuilds the model's order
 *   [timeouts]     --set TCP TCPFIN UDP
 *   [sysctls]      net.ipv4.vs.NAME = VALUE, sysctl.conf's syntax, every IPVS sysctl
 *   [daemons]      --start-daemon lines, every value given
 *   [declared]     -A and -a lines: what the --rules file declared at its last load,
 *                  which is what its next load may remove (rules_file.h)
 *
 * Blank lines and lines starting with '#' are comments anywhere. A section may be
 * missing (nothing of that kind kept: no service, the defaults) but not repeated.
 */
#ifndef UVS_DAEMON_STATE_TEXT_H
#define UVS_DAEMON_STATE_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/model.h"
#include "core/proto_tcp.h"
#include "core/sysctl.h"
#include "ctl/codec.h"

/* The version this uvsd writes and the newest it reads. */
#define UVSD_STATE_VERSION 1

/* What a state file is written from. */
struct uvsd_state_src {
	struct uvs_model *model; /* services, real servers and the sysctls */
	const struct uvs_timeouts *timeouts;
	const struct uvs_ctl_daemon *daemons; /* the running sync daemons */
	size_t ndaemons;
	const char *declared; /* rules; NULL: no rules file was ever loaded */
};

/* A state file read and checked, ready to restore. */
struct uvsd_state {
	/* [services] and [timeouts] as one rules text whose other lines are blank, so that
	 * its line numbers are the file's. */
	char *rules;
	struct uvs_sysctl sysctl; /* the base given to uvsd_state_parse, then [sysctls] */
	struct uvs_ctl_daemon daemons[2];
	unsigned daemon_line[2]; /* of each daemon in the file, for messages */
	size_t ndaemons;
	/* [declared] as uvs_adm_save_in_order writes it; NULL without the section. */
	char *declared;
};

/* Writes the state of src to f. Returns 0, -ENOMEM, or -EIO if f failed. Control
 * thread (takes the model's ctl_lock for a snapshot). */
int uvsd_state_write(FILE *f, const struct uvsd_state_src *src);

/*
 * Reads a state file's text (NUL-terminated) into *st: the version (a newer one is
 * refused), the sections and each line's syntax, the sysctls against their rules
 * applied on top of *base, and [declared] loaded whole. The services are checked when
 * they are applied (uvs_adm_apply, all or nothing). Returns 0 (free *st with
 * uvsd_state_free), or -EINVAL or -ENOMEM with "line N: what is wrong" in *err.
 */
int uvsd_state_parse(const char *text, const struct uvs_sysctl *base, struct uvsd_state *st,
		     struct uvs_error *err);

/* Frees what *st holds; accepts a zeroed one. */
void uvsd_state_free(struct uvsd_state *st);

#endif
