# cgnf: DPDK 22.11 network function that tells cloud gaming conversations.
#
#   make           build build/libcgnf.a and build/cgnf
#   make run       install what running needs, build, classify the bundled pcap
#   make test      install what the tests need, build, run every test
#   make install   PREFIX=/usr/local DESTDIR=: binary, scripts, model, /etc/cgnf, cgnf.service
#   make uninstall the same files removed (/etc/cgnf is kept)
#   make test T=test_pipeline   only that test (unit or integration; several: T="a b")
#   make unit / make integration   only the unit / the integration tests
#   make test SANITIZE=1   the same under ASan + UBSan (in build/san)
#   make bench     micro and pipeline benchmarks, figures in build/bench.json
#   make fuzz-build   the libFuzzer targets, with clang, in $(BUILD)/fuzz/
#   make fuzz      build them and fuzz each FUZZ_SECONDS
#   make format / make lint

PYTHON ?= /usr/bin/python3
CC ?= cc

ifeq ($(SANITIZE),1)
BUILD ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN_FLAGS :=
endif

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE $(WARN) $(SAN_FLAGS) -MMD -MP
LDFLAGS += $(SAN_FLAGS)
CFLAGS += -DCGNF_VERSION='"$(shell git describe --always --dirty 2>/dev/null || echo unknown)"'

PKGS_LIB := jansson
DPDK_CFLAGS = $(shell pkg-config --cflags libdpdk)
DPDK_LIBS = $(shell pkg-config --libs libdpdk)
LIB_CFLAGS = $(shell pkg-config --cflags $(PKGS_LIB))
LIB_LIBS = $(shell pkg-config --libs $(PKGS_LIB)) -lm
CUNIT_LIBS = $(shell pkg-config --libs cunit)
SYSTEMD_CFLAGS = $(shell pkg-config --cflags libsystemd)
SYSTEMD_LIBS = $(shell pkg-config --libs libsystemd)
NFT_LIBS = $(shell pkg-config --libs libnftables)

