# cgnf: DPDK 22.11 network function that tells cloud gaming conversations.
#
#   make           build build/libcgnf.a and build/cgnf
#   make run       install what is missing, build, classify the bundled pcap
#   make test      install what is missing, build, run every test
#   make test SANITIZE=1   the same under ASan + UBSan (in build/san)
#   make bench     micro and pipeline benchmarks, figures in build/bench.json
#   make fuzz      libFuzzer targets, FUZZ_SECONDS each
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

LIB_SRC := $(wildcard lib/*.c)
APP_SRC := $(wildcard app/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
APP_OBJ := $(APP_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

LIBCGNF := $(BUILD)/libcgnf.a
CGNF := $(BUILD)/cgnf

.PHONY: all deps run test check unit integration bench fuzz soak format lint clean

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
	$(CC) $(LDFLAGS) $^ -o $@ $(DPDK_LIBS) $(LIB_LIBS) -lmicrohttpd -lhiredis -lpthread

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

deps:
	@scripts/install-deps.sh

# The recursive calls re-read pkg-config once deps has installed the packages.
run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-default.sh $(ARGS)

test: deps
	@$(MAKE) --no-print-directory check

check: all $(UNIT_BIN) $(TOOL_BIN)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) SANITIZE=$(SANITIZE) tests/run-tests.sh

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@BUILD=$(BUILD) PYTHON=$(PYTHON) $(PYTHON) scripts/bench.py $(BENCH_ARGS)

fuzz: deps
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
-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d) $(addsuffix .d,$(UNIT_BIN) $(BENCH_BIN) $(TOOL_BIN))
