# konnector-harness: one binary, plain make, flags from pkg-config.
#   make            build ./konnector-harness
#   make test       criterion unit tests + system tests (what CI runs)
#   make check-asan the same tests built with -fsanitize=address,undefined
#   make install PREFIX=/usr/local, make clean, make format, make bench, make fuzz

.DEFAULT_GOAL := all
PREFIX ?= /usr/local
CC ?= gcc
PKGS := libmicrohttpd jansson libcurl
TEST_PKGS := criterion
BIN := konnector-harness
VERSION := 0.1.0

# Install missing Debian packages first (scripts/install-deps), then record the
# pkg-config flags; make re-reads this file once it has been (re)built.
ifeq ($(filter clean format,$(MAKECMDGOALS)),)
-include build/config.mk
endif
build/config.mk: scripts/install-deps Makefile
	@scripts/install-deps --if-missing
	@mkdir -p build
	@{ echo "DEP_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	   echo "DEP_LIBS := $$(pkg-config --libs $(PKGS))"; \
	   echo "TEST_CFLAGS := $$(pkg-config --cflags $(TEST_PKGS))"; \
	   echo "TEST_LIBS := $$(pkg-config --libs $(TEST_PKGS))"; } > $@.tmp && mv $@.tmp $@

WARN := -Wall -Wextra -Werror
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -DHARNESS_VERSION='"$(VERSION)"' -I. $(WARN) -g
OPT ?= -O2
CFLAGS_ALL = $(BASE_CFLAGS) $(OPT) $(DEP_CFLAGS) $(CFLAGS)
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC := $(sort $(shell find common fake-stack harness -name '*.c'))
LIB_SRC := $(filter-out harness/main.c,$(LIB_SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

OBJ_DIR := build/obj
ASAN_DIR := build/asan
LIB_OBJ := $(LIB_SRC:%.c=$(OBJ_DIR)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(OBJ_DIR)/%.o)
ASAN_LIB_OBJ := $(LIB_SRC:%.c=$(ASAN_DIR)/%.o)
ASAN_UNIT_OBJ := $(UNIT_SRC:%.c=$(ASAN_DIR)/%.o)

.PHONY: all test unit system check-asan install clean format bench fuzz
all: $(BIN)

$(BIN): $(OBJ_DIR)/harness/main.o $(LIB_OBJ)
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(DEP_LIBS) $(LDFLAGS)

$(OBJ_DIR)/%.o: %.c build/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

build/unit-tests: $(UNIT_OBJ) $(LIB_OBJ)
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(DEP_LIBS) $(TEST_LIBS) $(LDFLAGS)

$(ASAN_DIR)/%.o: %.c build/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC-ASAN $<"
	@$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) $(ASAN_FLAGS) -O1 -MMD -MP -c -o $@ $<

$(ASAN_DIR)/$(BIN): $(ASAN_DIR)/harness/main.o $(ASAN_LIB_OBJ)
	@echo "  LD      $@"
	@$(CC) $(ASAN_FLAGS) -o $@ $^ $(DEP_LIBS) $(LDFLAGS)

$(ASAN_DIR)/unit-tests: $(ASAN_UNIT_OBJ) $(ASAN_LIB_OBJ)
	@echo "  LD      $@"
	@$(CC) $(ASAN_FLAGS) -o $@ $^ $(DEP_LIBS) $(TEST_LIBS) $(LDFLAGS)

# Unit tests first (criterion prints its Synthesis line), then the system tests
# that drive the real binary; the last line is "system: N passed, N failed".
test: $(BIN) build/unit-tests
	@echo "== unit tests (criterion)"
	@build/unit-tests --jobs 2
	@echo "== system tests"
	@KH_BIN=$(CURDIR)/$(BIN) tests/system/run-all

unit: build/unit-tests
	@build/unit-tests --jobs 2

system: $(BIN)
	@KH_BIN=$(CURDIR)/$(BIN) tests/system/run-all

check-asan: $(ASAN_DIR)/$(BIN) $(ASAN_DIR)/unit-tests
	@echo "== unit tests (criterion, ASan+UBSan)"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(ASAN_DIR)/unit-tests --jobs 2
	@echo "== system tests (ASan+UBSan)"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		KH_BIN=$(CURDIR)/$(ASAN_DIR)/$(BIN) KH_ASAN=1 tests/system/run-all

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/konnector-harness
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/$(BIN)
	cp -R templates $(DESTDIR)$(PREFIX)/share/konnector-harness/

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

bench: $(BIN)
	bench/run-all

fuzz:
	$(MAKE) -C fuzz

clean:
	rm -rf build $(BIN)

-include $(shell find build/obj build/asan -name '*.d' 2>/dev/null)

# The README's first command: build, then run the bundled example.
.PHONY: example
example: $(BIN)
	./$(BIN) run examples/hello