LIB_SRC := $(wildcard lib/*.c)
APP_SRC := $(wildcard app/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

# app/ files that need no DPDK: unit-tested without EAL (tests/unit/test_app_*.c).
APP_PLAIN_SRC := app/counters.c app/pair_query.c

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
APP_PLAIN_OBJ := $(APP_PLAIN_SRC:%.c=$(BUILD)/plain/%.o)
APP_OBJ := $(APP_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
APP_UNIT_BIN := $(filter $(BUILD)/tests/test_app_%,$(UNIT_BIN))
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_LIB_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/fuzz/obj/%.o)

# libFuzzer targets: clang, ASan + UBSan, lib/ compiled once more for coverage.
# -iquote, not -I: lib/features.h must not hide libc's <features.h>.
CLANG ?= clang
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined -MMD -MP
# Whether clang links libFuzzer here; only expanded by the recipes that need it.
FUZZ_AVAILABLE = $(shell echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' | \
	$(CLANG) -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null && echo yes)

LIBCGNF := $(BUILD)/libcgnf.a
CGNF := $(BUILD)/cgnf

.PHONY: all deps deps-run deps-test run test check unit integration bench fuzz fuzz-build soak \
	format lint clean install uninstall

all: $(LIBCGNF) $(if $(APP_SRC),$(CGNF))

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -iquote lib -c $< -o $@

$(BUILD)/app/%.o: app/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DPDK_CFLAGS) $(LIB_CFLAGS) $(SYSTEMD_CFLAGS) -iquote lib -iquote app -c $< -o $@

# The probe's float32 arithmetic, operation for operation: never fused behind our back.
$(BUILD)/lib/window_stats.o: CFLAGS += -ffp-contract=off

$(LIBCGNF): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(CGNF): $(APP_OBJ) $(LIBCGNF)
	$(CC) $(LDFLAGS) $^ -o $@ $(DPDK_LIBS) $(LIB_LIBS) $(SYSTEMD_LIBS) -lmicrohttpd -lhiredis $(NFT_LIBS) -lpthread

$(BUILD)/plain/app/%.o: app/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -iquote lib -iquote app -c $< -o $@

$(APP_UNIT_BIN): $(BUILD)/tests/%: tests/unit/%.c $(APP_PLAIN_OBJ) $(LIBCGNF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -iquote lib -iquote app -iquote tests/unit -iquote tests/common $< $(APP_PLAIN_OBJ) $(LIBCGNF) -o $@ $(LDFLAGS) $(CUNIT_LIBS) $(LIB_LIBS) -lpthread

$(filter-out $(APP_UNIT_BIN),$(UNIT_BIN)): $(BUILD)/tests/%: tests/unit/%.c $(LIBCGNF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -iquote lib -iquote tests/unit -iquote tests/common $< $(LIBCGNF) -o $@ $(LDFLAGS) $(CUNIT_LIBS) $(LIB_LIBS)

# Small C programs the Python tests drive (e.g. predictions for the exactness test).
$(BUILD)/tools/%: tests/tools/%.c $(LIBCGNF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -iquote lib $< $(LIBCGNF) -o $@ $(LDFLAGS) $(LIB_LIBS) -lpcap

# app/notify.c alone, for test_install (no EAL needed).
$(BUILD)/tools/notify_probe: tests/tools/notify_probe.c app/notify.c app/notify.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SYSTEMD_CFLAGS) -iquote app tests/tools/notify_probe.c app/notify.c -o $@ $(LDFLAGS) \
		$(SYSTEMD_LIBS)

# app/eal_advice.c alone, for test_first_steps (no EAL started).
$(BUILD)/tools/eal_advice_probe: tests/tools/eal_advice_probe.c app/eal_advice.c app/eal_advice.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DPDK_CFLAGS) -iquote app tests/tools/eal_advice_probe.c app/eal_advice.c -o $@ \
		$(LDFLAGS) $(DPDK_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(LIBCGNF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O3 $(LIB_CFLAGS) -iquote lib -iquote tests/common $< $(LIBCGNF) -o $@ $(LDFLAGS) $(LIB_LIBS)

$(BUILD)/fuzz/obj/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(LIB_CFLAGS) -iquote lib -fsanitize=fuzzer-no-link -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) $(LIB_CFLAGS) -iquote lib -fsanitize=fuzzer $< $(FUZZ_LIB_OBJ) -o $@ \
		$(LIB_LIBS)

deps: deps-test

deps-run:
	@scripts/install-deps.sh run

deps-test:
	@scripts/install-deps.sh test

# The recursive calls re-read pkg-config once deps has installed the packages.
run: deps-run
	@$(MAKE) --no-print-directory all
	@scripts/run-default.sh $(ARGS)

# T: test names to run (tests/run-tests.sh's filter); TEST_KIND: unit or integration.
test: deps-test
	@$(MAKE) --no-print-directory check

unit: deps-test
	@$(MAKE) --no-print-directory check TEST_KIND=unit

integration: deps-test
	@$(MAKE) --no-print-directory check TEST_KIND=integration

# The fuzz targets too when clang can build them: test_fuzz_corpora replays them.
check: all $(UNIT_BIN) $(TOOL_BIN)
	@$(if $(filter unit,$(TEST_KIND)),:,if [ "$(FUZZ_AVAILABLE)" = yes ]; then \
		$(MAKE) --no-print-directory -s fuzz-build; fi)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) SANITIZE=$(SANITIZE) tests/run-tests.sh $(TEST_KIND) $(T)

fuzz-build: $(FUZZ_BIN)

# Kept: make would delete them as intermediates of the fuzz targets.
.SECONDARY: $(FUZZ_LIB_OBJ)

bench: deps-test
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) $(PYTHON) scripts/bench.py $(BENCH_ARGS)

fuzz: deps-test
	@$(MAKE) --no-print-directory fuzz-build
	@BUILD=$(BUILD) tests/fuzz/run.sh $(FUZZ_SECONDS)

soak: deps-test
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) PYTHON=$(PYTHON) tests/soak.sh

FORMAT_SRC = $(wildcard lib/*.[ch] app/*.[ch] tests/unit/*.[ch] tests/common/*.h tests/fuzz/*.c \
	tests/bench/*.[ch] tests/tools/*.c)

format:
	clang-format -i $(FORMAT_SRC)

lint:
	clang-format --dry-run --Werror $(FORMAT_SRC)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -D__GNUC__ -Ilib -Iapp lib app

clean:
	rm -rf build

# Installation, as a service.  DESTDIR is prepended to every path written;
# the paths written into the files (unit, config) are the final ones.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/cgnf
DOCDIR ?= $(PREFIX)/share/doc/cgnf
LIBEXECDIR ?= $(PREFIX)/libexec/cgnf
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install
INSTALL_SCRIPTS := $(filter-out scripts/bench%.py,$(wildcard scripts/*.py))
# The service's settings on top of config/cgnf.json: the model where it is
# installed, outputs under the unit's StateDirectory / LogsDirectory, no
# table on stdout and a status line a minute in the journal.
SERVICE_CONFIG_SED := -e 's|"model": "../model/default.json"|"model": "$(DATADIR)/model/default.json"|' \
	-e 's|"stats_interval": 1$$|"stats_interval": 60,\n\t"quiet": true,\n\t"csv": "/var/lib/cgnf/pairs.csv",\n\t"stats_json": "/var/lib/cgnf/stats.json",\n\t"events": "/var/log/cgnf/events.jsonl"|'
UNIT_SED := -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/scripts $(DESTDIR)$(DATADIR)/model \
		$(DESTDIR)$(DATADIR)/config $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSCONFDIR)/cgnf
	$(INSTALL) -m 755 $(CGNF) $(DESTDIR)$(BINDIR)/cgnf
	$(INSTALL) -m 755 $(INSTALL_SCRIPTS) $(DESTDIR)$(DATADIR)/scripts/
	$(INSTALL) -m 644 model/default.json $(DESTDIR)$(DATADIR)/model/default.json
	$(INSTALL) -m 644 config/cgnf.json $(DESTDIR)$(DATADIR)/config/cgnf.json
	$(INSTALL) -m 644 model/README.md $(DESTDIR)$(DOCDIR)/model-format.md
	$(INSTALL) -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(INSTALL) -m 755 scripts/check-hugepages.sh $(DESTDIR)$(LIBEXECDIR)/check-hugepages
	sed $(UNIT_SED) config/systemd/cgnf.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/cgnf.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/cgnf.service
	@# An administrator's settings are never overwritten.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/cgnf/cgnf.json ]; then \
		echo "install: $(DESTDIR)$(SYSCONFDIR)/cgnf/cgnf.json exists: kept"; \
	else \
		sed $(SERVICE_CONFIG_SED) config/cgnf.json > $(DESTDIR)$(SYSCONFDIR)/cgnf/cgnf.json; \
		echo "install: wrote $(DESTDIR)$(SYSCONFDIR)/cgnf/cgnf.json"; \
	fi
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/cgnf/eal.conf ]; then \
		echo "install: $(DESTDIR)$(SYSCONFDIR)/cgnf/eal.conf exists: kept"; \
	else \
		$(INSTALL) -m 644 config/systemd/eal.conf $(DESTDIR)$(SYSCONFDIR)/cgnf/eal.conf; \
		echo "install: wrote $(DESTDIR)$(SYSCONFDIR)/cgnf/eal.conf"; \
	fi
	@if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload; fi
	@echo "install: done; edit $(SYSCONFDIR)/cgnf/eal.conf (lcores, NIC), then systemctl enable --now cgnf"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cgnf $(DESTDIR)$(SYSTEMDUNITDIR)/cgnf.service \
		$(DESTDIR)$(LIBEXECDIR)/check-hugepages
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null
	@if [ -z "$(DESTDIR)" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload; fi
	@echo "uninstall: done; $(DESTDIR)$(SYSCONFDIR)/cgnf is kept (remove it by hand if you wish)"

# Test, bench and tool programs are built in one step: their .d is named after the program.
-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(APP_PLAIN_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d) \
	$(addsuffix .d,$(UNIT_BIN) $(BENCH_BIN) $(TOOL_BIN) $(FUZZ_BIN))
