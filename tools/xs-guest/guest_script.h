/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xs-guest script language: one guest driven through many steps by a
 * test, without restarting (tools/xs-guest/README.md has the table).
 *
 * A script is lines of words. Words are separated by blanks; a word in
 * double quotes may hold blanks and the escapes \\ \" \n \t \0 \xHH (so a
 * value may hold any byte); "" is the empty word. A line whose first word
 * starts with # is a comment; blank lines are skipped. Relative paths
 * ("data/x") are sent as they are: the daemon resolves them under
 * /local/domain/<N>/.
 *
 *   write PATH VALUE          WRITE, wants OK
 *   read PATH                 READ, prints the value
 *   expect-read PATH VALUE    READ, wants exactly VALUE
 *   mkdir PATH | rm PATH      MKDIR | RM, want OK
 *   dir PATH                  DIRECTORY, prints the names, one a line
 *   getperms PATH             GET_PERMS, prints "n0 r5"
 *   setperms PATH PERM...     SET_PERMS, wants OK
 *   watch PATH TOKEN          WATCH, wants OK (the initial event queues)
 *   unwatch PATH TOKEN        UNWATCH, wants OK
 *   expect-event PATH TOKEN   waits for that event; others stay queued
 *   expect-no-event PATH TOKEN  round trip, then no such event queued
 *   events                    prints and drops every queued event
 *   drop-events               drops every queued event
 *   txstart                   TRANSACTION_START; later requests use it
 *   txcommit | txabort        TRANSACTION_END T | F, want OK; tx ends
 *   try-txcommit              TRANSACTION_END T; prints the reply, an
 *                             ERROR (EAGAIN) does not fail; the id ends
 *   reset-watches             RESET_WATCHES, wants OK; tx ends
 *   reconnect                 the reconnection handshake; tx ends
 *   req TYPE ARG...           any request, prints the reply; an ERROR
 *                             reply is printed, not a failure
 *   expect-error ERR CMD ARG...  runs a request command above (write ...
 *                             req) and wants the ERROR reply ERR
 *   raw HEX...                writes the bytes (hex, blanks allowed
 *                             between bytes) into the request ring as
 *                             they are, then notifies; no reply awaited
 *   poke OFFSET VALUE         stores a 32-bit word at OFFSET (a multiple
 *                             of 4; decimal or 0x hex) of the page; no
 *                             notify (a hostile guest's index games)
 *   recv                      waits for the next non-event packet and
 *                             prints "TYPE req_id tx_id strings..."
 *   sleep MS                  waits MS milliseconds
 *   timeout MS                sets the deadline of each later wait
 *   echo WORD...              prints the words
 *
 * Each step's wait is bounded by the connection's timeout; the script
 * stops at the first step that does not hold.
 */
#ifndef TOOLS_XS_GUEST_GUEST_SCRIPT_H
#define TOOLS_XS_GUEST_GUEST_SCRIPT_H

#include <stddef.h>
#include <stdio.h>

#include "tools/xs-guest/guest_conn.h"

#define GUEST_SCRIPT_WORDS	64	/* most words on one line */
#define GUEST_SCRIPT_LINE_MAX	65536	/* longest line, in bytes */

/*
 * Runs the script read from in (name: for messages, "FILE:LINE: ...")
 * over gc, printing what its steps print to out. Returns an enum
 * guest_status: GUEST_OK if every line held, else the first failure's
 * status (GUEST_FAILED, GUEST_USAGE for a syntax error, GUEST_BROKEN),
 * after printing its line number and reason on stderr.
 */
int	guest_script_run(struct guest_conn *gc, FILE *in, const char *name,
	    FILE *out);

/*
 * Splits line (NUL-terminated, changed in place) into at most max words:
 * argv[i] points into line, lens[i] is its length after unquoting (a
 * quoted word may hold NULs; each word is also NUL-terminated). A
 * comment word ends the line. Errors: EINVAL (an unterminated quote or a
 * bad escape), E2BIG (more than max words).
 */
int	guest_script_split(char *line, char **argv, size_t *lens, int max,
	    int *argc);

#endif
