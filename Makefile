# mesos-kafka: a Mesos framework that runs ZooKeeper and Kafka.
#
#   make            build build/mesos-kafka and build/mesos-sim (optimised)
#   make deps       install every build and test dependency (Debian 12; needs root or sudo)
#   make test       install what is missing, build with ASan+UBSan, run unit, integration, fuzz tests
#   make unit       ASan+UBSan unit tests only
#   make chaos      100 random faults against a 3+3 cluster, invariants checked (CHAOS_SEED=n replays)
#   make fuzz       build the libFuzzer targets (clang) into build/fuzz/
#   make lint       cppcheck, clang-tidy, shellcheck
#   make format     clang-format every C file in place
#   make bench      print the performance figures (offers, memory, API requests/s)
#   make env.example  regenerate env.example from the configuration table

CC      ?= cc
CLANG   ?= clang
PKGS    := libcurl jansson libmicrohttpd openssl rdkafka
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-unused-parameter
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Isrc $(WARN) $(PKG_CFLAGS)
LIBS    := $(PKG_LIBS) -lzookeeper_mt -lpthread -lm

SAN ?= 0
ifeq ($(SAN),1)
O       := build/asan
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else
O       := build
OPT     := -O2 -g
endif
CFLAGS  ?=
CFLAGS  += $(BASE_CFLAGS) $(OPT)
LDFLAGS += $(OPT)

LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(O)/obj/src/%.o)
SIM_SRC := $(wildcard sim/*.c)
SIM_OBJ := $(SIM_SRC:sim/%.c=$(O)/obj/sim/%.o)
SIM_LIB_OBJ := $(filter-out $(O)/obj/sim/main.o,$(SIM_OBJ))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

.PHONY: all deps test unit integration chaos fuzz fuzz-run lint format clean bench demo env.example check-env-example
all: $(O)/mesos-kafka $(O)/mesos-sim

$(O)/obj/src/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(O)/obj/sim/%.o: sim/%.c $(wildcard sim/*.h) $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isim -c $< -o $@

$(O)/libmk.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/mesos-kafka: $(O)/obj/src/main.o $(O)/libmk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/libsim.a: $(SIM_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(O)/mesos-sim: $(O)/obj/sim/main.o $(O)/libsim.a $(O)/libmk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Unit tests may test simulator modules too, so each links both libraries.
$(O)/tests/%: tests/unit/%.c $(O)/libsim.a $(O)/libmk.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isim -Itests/unit -o $@ $< $(O)/libsim.a $(O)/libmk.a $(LIBS) -lcmocka

# Unit-test binaries and programs, for the variant chosen by SAN.
unit-bins: all $(UNIT_BIN)

deps:
	./scripts/install-deps.sh
	./scripts/install-servers.sh

# The README's test command: installs what is missing (a second time it only checks), then
# everything, with sanitizers, ending in one pass/fail summary.
test: deps
	$(MAKE) SAN=1 unit-bins
	$(MAKE) fuzz
	./scripts/run-tests.sh

unit:
	$(MAKE) SAN=1 unit-bins
	./scripts/run-tests.sh --only unit

integration:
	$(MAKE) SAN=1 unit-bins
	./scripts/run-tests.sh --only integration

# Random faults with invariants (tests/integration/chaos.py): make chaos [CHAOS_FAULTS=100] [CHAOS_SEED=n]
CHAOS_FAULTS ?= 100
chaos: deps
	$(MAKE) SAN=1 all
	MK_BIN_DIR=$(CURDIR)/build/asan CHAOS_SEED=$(CHAOS_SEED) \
	  python3 tests/integration/chaos.py --faults $(CHAOS_FAULTS)

FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -Isrc $(WARN) $(PKG_CFLAGS) -g -O1 \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# The library is compiled once for every target (each target only adds its own file).
FUZZ_LIB_OBJ := $(LIB_SRC:src/%.c=build/fuzz/obj/%.o)
build/fuzz/obj/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) -c $< -o $@

build/fuzz/libmk.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

build/fuzz/%: tests/fuzz/%.c build/fuzz/libmk.a $(wildcard src/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) -o $@ $< build/fuzz/libmk.a $(LIBS)

fuzz: $(FUZZ_BIN)

# Long fuzzing session by hand: make fuzz-run SECONDS=600
SECONDS ?= 60
fuzz-run: fuzz
	./scripts/run-tests.sh --only fuzz --fuzz-seconds $(SECONDS)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem --std=c11 -D_GNU_SOURCE -Isrc -Isim src sim tests
	clang-tidy --quiet $(wildcard src/*.c sim/*.c) -- $(BASE_CFLAGS) -Isim -Wno-unknown-warning-option
	shellcheck scripts/*.sh .ci/run $(wildcard containers/*/*.sh)

format:
	clang-format -i $(wildcard src/*.[ch] sim/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/bench/*.c)

env.example: $(O)/mesos-kafka
	$(O)/mesos-kafka env-example > env.example

check-env-example: $(O)/mesos-kafka
	@$(O)/mesos-kafka env-example | diff -u env.example - && echo "env.example is up to date"

clean:
	rm -rf build

# Figures: offer decisions at 1,000 and 10,000 offers, memory, API requests per second.
BENCH_BIN := $(patsubst tests/bench/%.c,build/bench/%,$(wildcard tests/bench/*.c))
build/bench/%: tests/bench/%.c build/libmk.a $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O2 -g -o $@ $< build/libmk.a $(LIBS)

bench:
	$(MAKE) all $(BENCH_BIN)
	./scripts/bench.sh

# The README's first command: a local demo (simulated Mesos over HTTPS with auth, then mesos-kafka).
demo:
	./scripts/demo.sh
