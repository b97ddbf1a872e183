// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen: the frame benchmarks' traffic generator. Sends 64-byte Ethernet/IPv4/UDP frames
 * (60 bytes plus the FCS a wire would add; --size N: N bytes, 60 to 1514) on one link
 * with AF_PACKET and sendmmsg, over many flows, until a time or a count is reached, at
 * full speed or at a rate.
 *
 *   gen --if IF --src-mac M --dst-mac M --src IP --dst IP --dport N
 *       [--flows N] [--sports N] [--seconds S] [--count N] [--rate FPS] [--burst N]
 *       [--repeat] [--size N]
 *
 * Flow i (0 <= i < flows) has source port 1024 + i % sports and source address
 * src + i / sports (so 1,000,000 flows fit with sports 50000). Flows are sent in turn,
 * 0, 1, ... flows-1, 0, ...; without --repeat the run stops after each flow's one frame.
 * At a rate, frames go in bursts of --burst (default 16, at most 64); 1 spaces every
 * frame out, so that a receiver that sleeps wakes for each one.
 * Prints "sent N seconds T fps R cpu_ns C" (T from the first to the last send; C the
 * thread's CPU time inside sendmmsg(), which includes the receive processing the kernel
 * did in those calls: on veth, the softirq of the receiving side; not the pacing).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIN_FRAME 60
#define MAX_FRAME 1514 /* a 1500-byte IP packet */
/* The room of a frame of size bytes, 2 bytes into it: whole lines. */
#define SLOT_FOR(size) (((size) + 2 + 63) / 64 * 64)
#define BATCH	       64

struct opts {
	const char *ifname;
	uint8_t src_mac[6], dst_mac[6];
	uint32_t src, dst; /* host order */
	uint16_t dport;
	uint64_t flows, sports, count;
	double seconds, rate;
	unsigned burst;
	bool repeat;
	unsigned size; /* of a frame, without the FCS */
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The calling thread's CPU time in ns (the scheduler's precise sum). */
static unsigned long long thread_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned v[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t sum16(const void *p, size_t n, uint32_t sum)
{
	const uint8_t *b = p;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

/* Writes flow i's frame into f, checksums included (NAT checks the UDP one). */
static void build(const struct opts *o, uint64_t i, uint8_t *f)
{
	struct iphdr *ip = (struct iphdr *)(f + 14);
	struct udphdr *udp = (struct udphdr *)(f + 34);
	uint16_t ulen = (uint16_t)(o->size - 34);
	uint32_t sum;

	memset(f, 0, o->size);
	memcpy(f, o->dst_mac, 6);
	memcpy(f + 6, o->src_mac, 6);
	f[12] = 0x08;
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)(o->size - 14));
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = htonl(o->src + (uint32_t)(i / o->sports));
	ip->daddr = htonl(o->dst);
	ip->check = htons((uint16_t)~fold(sum16(ip, 20, 0)));
	udp->source = htons((uint16_t)(1024 + i % o->sports));
	udp->dest = htons(o->dport);
	udp->len = htons(ulen);
	memcpy(f + 42, "uvs-bench-frame", 15);
	/* Pseudo-header, then the datagram. */
	sum = sum16(&ip->saddr, 8, IPPROTO_UDP + ulen);
	sum = fold(sum16(udp, ulen, sum));
	udp->check = htons(sum == 0xffff ? 0xffff : (uint16_t)~sum);
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "if", 1, NULL, 'i' },	   { "src-mac", 1, NULL, 'm' }, { "dst-mac", 1, NULL, 'M' },
		{ "src", 1, NULL, 's' },   { "dst", 1, NULL, 'd' },	{ "dport", 1, NULL, 'p' },
		{ "flows", 1, NULL, 'f' }, { "sports", 1, NULL, 'P' },	{ "seconds", 1, NULL, 't' },
		{ "count", 1, NULL, 'c' }, { "rate", 1, NULL, 'r' },	{ "repeat", 0, NULL, 'R' },
		{ "burst", 1, NULL, 'b' }, { "size", 1, NULL, 'z' },	{ NULL, 0, NULL, 0 },
	};
	struct in_addr a;
	int c;

	*o = (struct opts){ .flows = 10000,
			    .sports = 50000,
			    .seconds = 1e9,
			    .count = UINT64_MAX,
			    .burst = 16,
			    .size = MIN_FRAME };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'm':
		case 'M':
			if (parse_mac(optarg, c == 'm' ? o->src_mac : o->dst_mac) < 0)
				return -1;
			break;
		case 's':
		case 'd':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				return -1;
			*(c == 's' ? &o->src : &o->dst) = ntohl(a.s_addr);
			break;
		case 'p':
			o->dport = (uint16_t)atoi(optarg);
			break;
		case 'f':
			o->flows = strtoull(optarg, NULL, 10);
			break;
		case 'P':
			o->sports = strtoull(optarg, NULL, 10);
			break;
		case 't':
			o->seconds = atof(optarg);
			break;
		case 'c':
			o->count = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			o->rate = atof(optarg);
			break;
		case 'R':
			o->repeat = true;
			break;
		case 'b':
			o->burst = (unsigned)atoi(optarg);
			break;
		case 'z':
			o->size = (unsigned)atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (!o->ifname || !o->dst || !o->flows || !o->sports || o->sports > 64512 || !o->burst ||
	    o->burst > BATCH || o->size < MIN_FRAME || o->size > MAX_FRAME)
		return -1;
	/* The bounds: without --repeat each flow once; never run without an end. */
	if (!o->repeat && o->count > o->flows)
		o->count = o->flows;
	if (o->seconds > 600)
		o->seconds = 600;
	return 0;
}

