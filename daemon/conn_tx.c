/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A connection's open transactions: the table from wire transaction id to
 * store transaction, and the count of commits the client lost in a row.
 *
 * State: a singly linked list of records talloc'ed under the connection;
 * each record is the talloc parent of its store transaction, so freeing a
 * record aborts the transaction, and freeing the connection aborts them
 * all.
 *
 * Invariants: ids are unique among a connection's open transactions and
 * never 0 (0 means "no transaction" on the wire); they count up from 1
 * and keep counting across RESET_WATCHES, as the C daemon's do. At most
 * CONN_TX_MAX are open, which bounds the list walks below.
 */
#include <errno.h>

#include "daemon/conn.h"

struct conn_tx {
	struct conn_tx	*next;
	uint32_t	 id;
	struct store_tx	*tx;
};

static struct conn_tx *
find(const struct conn *c, uint32_t id)
{
	struct conn_tx *t;

	for (t = c->txs; t != NULL; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

/* The link that points at transaction id, or NULL. */
static struct conn_tx **
find_link(struct conn *c, uint32_t id)
{
	struct conn_tx **pp;

	for (pp = &c->txs; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->id == id)
			return pp;
	return NULL;
}

int
conn_tx_start(struct daemon *d, struct conn *c, uint32_t *id)
{
	struct conn_tx *t;
	int err;

	if (c->ntx >= CONN_TX_MAX)
		return ENOSPC;
	t = talloc_zero(c, struct conn_tx);
	if (t == NULL)
		return ENOMEM;
	err = store_tx_start(d->store, &c->who, c->tx_losses, t, &t->tx);
	if (err != 0) {
		talloc_free(t);
		return err;
	}
	/* At most CONN_TX_MAX ids are taken: this ends quickly. */
	do {
		t->id = c->tx_next_id++;
	} while (t->id == 0 || find(c, t->id) != NULL);
	t->next = c->txs;
	c->txs = t;
	if (c->ntx++ == 0)
		c->tx_since_ms = conn_now_ms();
	*id = t->id;
	return 0;
}

struct store_tx *
conn_tx_find(const struct conn *c, uint32_t id)
{
	struct conn_tx *t;

	if (id == 0)
		return NULL;
	t = find(c, id);
	return t != NULL ? t->tx : NULL;
}

int
conn_tx_end(struct daemon *d, struct conn *c, uint32_t id, bool commit)
{
	struct conn_tx *t, **link;
	int err = 0;

	if (id == 0 || (link = find_link(c, id)) == NULL)
		return ENOENT;
	t = *link;
	*link = t->next;
	if (--c->ntx == 0)
		c->tx_since_ms = 0;
	if (commit) {
		err = store_tx_commit(d->store, t->tx);
		if (err == 0)
			c->tx_losses = 0;
		else if (err == EAGAIN && c->tx_losses < ~0u)
			c->tx_losses++;
	}
	talloc_free(t);
	return err;
}

void
conn_tx_reset(struct conn *c)
{
	struct conn_tx *t;

	while ((t = c->txs) != NULL) {
		c->txs = t->next;
		talloc_free(t);
	}
	c->ntx = 0;
	c->tx_since_ms = 0;
}
