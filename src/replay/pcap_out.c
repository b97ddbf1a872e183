// SPDX-License-Identifier: GPL-2.0-or-later
#include "replay/pcap_out.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

/* errno after a failed stdio call, which sets it when the write beneath fails. */
static int write_error(void)
{
	return errno ? -errno : -EIO;
}

int uvs_pcap_out_open(struct uvs_pcap_out *o, const char *path, uint32_t snaplen)
{
	FILE *f;

	o->path = path;
	o->dumper = NULL;
	o->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)snaplen,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!o->dead)
		return -ENOMEM;
	f = fopen(path, "wb");
	if (!f) {
		int rc = -errno;

		pcap_close(o->dead);
		o->dead = NULL;
		return rc;
	}
	/* The dumper writes the file header at once; it owns f from here. */
	o->dumper = pcap_dump_fopen(o->dead, f);
	if (!o->dumper) {
		fclose(f);
		return -EIO;
	}
	return ferror(f) ? write_error() : 0;
}

int uvs_pcap_out_frame(struct uvs_pcap_out *o, uint32_t sec, uint32_t nsec, const uint8_t *data,
		       uint32_t len)
{
	/* With nanosecond precision the dumper stores tv_usec as nanoseconds. */
	struct pcap_pkthdr h = {
		.ts = { .tv_sec = sec, .tv_usec = nsec },
		.caplen = len,
		.len = len,
	};

	errno = 0;
	pcap_dump((u_char *)o->dumper, &h, data);
	return ferror(pcap_dump_file(o->dumper)) ? write_error() : 0;
}

int uvs_pcap_out_close(struct uvs_pcap_out *o)
{
	int rc = 0, fd;

	if (o->dumper) {
		errno = 0;
		if (pcap_dump_flush(o->dumper) != 0 || ferror(pcap_dump_file(o->dumper)))
			rc = write_error();
		/* pcap_dump_close() ignores fclose's result: a duplicate closed last still
		 * reports what a file system defers to close (NFS, quotas). */
		fd = dup(fileno(pcap_dump_file(o->dumper)));
		pcap_dump_close(o->dumper);
		o->dumper = NULL;
		if (fd >= 0 && close(fd) != 0 && !rc)
			rc = -errno;
	}
	if (o->dead) {
		pcap_close(o->dead);
		o->dead = NULL;
	}
	return rc;
}
