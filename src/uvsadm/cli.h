/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsadm: ipvsadm 1.31's command line, run against uvsd's control socket.
 *
 * The socket is UVS_CTL_PATH, or $UVSD_SOCKET, or --socket PATH (a uvs extension that
 * any command takes). Output, messages and exit statuses are ipvsadm's: option errors
 * exit 2, a refused command 255 (ipvsadm returns -1), a failed listing 1.
 */
#ifndef UVS_UVSADM_CLI_H
#define UVS_UVSADM_CLI_H

#include <stdio.h>

/* Runs uvsadm with argv (argv[0] is the name shown in usage messages), reading -R's
 * rules from in and writing to out and err. Returns the exit status. */
int uvs_adm_cli_main(int argc, char **argv, FILE *in, FILE *out, FILE *err);

#endif
