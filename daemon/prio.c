/* SPDX-License-Identifier: GPL-2.0-only */
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
 * Socket clients (the toolstack) get the same treatment for their own
 * contention: a TRANSACTION_START from a client with no open transaction
 * waits while a prioritised transaction would outrank the new one (it
 * would only fail at commit, after four round trips). Waiting clients are
 * let go one per loop turn, the one that lost most first, once nothing
 * outranks it, and at the latest after TX_WAIT_MAX_MS. Clients fighting
 * over one node thus run their transactions one after the other instead
 * of failing each other. A ring's request cannot wait this way (ringio
 * has already taken it off the ring); guests are held as above instead.
 *
 * State: d->prio_holding (some ring was held), d->prio_since_ms, and
 * d->tx_waiters (socket connections whose TRANSACTION_START waits).
 */
#include "daemon/conn.h"
#include "daemon/daemon.h"

#define PRIO_HOLD_MAX_MS	500
/*
 * A TRANSACTION_START waits at most this long: enough for the transaction
 * it waits for to finish (a few round trips), short enough that a client
 * driving several connections in lockstep, whose other connection holds
 * that transaction, only slows down and never stalls.
 */
#define TX_WAIT_MAX_MS		10

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

bool
prio_start_waits(struct daemon *d, struct conn *c)
{
	if (c->tx_wait_over) {
		c->tx_wait_over = false;
		return false;
	}
	if (c->ring != NULL || c->ntx > 0 || c->tx_waiting ||
	    !store_priority_outranks(d->store, c->tx_losses))
		return c->tx_waiting;
	c->tx_waiting = true;
	c->tx_wait_since = conn_now_ms();
	c->tx_wait_next = d->tx_waiters;
	d->tx_waiters = c;
	return true;
}

void
prio_forget(struct daemon *d, struct conn *c)
{
	struct conn **pp;

	if (!c->tx_waiting)
		return;
	for (pp = &d->tx_waiters; *pp != NULL; pp = &(*pp)->tx_wait_next) {
		if (*pp == c) {
			*pp = c->tx_wait_next;
			break;
		}
	}
	c->tx_waiting = false;
}

/* Lets the waiting client go: its START runs in the next turn. */
static void
release_waiter(struct daemon *d, struct conn *c)
{
	prio_forget(d, c);
	c->tx_wait_over = true;
	conn_again(d, c);
}

/*
 * One waiter per turn: the one that lost most (the longest waiting among
 * equals), if nothing outranks it now; and every waiter past its time.
 */
static void
check_waiters(struct daemon *d)
{
	struct conn *c, *next, *best = NULL;
	uint64_t now = conn_now_ms();

	for (c = d->tx_waiters; c != NULL; c = next) {
		next = c->tx_wait_next;
		if (now >= c->tx_wait_since + TX_WAIT_MAX_MS) {
			release_waiter(d, c);
			continue;
		}
		if (best == NULL || c->tx_losses > best->tx_losses ||
		    (c->tx_losses == best->tx_losses &&
		    c->tx_wait_since <= best->tx_wait_since))
			best = c;
	}
	if (best != NULL &&
	    !store_priority_outranks(d->store, best->tx_losses))
		release_waiter(d, best);
}

int
prio_timeout(struct daemon *d, int timeout)
{
	uint64_t now, end = UINT64_MAX;
	struct conn *c;

	if (timeout == 0 || (!d->prio_holding && d->tx_waiters == NULL))
		return timeout;
	if (d->prio_holding)
		end = d->prio_since_ms + PRIO_HOLD_MAX_MS;
	for (c = d->tx_waiters; c != NULL; c = c->tx_wait_next) {
		if (c->tx_wait_since + TX_WAIT_MAX_MS < end)
			end = c->tx_wait_since + TX_WAIT_MAX_MS;
	}
	now = conn_now_ms();
	return end <= now ? 0 : (int)(end - now);
}

void
prio_check(struct daemon *d)
{
	if (d->tx_waiters != NULL)
		check_waiters(d);
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
