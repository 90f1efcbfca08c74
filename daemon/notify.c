/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Readiness for the service manager: sd_notify(3) from libsystemd, the one
 * file that includes it.
 *
 * READY=1 is sent once, by the process that serves (after the fork), when
 * the socket is being listened to, the hypervisor backend is up and the
 * pid file is written: a unit ordered after ours (xen-init-dom0, the
 * toolstack) may then talk to us at once. MAINPID names that process, so
 * systemd follows the daemon rather than a launch script that exited.
 * STOPPING=1 goes out when a signal asks us to stop. Without
 * $NOTIFY_SOCKET (no systemd, a test, Debian's SysV script) every call is
 * a no-op. Xen's unit says NotifyAccess=all because the notification does
 * not come from the process systemd started; ours does too.
 *
 * No state.
 */
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon/daemon.h"

void
notify_ready(struct daemon *d)
{
	int r;

	(void)d;
	r = sd_notifyf(0, "READY=1\nSTATUS=Serving xenstore clients\n"
	    "MAINPID=%lu", (unsigned long)getpid());
	if (r < 0)
		log_warn("cannot tell the service manager we are ready: %s",
		    strerror(-r));
	else if (r > 0)
		log_debug("told the service manager we are ready");
}

void
notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}
