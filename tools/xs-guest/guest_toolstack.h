/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The simulated toolstack's file operations on DIR/dom<N>/ (layout in
 * guest_sim.h): create a domain, change its state, destroy it. The
 * caller then sends "dom_exc" (guest_sim_control) after a state change or
 * a destruction, and INTRODUCE over the daemon's socket (guest_sock.h)
 * after a creation.
 *
 * Every change appears atomically to a daemon looking at the directory:
 * a new domain's directory is built under a temporary name and renamed
 * into place whole, the state file is replaced by rename, and a destroyed
 * domain's directory is renamed away before it is emptied.
 */
#ifndef TOOLS_XS_GUEST_GUEST_TOOLSTACK_H
#define TOOLS_XS_GUEST_GUEST_TOOLSTACK_H

#include <stdbool.h>

/*
 * Creates DIR/dom<domid>/ holding a zeroed 4096-byte page and state
 * "running"; with preset_reconnect the page's connection word (offset
 * 2068) is 1, as a dom0less builder leaves it. Binds no guest socket: a
 * guest process does that (guest_sim_open).
 * Errors: EEXIST (the domain exists), ENAMETOOLONG, errno of the file
 * calls; nothing is left behind on failure.
 */
int	guest_toolstack_create(const char *dir, unsigned int domid,
	    bool preset_reconnect);

/*
 * Replaces DIR/dom<domid>/state with state ("running", "shutdown" or
 * "dying"; no newline is written). Errors: EINVAL (another state),
 * ENOENT (no such domain), ENAMETOOLONG, errno of the file calls.
 */
int	guest_toolstack_set_state(const char *dir, unsigned int domid,
	    const char *state);

/*
 * Removes DIR/dom<domid>/ and the files in it (a guest socket included).
 * Errors: ENOENT (no such domain), ENOTEMPTY (it holds a subdirectory,
 * which the layout never has: left alone, renamed as .dead-dom<N>-<pid>),
 * ENAMETOOLONG, errno of the file calls.
 */
int	guest_toolstack_destroy(const char *dir, unsigned int domid);

#endif
