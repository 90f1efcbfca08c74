# SPDX-License-Identifier: GPL-2.0-only
# xstored: one non-recursive Makefile.
#
# Targets
#   make              build the daemon ($(BUILD)/xstored, linked to ./xstored)
#   make test         everything CI runs: check with gcc, check under
#                     ASan+UBSan, valgrind (unit, integration, sim and
#                     security suites), a clang build, the .deb, 60 s per fuzz
#                     harness, the Xen VM test
#   make check        layering check, SPDX licence lines (tests/check-spdx.sh),
#                     unit tests (Check), integration tests,
#                     operations tests (tests/ops: start-up, logs, control),
#                     simulated guests (tests/sim), one hostile guest per
#                     security advisory (tests/security), live update
#                     (tests/lu), benchmark and fuzz smoke runs, the
#                     model checks (make model), the differential
#                     tester (make diff)
#   make sim          simulated-guest tests only (tests/sim/run.sh)
#   make model        spin model checks of the ring reconnection handshake
#                     (tests/model/run.sh; needs spin and gcc, no build)
#   make security     the per-advisory tests only (tests/security/run.sh)
#   make lu           live-update tests only (tests/lu/run.sh)
#   make valgrind     unit, integration, sim and security suites under memcheck
#   make xen-vm-test  a real Xen 4.17 + dom0 + guests under QEMU (tests/xen-vm)
#   make demo         start xstored in a temp dir and drive it with Debian's clients
#   make unit         unit tests only
#   make diff         the differential tester (tests/diff): seeds
#                     DIFF_SEEDS (1-10), DIFF_STEPS (2000) steps each, sent
#                     to Debian's C xenstored 4.17 and to xstored, every
#                     reply and event compared; part of check; ends with
#                     "N passed, M failed" (seeds). By hand:
#                     tests/diff/run.sh --ref c|ox --seeds A-B --steps N
#   make integration  integration tests only (Debian's xenstore-* clients)
#   make ops          operations tests only (tests/ops/run.sh)
#   make deb          build the Debian package in a temporary copy of the
#                     tree, check it, leave it in $(BUILD)/deb (tests/ops/deb.sh)
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan (objects in build-san/)
#   make install      the binary, the systemd unit, the man page: PREFIX (/usr),
#                     DESTDIR (), SBINDIR, MANDIR, SYSTEMDUNITDIR (Debian's
#                     /lib/systemd/system when PREFIX is /usr)
#   make clean
#
# Variables
#   CC        compiler (gcc or clang; both must build with no warnings)
#   DIFF_SEEDS, DIFF_STEPS  the seeds and steps of make diff
#   BUILD     object directory (build, or build-san when SANITIZE=1)
#   SANITIZE  1 = -fsanitize=address,undefined
#   WERROR    -Werror by default; WERROR= turns warnings back into warnings
#   CPPFLAGS, LDFLAGS  added as given (dpkg-buildflags' hardening)
#
# Layout: protocol/, store/, ringio/, state/ and oxconf/ are static
# libraries that include nothing from daemon/; each unit test links only the
# library it tests
# (tests/unit/<lib>/<file>_test.c tests <lib>/<file>.c).

CC       ?= cc
PREFIX   ?= /usr
SANITIZE ?=
WERROR   ?= -Werror

# The real-Xen rig's negative control (tests/xen-vm, docs/xen-vm.md): an
# xstored whose ring reset never clears the connection word, so that a
# guest waiting for the reset (hvmloader) hangs. Built by xen-vm-test only.
BROKEN_RECONNECT ?=
ifeq ($(BROKEN_RECONNECT),1)
BUILD    ?= build-broken
BROKENFLAGS := -DXSTORED_BROKEN_KEEP_CONNECTION_WORD
endif

ifeq ($(SANITIZE),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD    ?= build
SANFLAGS :=
endif

WARN     := -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
	    -Wmissing-prototypes -Wpointer-arith -Wcast-qual
CFLAGS   ?= -O2 -g
ALLCFLAGS = -std=gnu11 $(CPPFLAGS) $(CFLAGS) $(WARN) $(SANFLAGS) $(BROKENFLAGS) \
	    -I. -MMD -MP \
	    $(shell pkg-config --cflags talloc)
LDLIBS_TALLOC := $(shell pkg-config --libs talloc)
LDLIBS_CHECK  := $(shell pkg-config --libs check)
LDLIBS_SYSTEMD := $(shell pkg-config --libs libsystemd)
# The real-Xen backend (daemon/hypervisor_xen.c).
LDLIBS_XEN    := $(shell pkg-config --libs xenevtchn xengnttab xenforeignmemory xencontrol)

# The version --version prints: the top entry of debian/changelog.
VERSION  := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog 2>/dev/null)
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)

