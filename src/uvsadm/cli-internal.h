/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What uvsadm's parts share: the parsed command line, the session, the printers. */
#ifndef UVS_UVSADM_CLI_INTERNAL_H
#define UVS_UVSADM_CLI_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "adm/options.h"
#include "adm/rules.h"
#include "ctl/client.h"

/* An exit status that ends uvsadm at once, even in the middle of -R (ipvsadm exits
 * from deep inside); the low byte is the status. */
#define CLI_EXIT 0x100
/* A -R line whose command was queued (uvs_ctl_queue): its status comes with its
 * answer. */
#define CLI_QUEUED 0x200

/* Seconds uvsadm waits for a silent uvsd (0: for ever), if not the default. */
#define UVSADM_TIMEOUT_ENV "UVSADM_TIMEOUT"

struct cli_ctx {
	FILE *in, *out, *err;
	const char *prog;
	const char *sock; /* --socket, $UVSD_SOCKET or the default */
	struct uvs_ctl_client *client;
	uint32_t conn_tab_size;
	bool reading_stdin;
	/* -R: configuration lines are queued, and their answers reported as they come,
	 * in order, to err; the status is that of the last line that ended. */
	struct {
		bool queue;
		unsigned long line, result_line;
		int result;
		FILE *err; /* the real stderr, while x->err collects a line's own messages */
	} restore;
};

/*
 * Reads argv (without the program name) as ipvsadm does: the first option must be a
 * command, then options with their values, then --set's three values. Returns 0, or
 * an exit status (with CLI_EXIT) after printing why.
 */
int cli_parse(struct cli_ctx *x, int argc, char **argv, struct adm_args *a);
/* ipvsadm's table of which options each command needs, refuses or takes one of. */
int cli_check(struct cli_ctx *x, const struct adm_args *a);
/* The configuration command of a, with host and service names resolved, its values
 * read by the rules language. Returns 0 or an exit status after printing the reason. */
int cli_config_cmd(struct cli_ctx *x, const struct adm_args *a, struct uvs_ctl_req *cmd);
/* The service of -t/-u/--sctp-service/-f for -L and -Z. Returns 0 or an exit status. */
int cli_service_key(struct cli_ctx *x, const struct adm_args *a, struct uvs_svc_key *k);

/* Prints "fmt\n" to err and returns status | CLI_EXIT. */
int cli_fail(struct cli_ctx *x, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "Try `prog -h' ..." and exit status 255, as ipvsadm's tryhelp. */
int cli_tryhelp(struct cli_ctx *x);
void cli_usage(struct cli_ctx *x, FILE *f);
void cli_version(FILE *f);

/* What ipvsadm prints for a refused command: its own text for the errors it knows for
 * that command, else the server's message, else its generic text or strerror. */
const char *cli_strerror(enum cli_cmd cmd, int errnum, const char *server_msg);

/* The listings that are not the service table. */
int cli_print_conn(void *arg, const struct uvs_ctl_conn *c); /* arg: struct cli_show */
void cli_print_conn_title(FILE *f, bool persistent);
void cli_print_daemons(FILE *f, const struct uvs_ctl_daemon *d, size_t n);
int cli_print_counter(void *arg, const struct uvs_ctl_counter *c); /* arg: FILE * */

struct cli_show {
	FILE *f;
	bool names;
};

#endif
