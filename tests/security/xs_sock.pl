#!/usr/bin/perl
# xs_sock.pl: a small dom0 client for the security tests, for what
# tests/sim/xs_raw cannot do: bytes that are not a valid request, and
# transactions retried the way a toolstack retries them. The socket is
# $XENSTORED_PATH. Every wait is bounded (an alarm ends the run).
#
#   xs_sock.pl raw HEX
#	Sends the bytes on a new connection, then reads until the daemon
#	closes it: prints "closed", or "open" if it is still open after 5 s.
#   xs_sock.pl noread PATH HOLD
#	READ PATH again and again on one connection, never reading a reply,
#	until the daemon stops taking requests (the socket stays full for
#	1 s) or 100000 are sent; prints "sent N" (flushed), then keeps the
#	connection open, still unread, for HOLD seconds.
#   xs_sock.pl tx COUNT READPATH WRITEPATH MAXTRIES
#	COUNT transactions, each: TRANSACTION_START, READ READPATH and
#	WRITE WRITEPATH in the transaction, TRANSACTION_END T; an EAGAIN
#	commit is retried from the start. Prints "attempts MAX TOTAL" (the
#	most one transaction needed, and all of them). Exit 1 if one needed
#	more than MAXTRIES, 3 on an I/O error or an unexpected reply.
use strict;
use warnings;
use IO::Socket::UNIX;

use constant {
	XS_READ => 2, XS_TRANSACTION_START => 6, XS_TRANSACTION_END => 7,
	XS_WRITE => 11, XS_ERROR => 16,
};

sub sock {
	my $s = IO::Socket::UNIX->new(Peer => $ENV{XENSTORED_PATH})
	    or die "connect $ENV{XENSTORED_PATH}: $!\n";
	return $s;
}

sub readn {
	my ($s, $n) = @_;
	my $buf = '';
	while (length($buf) < $n) {
		my $got = sysread($s, $buf, $n - length($buf), length($buf));
		die "read: " . (defined $got ? "end of file" : $!) . "\n"
		    unless $got;
	}
	return $buf;
}

my $req_id = 0;

# req(sock, type, tx, payload): the reply's (type, payload).
sub req {
	my ($s, $type, $tx, $payload) = @_;
	$req_id++;
	my $msg = pack('VVVV', $type, $req_id, $tx, length($payload)) .
	    $payload;
	defined syswrite($s, $msg) or die "write: $!\n";
	for (;;) {
		my ($rtype, $rid, $rtx, $len) = unpack('VVVV', readn($s, 16));
		my $body = $len ? readn($s, $len) : '';
		next if $rtype == 15;	# a watch event: not ours
		die "reply to request $rid, expected $req_id\n"
		    if $rid != $req_id;
		return ($rtype, $body);
	}
}

sub want_ok {
	my ($what, $type, $body) = @_;
	if ($type == XS_ERROR) {
		$body =~ s/\0.*//s;
		die "$what: ERROR $body\n";
	}
}

sub cmd_raw {
	my ($hex) = @_;
	my $s = sock();
	defined syswrite($s, pack('H*', $hex)) or die "write: $!\n";
	my $buf;
	local $SIG{ALRM} = sub { print "open\n"; exit 0 };
	alarm 5;
	while (sysread($s, $buf, 65536)) { }
	alarm 0;
	print "closed\n";
	return 0;
}

sub cmd_noread {
	my ($path, $hold) = @_;
	my $s = sock();
	$s->blocking(0);
	my $msg = pack('VVVV', XS_READ, 1, 0, length($path) + 1) . "$path\0";
	my ($sent, $off, $stuck) = (0, 0, 0);
	while ($sent < 100000 && $stuck < 100) {
		my $n = syswrite($s, $msg, length($msg) - $off, $off);
		if (!defined $n) {
			die "write: $!\n" unless $!{EAGAIN} || $!{EWOULDBLOCK};
			$stuck++;
			select(undef, undef, undef, 0.01);
			next;
		}
		$stuck = 0;
		$off += $n;
		if ($off == length($msg)) {
			$off = 0;
			$sent++;
		}
	}
	$| = 1;
	print "sent $sent\n";
	sleep $hold;
	return 0;
}

sub cmd_tx {
	my ($count, $rpath, $wpath, $maxtries) = @_;
	my $s = sock();
	my ($max, $total) = (0, 0);
	for my $i (1 .. $count) {
		my $tries = 0;
		for (;;) {
			$tries++;
			my ($t, $b) = req($s, XS_TRANSACTION_START, 0, "\0");
			want_ok('TRANSACTION_START', $t, $b);
			$b =~ s/\0.*//s;
			my $tx = $b;
			($t, $b) = req($s, XS_READ, $tx, "$rpath\0");
			want_ok("READ $rpath", $t, $b);
			($t, $b) = req($s, XS_WRITE, $tx, "$wpath\0$i");
			want_ok("WRITE $wpath", $t, $b);
			($t, $b) = req($s, XS_TRANSACTION_END, $tx, "T\0");
			last if $t != XS_ERROR;
			die "TRANSACTION_END: ERROR $b\n"
			    unless $b =~ /^EAGAIN/;
			last if $tries > $maxtries;
		}
		$total += $tries;
		$max = $tries if $tries > $max;
	}
	print "attempts $max $total\n";
	return $max > $maxtries ? 1 : 0;
}

$SIG{ALRM} = sub { print STDERR "xs_sock.pl: timed out\n"; exit 3 };
alarm 100;
my $cmd = shift @ARGV // '';
my $st = eval {
	if ($cmd eq 'raw' && @ARGV == 1) {
		cmd_raw(@ARGV);
	} elsif ($cmd eq 'noread' && @ARGV == 2) {
		cmd_noread(@ARGV);
	} elsif ($cmd eq 'tx' && @ARGV == 4) {
		cmd_tx(@ARGV);
	} else {
		print STDERR "usage: xs_sock.pl raw HEX | noread PATH HOLD | " .
		    "tx COUNT READPATH WRITEPATH MAXTRIES\n";
		2;
	}
};
if (!defined $st) {
	print STDERR "xs_sock.pl: $@";
	exit 3;
}
exit $st;
