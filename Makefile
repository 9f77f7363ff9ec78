# cgnf: DPDK 22.11 network function that tells cloud gaming conversations.
#
#   make           build build/libcgnf.a and build/cgnf
#   make run       install what is missing, build, classify the bundled pcap
#   make test      install what is missing, build, run every test
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

PKGS_LIB := jansson
DPDK_CFLAGS = $(shell pkg-config --cflags libdpdk)
DPDK_LIBS = $(shell pkg-config --libs libdpdk)
LIB_CFLAGS = $(shell pkg-config --cflags $(PKGS_LIB))
LIB_LIBS = $(shell pkg-config --libs $(PKGS_LIB)) -lm
CUNIT_LIBS = $(shell pkg-config --libs cunit)

LIB_SRC := $(wildcard lib/*.c)
APP_SRC := $(wildcard app/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
APP_OBJ := $(APP_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
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

.PHONY: all deps run test check unit integration bench fuzz fuzz-build soak format lint clean

all: $(LIBCGNF) $(if $(APP_SRC),$(CGNF))

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -iquote lib -c $< -o $@

$(BUILD)/app/%.o: app/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DPDK_CFLAGS) $(LIB_CFLAGS) -iquote lib -iquote app -c $< -o $@

$(LIBCGNF): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(CGNF): $(APP_OBJ) $(LIBCGNF)
	$(CC) $(LDFLAGS) $^ -o $@ $(DPDK_LIBS) $(LIB_LIBS) -lpthread

$(BUILD)/tests/%: tests/unit/%.c $(LIBCGNF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -iquote lib -iquote tests/unit -iquote tests/common $< $(LIBCGNF) -o $@ $(LDFLAGS) $(CUNIT_LIBS) $(LIB_LIBS)

# Small C programs the Python tests drive (e.g. predictions for the exactness test).
$(BUILD)/tools/%: tests/tools/%.c $(LIBCGNF)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_CFLAGS) -iquote lib $< $(LIBCGNF) -o $@ $(LDFLAGS) $(LIB_LIBS) -lpcap

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

deps:
	@scripts/install-deps.sh

# The recursive calls re-read pkg-config once deps has installed the packages.
run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-default.sh $(ARGS)

# T: test names to run (tests/run-tests.sh's filter); TEST_KIND: unit or integration.
test: deps
	@$(MAKE) --no-print-directory check

unit: deps
	@$(MAKE) --no-print-directory check TEST_KIND=unit

integration: deps
	@$(MAKE) --no-print-directory check TEST_KIND=integration

# The fuzz targets too when clang can build them: test_fuzz_corpora replays them.
check: all $(UNIT_BIN) $(TOOL_BIN)
	@$(if $(filter unit,$(TEST_KIND)),:,if [ "$(FUZZ_AVAILABLE)" = yes ]; then \
		$(MAKE) --no-print-directory -s fuzz-build; fi)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) SANITIZE=$(SANITIZE) tests/run-tests.sh $(TEST_KIND) $(T)

fuzz-build: $(FUZZ_BIN)

# Kept: make would delete them as intermediates of the fuzz targets.
.SECONDARY: $(FUZZ_LIB_OBJ)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) $(PYTHON) scripts/bench.py $(BENCH_ARGS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@BUILD=$(BUILD) tests/fuzz/run.sh $(FUZZ_SECONDS)

soak: deps
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

# Test, bench and tool programs are built in one step: their .d is named after the program.
-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d) \
	$(addsuffix .d,$(UNIT_BIN) $(BENCH_BIN) $(TOOL_BIN) $(FUZZ_BIN))