PROTOCOL_SRCS := $(wildcard protocol/*.c)
STORE_SRCS    := $(wildcard store/*.c)
RINGIO_SRCS   := $(wildcard ringio/*.c)
STATE_SRCS    := $(wildcard state/*.c)
OXCONF_SRCS   := $(wildcard oxconf/*.c)
XSGUEST_SRCS  := $(wildcard tools/xs-guest/guest_*.c)
DAEMON_SRCS   := $(wildcard daemon/*.c)

PROTOCOL_LIB  := $(BUILD)/libprotocol.a
STORE_LIB     := $(BUILD)/libstore.a
RINGIO_LIB    := $(BUILD)/libringio.a
STATE_LIB     := $(BUILD)/libstate.a
OXCONF_LIB    := $(BUILD)/liboxconf.a
XSGUEST_LIB   := $(BUILD)/libxsguest.a

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))

.PHONY: all check unit integration ops deb layering spdx clean install test demo valgrind
all: $(BUILD)/xstored xstored $(BUILD)/xs-guest

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(PROTOCOL_LIB): $(call objs,$(PROTOCOL_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(STORE_LIB): $(call objs,$(STORE_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(RINGIO_LIB): $(call objs,$(RINGIO_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

# Xen's live-update stream, version 1 (state/stream.h): no I/O.
$(STATE_LIB): $(call objs,$(STATE_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

# oxenstored.conf's parser (no I/O): the daemon and its unit test link it.
$(OXCONF_LIB): $(call objs,$(OXCONF_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

# The guest simulator (tools/xs-guest): a library its unit tests link.
$(XSGUEST_LIB): $(call objs,$(XSGUEST_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/xs-guest: $(call objs,tools/xs-guest/main.c) $(XSGUEST_LIB) $(RINGIO_LIB) $(PROTOCOL_LIB)
	$(CC) $(ALLCFLAGS) -o $@ $^

$(BUILD)/xstored: $(call objs,$(DAEMON_SRCS)) $(OXCONF_LIB) $(STORE_LIB) $(STATE_LIB) \
	    $(RINGIO_LIB) $(PROTOCOL_LIB)
	$(CC) $(ALLCFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_TALLOC) $(LDLIBS_SYSTEMD) $(LDLIBS_XEN)

# Only these two print the version; they rebuild when it changes.
$(BUILD)/daemon/main.o $(BUILD)/daemon/options.o: debian/changelog
$(BUILD)/daemon/main.o $(BUILD)/daemon/options.o: ALLCFLAGS += -DXSTORED_VERSION='"$(VERSION)"'

# A convenience link at the top for the README's commands.
xstored: $(BUILD)/xstored
	ln -sf $(BUILD)/xstored $@

# Unit tests: one binary per test source, linked with its own library only.
PROTOCOL_TESTS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/unit/protocol/*_test.c))
STORE_TESTS    := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/unit/store/*_test.c))
RINGIO_TESTS   := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/unit/ringio/*_test.c))
XSGUEST_TESTS  := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/unit/xsguest/*_test.c))
STATE_TESTS    := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/unit/state/*_test.c))
OXCONF_TESTS   := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/unit/oxconf/*_test.c))
UNIT_TESTS     := $(PROTOCOL_TESTS) $(STORE_TESTS) $(RINGIO_TESTS) $(XSGUEST_TESTS) \
		  $(STATE_TESTS) $(OXCONF_TESTS)

$(BUILD)/tests/unit/protocol/%: tests/unit/protocol/%.c $(PROTOCOL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_TALLOC) $(LDLIBS_CHECK)

$(BUILD)/tests/unit/store/%: tests/unit/store/%.c $(STORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_TALLOC) $(LDLIBS_CHECK)

$(BUILD)/tests/unit/ringio/%: tests/unit/ringio/%.c $(RINGIO_LIB) $(PROTOCOL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_TALLOC) $(LDLIBS_CHECK)

$(BUILD)/tests/unit/state/%: tests/unit/state/%.c $(STATE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_TALLOC) $(LDLIBS_CHECK)

$(BUILD)/tests/unit/oxconf/%: tests/unit/oxconf/%.c $(OXCONF_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_TALLOC) $(LDLIBS_CHECK)

$(BUILD)/tests/unit/xsguest/%: tests/unit/xsguest/%.c $(XSGUEST_LIB) $(RINGIO_LIB) $(PROTOCOL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_TALLOC) $(LDLIBS_CHECK)

# Integration test programs of our own (raw socket client etc.): no library.
INTEG_PROGS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/integration/*.c))
$(BUILD)/tests/integration/%: tests/integration/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $< $(LDLIBS_CHECK)

# Operations tests: helper programs of their own, no library.
OPS_PROGS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/ops/*.c))
$(BUILD)/tests/ops/%: tests/ops/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $<

layering:
	@tests/check-layering.sh

# Every tracked source file starts with its SPDX-License-Identifier line
# (scripts/add-spdx.sh adds missing ones).
spdx:
	@tests/check-spdx.sh

unit: layering $(UNIT_TESTS)
	@tests/run-unit.sh $(UNIT_TESTS)

# Simulator tests: guests over simulated ring pages (tests/sim/run.sh), with
# their raw dom0 client (tests/sim/xs_raw.c, no library).
SIM_PROGS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/sim/*.c))
$(BUILD)/tests/sim/%: tests/sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $<

.PHONY: sim
sim: $(BUILD)/xstored $(BUILD)/xs-guest $(SIM_PROGS)
	@XSTORED=$(abspath $(BUILD)/xstored) BUILD=$(abspath $(BUILD)) tests/sim/run.sh

# Security tests: one hostile guest or dom0 client per xenstore advisory
# (tests/security/run.sh, docs/security.md).
.PHONY: security
security: $(BUILD)/xstored $(BUILD)/xs-guest $(SIM_PROGS)
	@XSTORED=$(abspath $(BUILD)/xstored) BUILD=$(abspath $(BUILD)) tests/security/run.sh

# Live update (tests/lu/run.sh, docs/live-update.md): xstored replacing
# itself with socket clients and simulated guests attached, the refusals,
# and the chain with Debian's C xenstored 4.17 (under bench/xenshim.so).
.PHONY: lu
lu: $(BUILD)/xstored $(BUILD)/xs-guest $(SIM_PROGS) $(BUILD)/bench/xenshim.so
	@XSTORED=$(abspath $(BUILD)/xstored) BUILD=$(abspath $(BUILD)) tests/lu/run.sh

integration: $(BUILD)/xstored $(INTEG_PROGS)
	@XSTORED=$(abspath $(BUILD)/xstored) BUILD=$(abspath $(BUILD)) tests/integration/run.sh

ops: $(BUILD)/xstored $(OPS_PROGS)
	@XSTORED=$(abspath $(BUILD)/xstored) BUILD=$(abspath $(BUILD)) tests/ops/run.sh

check: spdx unit integration ops sim security lu

deb:
	@tests/ops/deb.sh $(abspath $(BUILD))/deb

# Valgrind memcheck: the unit tests (no fork, so leaks are seen), then the
# integration, simulator and security suites with every daemon they start
# under tests/valgrind/memcheck.sh (XSTORED_WRAP): any memcheck error or
# definite or indirect leak at the daemon's SIGTERM exit fails that test,
# whose valgrind log is printed. Their timeouts are multiplied by
# VALGRIND_TIME_FACTOR (XS_TIME_FACTOR in the runners); the limits the
# tests check are not (tests/security/run.sh says why its timing checks
# still hold). Nothing is skipped or shrunk: on two cores the integration
# and sim suites add 3 minutes (idle) to 4.5 (loaded) to the unit tests'
# one; the heaviest, tests/sim's ten thousand reconnections, takes 45-75 s
# of it (SIM_RECONNECTS=2000 would shrink it). The security suite, every
# advisory's test, adds about a minute (52-55 s idle, 72-99 s loaded; 30 s
# without valgrind): none is long enough to be worth leaving out.
VALGRIND_TIME_FACTOR ?= 10
VALGRIND_RUN = XSTORED_WRAP=$(abspath tests/valgrind/memcheck.sh) \
	       XS_TIME_FACTOR=$(VALGRIND_TIME_FACTOR) \
	       XSTORED=$(abspath $(BUILD)/xstored) BUILD=$(abspath $(BUILD))
valgrind: layering $(UNIT_TESTS) $(BUILD)/xstored $(BUILD)/xs-guest $(INTEG_PROGS) $(SIM_PROGS)
	@CK_FORK=no VALGRIND="valgrind -q --error-exitcode=1 --leak-check=full \
	    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect" \
	    tests/run-unit.sh $(UNIT_TESTS)
	@$(VALGRIND_RUN) tests/integration/run.sh
	@$(VALGRIND_RUN) tests/sim/run.sh
	@$(VALGRIND_RUN) tests/security/run.sh

# Fuzzing (tests/fuzz/README.md): libFuzzer harnesses built with clang into
# build-fuzz/ (every library and daemon source but main.c, instrumented,
# in one archive each harness takes what it needs from). `make fuzz` replays
# the regressions and seed corpus, then runs each harness FUZZ_SECONDS;
# `make fuzz-replay` only replays (part of `check`).
FUZZ_CC        ?= clang
FUZZ_BUILD     := build-fuzz
FUZZ_SECONDS   ?= 60
FUZZ_HARNESSES := framer args ring request state
FUZZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all \
		  -fno-omit-frame-pointer
FUZZ_CFLAGS     = -std=gnu11 -O1 -g $(WARN) $(FUZZ_SAN) -I. -MMD -MP \
		  $(shell pkg-config --cflags talloc)
FUZZ_LIB_SRCS  := $(PROTOCOL_SRCS) $(STORE_SRCS) $(RINGIO_SRCS) $(STATE_SRCS) \
		  $(OXCONF_SRCS) \
		  $(filter-out daemon/main.c,$(DAEMON_SRCS)) tests/fuzz/world.c
FUZZ_LIB       := $(FUZZ_BUILD)/libfuzzed.a
FUZZ_BINS      := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_HARNESSES))

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

# store.c walks a table of every domid in store_create/destroy/check, once
# or twice per input: comparison tracing there would cost more than the
# rest of a run, and it holds no input-driven comparisons worth learning.
$(FUZZ_BUILD)/store/store.o: FUZZ_CFLAGS += -fno-sanitize-coverage=trace-cmp

$(FUZZ_LIB): $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(FUZZ_LIB_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ \
	    $(LDLIBS_TALLOC) $(LDLIBS_SYSTEMD) $(LDLIBS_XEN)

.PHONY: fuzz fuzz-replay
.SECONDARY: $(patsubst %,$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o,$(FUZZ_HARNESSES))
fuzz-replay: $(FUZZ_BINS)
	@tests/fuzz/run.sh replay $(FUZZ_BUILD) $(FUZZ_HARNESSES)

fuzz: fuzz-replay
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh fuzz $(FUZZ_BUILD) $(FUZZ_HARNESSES)

# The crashers and seeds run once in every check (about a second once built).
check: fuzz-replay

.PHONY: fuzz-clean
clean: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)

-include $(shell find $(FUZZ_BUILD) -name '*.d' -type f 2>/dev/null)

test:
	$(MAKE) check
	$(MAKE) check SANITIZE=1
	$(MAKE) valgrind
	$(MAKE) CC=clang BUILD=build-clang all unit
	$(MAKE) deb
	$(MAKE) fuzz
	$(MAKE) xen-vm-test

demo: $(BUILD)/xstored
	@scripts/demo.sh

# The unit names /usr/sbin/xstored; another SBINDIR is written into it.
install: $(BUILD)/xstored
	install -D -m 0755 $(BUILD)/xstored $(DESTDIR)$(SBINDIR)/xstored
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MANDIR)/man8
	sed 's|/usr/sbin/xstored|$(SBINDIR)/xstored|' systemd/xstored.service \
	    >$(DESTDIR)$(SYSTEMDUNITDIR)/xstored.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/xstored.service
	install -m 0644 docs/xstored.8 $(DESTDIR)$(MANDIR)/man8/xstored.8

clean:
	rm -rf build build-san build-clang build-broken xstored

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)

# Benchmarks (issue 7, bench/): the raw pipelined client, the libxenstore
# client, the null server, the LD_PRELOAD shim that lets Debian's 4.17
# xenstored and oxenstored run without Xen, and the ring reconnection client
# (xsreconn, simulated guests).  `make bench` runs every
# workload 5 times against xstored, both references and the null server and
# writes $(BUILD)/bench/results.md (a few minutes); `make check` runs each
# workload once at a small size (bench-smoke: seconds, asserts only that
# numbers came out, never timings).
BENCH_PROGS := $(BUILD)/bench/xsbench $(BUILD)/bench/xsbench-lib \
	       $(BUILD)/bench/nullsrv $(BUILD)/bench/xenshim.so \
	       $(BUILD)/bench/xsreconn
BENCH_ENV    = BENCH_BIN=$(abspath $(BUILD)/bench) XSTORED=$(abspath $(BUILD)/xstored) \
	       XSGUEST=$(abspath $(BUILD)/xs-guest)

$(BUILD)/bench/xsbench: $(call objs,bench/xsbench.c bench/common.c)
	$(CC) $(ALLCFLAGS) -pthread -o $@ $^

$(BUILD)/bench/xsbench-lib: $(call objs,bench/xsbench-lib.c bench/common.c)
	$(CC) $(ALLCFLAGS) -o $@ $^ -lxenstore

$(BUILD)/bench/nullsrv: $(call objs,bench/nullsrv.c)
	$(CC) $(ALLCFLAGS) -o $@ $^

# Reconnection handshakes over simulated rings (bench/reconn.sh), with
# ringio's own ring accesses.
$(BUILD)/bench/xsreconn: $(call objs,bench/xsreconn.c bench/common.c) $(RINGIO_LIB)
	$(CC) $(ALLCFLAGS) -o $@ $^

# Preloaded into Xen's daemons: never sanitized (ASan must load first).
$(BUILD)/bench/xenshim.so: bench/xenshim.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(CFLAGS) $(WARN) -fPIC -shared -o $@ $< -ldl

.PHONY: bench bench-smoke
bench: $(BUILD)/xstored $(BUILD)/xs-guest $(BENCH_PROGS)
	$(BENCH_ENV) bench/bench.sh --runs 5 --out $(BUILD)/bench/results.md
	@cat $(BUILD)/bench/results.md

bench-smoke: $(BUILD)/xstored $(BUILD)/xs-guest $(BENCH_PROGS)
	@$(BENCH_ENV) bench/bench.sh --smoke --out $(BUILD)/bench/smoke.md

check: bench-smoke

# Model checks of the ring reconnection handshake (tests/model/reconnect.pml,
# docs/ring.md): spin searches every interleaving of ringio's reset and a
# guest, for the real order and for six broken ones that must be caught
# (10-20 s, about half of it compiling the verifiers). The verifiers, their
# reports and any error trail are left in $(BUILD)/model.
.PHONY: model
model:
	@MODEL_OUT=$(abspath $(BUILD))/model tests/model/run.sh

check: model

# The differential tester (tests/diff/README.md): xsdiff replays seeded
# random request sequences against Debian's C xenstored (through
# xenshim.so) and xstored and compares every reply and watch event; any
# difference not in tests/diff/allow-c.txt fails. 10 seeds x 2,000 steps.
DIFF_SEEDS ?= 1-10
DIFF_STEPS ?= 2000
$(BUILD)/tests/diff/xsdiff: $(call objs,tests/diff/xsdiff.c tests/diff/gen.c)
	$(CC) $(ALLCFLAGS) -o $@ $^

.PHONY: diff
diff: $(BUILD)/xstored $(BUILD)/tests/diff/xsdiff $(BUILD)/bench/xenshim.so
	@BUILD=$(abspath $(BUILD)) tests/diff/run.sh --ref c \
	    --seeds $(DIFF_SEEDS) --steps $(DIFF_STEPS)

check: diff

# A real Xen 4.17 under QEMU (tests/xen-vm, docs/xen-vm.md): one boot per
# daemon in XEN_VM_DAEMONS (Debian's xenstored, oxenstored, xstored, and
# xstored built with BROKEN_RECONNECT=1 as the negative control); xl creates
# PV and HVM guests (hvmloader, SeaBIOS, Debian's kernel as an HVM guest).
# Downloads the kernel, hypervisor and device-model packages into
# $(BUILD)/xen-vm/cache. ringpeek reads a guest's ring page from dom0.
.PHONY: xen-vm-test
$(BUILD)/tests/xen-vm/ringpeek: tests/xen-vm/ringpeek.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $< $(shell pkg-config --libs xenforeignmemory xencontrol)

xen-vm-test: $(BUILD)/xstored $(BUILD)/tests/xen-vm/ringpeek
	$(MAKE) BROKEN_RECONNECT=1 build-broken/xstored
	XSTORED=$(abspath $(BUILD)/xstored) XSTORED_BROKEN=$(abspath build-broken/xstored) \
	    RINGPEEK=$(abspath $(BUILD)/tests/xen-vm/ringpeek) \
	    XEN_VM_OUT=$(abspath $(BUILD)/xen-vm) tests/xen-vm/build.sh
	XEN_VM_OUT=$(abspath $(BUILD)/xen-vm) tests/xen-vm/run.sh
