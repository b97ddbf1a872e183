// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsadm: ipvsadm's command line for uvsd. */
#include "cli.h"

int main(int argc, char **argv)
{
	return uvs_adm_cli_main(argc, argv, stdin, stdout, stderr);
}
