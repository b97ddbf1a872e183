// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "link.h"

/* One ethtool request (SIOCETHTOOL) on ifname. */
static int ethtool(const char *ifname, struct ethtool_value *v)
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_data = (void *)v;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int uvs_link_gro_off(const char *ifname, bool *was_on)
{
	struct ethtool_value v = { .cmd = ETHTOOL_GGRO };
	int ret = ethtool(ifname, &v);

	*was_on = false;
	if (ret < 0)
		return ret;
	if (!v.data)
		return 0;
	v = (struct ethtool_value){ .cmd = ETHTOOL_SGRO, .data = 0 };
	if ((ret = ethtool(ifname, &v)) < 0)
		return ret;
	*was_on = true;
	return 0;
}

int uvs_link_gro_on(const char *ifname)
{
	struct ethtool_value v = { .cmd = ETHTOOL_SGRO, .data = 1 };

	return ethtool(ifname, &v);
}

int uvs_link_mtu(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd, ret;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, ifname);
	ret = ioctl(fd, SIOCGIFMTU, &ifr) < 0 ? -errno : ifr.ifr_mtu;
	close(fd);
	return ret;
}

uint32_t uvs_links_mtu(const char *const *ifnames, unsigned n)
{
	uint32_t max = 1500;

	for (unsigned i = 0; i < n; i++) {
		int mtu = uvs_link_mtu(ifnames[i]);

		if (mtu > 0 && (uint32_t)mtu > max)
			max = (uint32_t)mtu;
	}
	return max;
}
