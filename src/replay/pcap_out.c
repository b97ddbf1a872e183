// SPDX-License-Identifier: GPL-2.0-or-later
#include "replay/pcap_out.h"

#include <errno.h>
#include <pcap/pcap.h>

/* The pcap file format (pcap-savefile(5)): a file header (struct pcap_file_header),
 * then for each frame a record header and the frame's bytes, all in the writer's byte
 * order. This magic number says the timestamps are in seconds and nanoseconds. */
#define PCAP_MAGIC_NSEC 0xa1b23c4du

/* A record header as stored in the file (struct pcap_pkthdr is the in-memory form). */
struct pcap_record_header {
	uint32_t sec;
	uint32_t nsec;
	uint32_t caplen; /* bytes in the file */
	uint32_t len;	 /* bytes of the frame */
};

/* errno after a failed stdio call, which sets it when the write beneath fails. */
static int write_error(void)
{
	return errno ? -errno : -EIO;
}

static int put(struct uvs_pcap_out *o, const void *data, size_t len)
{
	errno = 0;
	if (len && fwrite(data, len, 1, o->f) != 1)
		return write_error();
	return 0;
}

int uvs_pcap_out_open(struct uvs_pcap_out *o, const char *path, uint32_t snaplen)
{
	const struct pcap_file_header h = {
		.magic = PCAP_MAGIC_NSEC,
		.version_major = PCAP_VERSION_MAJOR,
		.version_minor = PCAP_VERSION_MINOR,
		.snaplen = snaplen,
		.linktype = DLT_EN10MB,
	};

	o->path = path;
	o->f = fopen(path, "wb");
	if (!o->f)
		return -errno;
	return put(o, &h, sizeof(h));
}

int uvs_pcap_out_frame(struct uvs_pcap_out *o, uint32_t sec, uint32_t nsec, const uint8_t *data,
		       uint32_t len)
{
	const struct pcap_record_header h = { .sec = sec, .nsec = nsec, .caplen = len, .len = len };
	int rc = put(o, &h, sizeof(h));

	return rc < 0 ? rc : put(o, data, len);
}

int uvs_pcap_out_close(struct uvs_pcap_out *o)
{
	int rc = 0;

	if (!o->f)
		return 0;
	errno = 0;
	if (fflush(o->f) != 0 || ferror(o->f))
		rc = write_error();
	errno = 0;
	if (fclose(o->f) != 0 && !rc)
		rc = write_error();
	o->f = NULL;
	return rc;
}