int main(int argc, char **argv)
{
	/* Each frame starts 2 bytes into a slot of whole lines (one for the default size),
	 * so its IP header is 4-byte aligned. */
	static uint8_t slots[BATCH * SLOT_FOR(MAX_FRAME)] __attribute__((aligned(64)));
	size_t stride;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	struct opts o;
	uint64_t sent = 0, next = 0;
	double start, end, last = 0;
	unsigned long long cpu = 0;
	int fd, one = 1;

	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: gen --if IF --src-mac M --dst-mac M --src IP --dst IP "
				"--dport N [--flows N] [--sports N] [--seconds S] [--count N] "
				"[--rate FPS] [--burst N] [--repeat] [--size 60..1514]\n");
		return 2;
	}
	stride = SLOT_FOR(o.size);
	fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, receive nothing */
	if (fd < 0) {
		perror("gen: socket");
		return 1;
	}
	ll.sll_ifindex = (int)if_nametoindex(o.ifname);
	ll.sll_halen = 6;
	memcpy(ll.sll_addr, o.dst_mac, 6);
	if (!ll.sll_ifindex) {
		fprintf(stderr, "gen: no link %s\n", o.ifname);
		return 1;
	}
	/* Straight to the driver, as a NIC generator would: no qdisc in the way. */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	for (int k = 0; k < BATCH; k++) {
		iov[k] = (struct iovec){ .iov_base = slots + k * stride + 2, .iov_len = o.size };
		msg[k].msg_hdr = (struct msghdr){ .msg_name = &ll,
						  .msg_namelen = sizeof(ll),
						  .msg_iov = &iov[k],
						  .msg_iovlen = 1 };
	}
	start = now_s();
	end = start + o.seconds;
	while (sent < o.count) {
		unsigned n = BATCH;
		double t = now_s();
		int r;

		if (t >= end)
			break;
		if (o.rate > 0) {
			/* Paced in bursts, of 16 by default so a modest rate stays steady. */
			double due = start + (double)sent / o.rate;
			n = o.burst;
			if (t < due) {
				struct timespec d = { 0, (long)((due - t) * 1e9) };
				nanosleep(&d, NULL);
			}
		}
		if (n > o.count - sent)
			n = (unsigned)(o.count - sent);
		for (unsigned k = 0; k < n; k++) {
			build(&o, next, slots + k * stride + 2);
			next = next + 1 == o.flows ? 0 : next + 1;
		}
		cpu -= thread_cpu_ns();
		r = sendmmsg(fd, msg, n, 0);
		cpu += thread_cpu_ns();
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue; /* the link is full: the same flows again */
			perror("gen: sendmmsg");
			return 1;
		}
		/* Frames not taken are sent again as the next flows' turn comes. */
		next = (next + o.flows - (unsigned)(n - (unsigned)r)) % o.flows;
		sent += (unsigned)r;
		last = now_s();
	}
	if (last <= start)
		last = now_s();
	printf("sent %llu seconds %.3f fps %.0f cpu_ns %llu\n", (unsigned long long)sent,
	       last - start, (double)sent / (last - start), cpu);
	close(fd);
	return 0;
}
