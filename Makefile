# xstored: one non-recursive Makefile.
#
# Targets
#   make              build the daemon ($(BUILD)/xstored, linked to ./xstored)
#   make test         everything CI runs: check with gcc, check under
#                     ASan+UBSan, unit tests under valgrind, a clang build
#   make check        layering check, unit tests (Check), integration tests,
#                     operations tests (tests/ops: start-up, logs, control)
#   make demo         start xstored in a temp dir and drive it with Debian's clients
#   make unit         unit tests only
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
#   BUILD     object directory (build, or build-san when SANITIZE=1)
#   SANITIZE  1 = -fsanitize=address,undefined
#   WERROR    -Werror by default; WERROR= turns warnings back into warnings
#   CPPFLAGS, LDFLAGS  added as given (dpkg-buildflags' hardening)
#
# Layout: protocol/, store/ (and later ringio/) are static libraries that
# include nothing from daemon/; each unit test links only the library it tests
# (tests/unit/<lib>/<file>_test.c tests <lib>/<file>.c).

CC       ?= cc
PREFIX   ?= /usr
SANITIZE ?=
WERROR   ?= -Werror

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
ALLCFLAGS = -std=gnu11 $(CPPFLAGS) $(CFLAGS) $(WARN) $(SANFLAGS) -I. -MMD -MP \
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
XSGUEST_SRCS  := $(wildcard tools/xs-guest/guest_*.c)
DAEMON_SRCS   := $(wildcard daemon/*.c)

PROTOCOL_LIB  := $(BUILD)/libprotocol.a
STORE_LIB     := $(BUILD)/libstore.a
RINGIO_LIB    := $(BUILD)/libringio.a
XSGUEST_LIB   := $(BUILD)/libxsguest.a

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))

.PHONY: all check unit integration ops deb layering clean install test demo valgrind
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

# The guest simulator (tools/xs-guest): a library its unit tests link.
$(XSGUEST_LIB): $(call objs,$(XSGUEST_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/xs-guest: $(call objs,tools/xs-guest/main.c) $(XSGUEST_LIB) $(RINGIO_LIB) $(PROTOCOL_LIB)
	$(CC) $(ALLCFLAGS) -o $@ $^

$(BUILD)/xstored: $(call objs,$(DAEMON_SRCS)) $(STORE_LIB) $(RINGIO_LIB) $(PROTOCOL_LIB)
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
UNIT_TESTS     := $(PROTOCOL_TESTS) $(STORE_TESTS) $(RINGIO_TESTS) $(XSGUEST_TESTS)

$(BUILD)/tests/unit/protocol/%: tests/unit/protocol/%.c $(PROTOCOL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_TALLOC) $(LDLIBS_CHECK)

$(BUILD)/tests/unit/store/%: tests/unit/store/%.c $(STORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS_TALLOC) $(LDLIBS_CHECK)

$(BUILD)/tests/unit/ringio/%: tests/unit/ringio/%.c $(RINGIO_LIB) $(PROTOCOL_LIB)
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

unit: layering $(UNIT_TESTS)
	@tests/run-unit.sh $(UNIT_TESTS)

integration: $(BUILD)/xstored $(INTEG_PROGS)
	@XSTORED=$(abspath $(BUILD)/xstored) BUILD=$(abspath $(BUILD)) tests/integration/run.sh

ops: $(BUILD)/xstored $(OPS_PROGS)
	@XSTORED=$(abspath $(BUILD)/xstored) BUILD=$(abspath $(BUILD)) tests/ops/run.sh

check: unit integration ops

deb:
	@tests/ops/deb.sh $(abspath $(BUILD))/deb

# Unit tests under valgrind memcheck (no fork, so leaks are seen).
valgrind: layering $(UNIT_TESTS)
	@CK_FORK=no VALGRIND="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite" \
	    tests/run-unit.sh $(UNIT_TESTS)

test:
	$(MAKE) check
	$(MAKE) check SANITIZE=1
	$(MAKE) valgrind
	$(MAKE) CC=clang BUILD=build-clang all unit
	$(MAKE) deb

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
	rm -rf build build-san build-clang xstored

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
