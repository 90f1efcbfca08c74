/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ringpeek DOMID: prints, in one line, the state of a running guest's
 * xenstore ring page as dom0 sees it, for the real-Xen rig's HVM scenario
 * (tests/xen-vm/dom0-init.sh, docs/xen-vm.md):
 *
 *   features=0xf connection=0 error=0 idx=0,0,0,0 req=deadbeef rsp=deadbeef
 *
 * The page is found through the guest's HVM_PARAM_STORE_PFN (libxenctrl)
 * and mapped read-only (libxenforeignmemory); nothing is written. Each data
 * ring is summed up as "deadbeef" (every byte the ASCII pattern xstored's
 * reset scrubs with), "ff" (every byte 0xff: hvmloader's own fill, and
 * oxenstored's reset), "zero", or "mixed:<n>ff/<n>zero/<n>other".
 * Exit 0 when the page was read, 1 otherwise (with the reason on stderr).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xenforeignmemory.h>
#include <xen/hvm/params.h>
#include <xen/io/xs_wire.h>

static const char pattern[] = "deadbeef";

/* One word for a data ring's contents; out holds at least 64 bytes. */
static void
summarise(const char *ring, size_t len, char *out, size_t outlen)
{
	size_t i, ff = 0, zero = 0, beef = 0;

	for (i = 0; i < len; i++) {
		unsigned char b = (unsigned char)ring[i];

		if (b == 0xff)
			ff++;
		else if (b == 0)
			zero++;
		if (ring[i] == pattern[i % (sizeof(pattern) - 1)])
			beef++;
	}
	if (beef == len)
		snprintf(out, outlen, "deadbeef");
	else if (ff == len)
		snprintf(out, outlen, "ff");
	else if (zero == len)
		snprintf(out, outlen, "zero");
	else
		snprintf(out, outlen, "mixed:%zuff/%zuzero/%zudeadbeef/%zu",
		    ff, zero, beef, len);
}

int
main(int argc, char **argv)
{
	struct xenstore_domain_interface intf;
	xenforeignmemory_handle *fmem;
	xc_interface *xch;
	uint64_t pfn = 0;
	xen_pfn_t gfn;
	char *end, req[64], rsp[64];
	unsigned long domid;
	void *page;

	if (argc != 2 || (domid = strtoul(argv[1], &end, 10), *end != '\0') ||
	    domid >= DOMID_FIRST_RESERVED) {
		fprintf(stderr, "usage: ringpeek DOMID\n");
		return 2;
	}
	xch = xc_interface_open(NULL, NULL, 0);
	if (xch == NULL) {
		fprintf(stderr, "ringpeek: xc_interface_open: %s\n",
		    strerror(errno));
		return 1;
	}
	if (xc_hvm_param_get(xch, (uint32_t)domid, HVM_PARAM_STORE_PFN,
	    &pfn) != 0 || pfn == 0) {
		fprintf(stderr, "ringpeek: d%lu: no HVM_PARAM_STORE_PFN: %s\n",
		    domid, strerror(errno));
		xc_interface_close(xch);
		return 1;
	}
	xc_interface_close(xch);
	fmem = xenforeignmemory_open(NULL, 0);
	if (fmem == NULL) {
		fprintf(stderr, "ringpeek: xenforeignmemory_open: %s\n",
		    strerror(errno));
		return 1;
	}
	gfn = (xen_pfn_t)pfn;
	page = xenforeignmemory_map(fmem, (uint32_t)domid, PROT_READ, 1, &gfn,
	    NULL);
	if (page == NULL) {
		fprintf(stderr, "ringpeek: d%lu: cannot map pfn 0x%" PRIx64
		    ": %s\n", domid, pfn, strerror(errno));
		xenforeignmemory_close(fmem);
		return 1;
	}
	/* One snapshot: the guest may change the page while we print. */
	memcpy(&intf, page, sizeof(intf));
	xenforeignmemory_unmap(fmem, page, 1);
	xenforeignmemory_close(fmem);
	summarise(intf.req, sizeof(intf.req), req, sizeof(req));
	summarise(intf.rsp, sizeof(intf.rsp), rsp, sizeof(rsp));
	printf("features=0x%x connection=%u error=%u idx=%u,%u,%u,%u "
	    "req=%s rsp=%s\n", intf.server_features, intf.connection,
	    intf.error, intf.req_cons, intf.req_prod, intf.rsp_cons,
	    intf.rsp_prod, req, rsp);
	return 0;
}
