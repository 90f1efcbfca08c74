/*
 * Holding guests back for a starving toolstack transaction (XSA-206).
 *
 * The store gives a transaction priority once its client has lost
 * several commits in a row: other commits that would change what it read
 * fail instead. Writes outside transactions cannot be refused that way,
 * so a guest writing a node without pause could still starve the
 * toolstack. While a privileged client's prioritised transaction is open,
 * the rings of unprivileged domains are therefore not read (their output
 * still flows); when the transaction ends they are serviced at once.
 *
 * The hold is bounded: after PRIO_HOLD_MAX_MS the priority is dropped and
 * the guests go on, so a toolstack that opened its transaction and went
 * idle cannot stop every guest. An unprivileged client's priority holds
 * nobody back (a guest must not be able to stall the others).
 *
 * State: d->prio_holding (some ring was held) and d->prio_since_ms.
 */
#include "daemon/conn.h"
#include "daemon/daemon.h"

#define PRIO_HOLD_MAX_MS	500

bool
prio_holds(struct daemon *d, const struct conn *c)
{
	if (c->who.priv || !store_priority_waiting(d->store))
		return false;
	if (!d->prio_holding) {
		d->prio_holding = true;
		d->prio_since_ms = conn_now_ms();
	}
	return true;
}

int
prio_timeout(struct daemon *d, int timeout)
{
	uint64_t now, end;

	if (!d->prio_holding || timeout == 0)
		return timeout;
	now = conn_now_ms();
	end = d->prio_since_ms + PRIO_HOLD_MAX_MS;
	return end <= now ? 0 : (int)(end - now);
}

void
prio_check(struct daemon *d)
{
	if (!d->prio_holding)
		return;
	if (store_priority_waiting(d->store)) {
		if (conn_now_ms() < d->prio_since_ms + PRIO_HOLD_MAX_MS)
			return;
		log_info("a starving transaction held the guests for %d ms: "
		    "its priority ends", PRIO_HOLD_MAX_MS);
		store_priority_drop(d->store);
	}
	d->prio_holding = false;
	domain_again_all(d);
}
