# konnector-harness: one binary, plain make, flags from pkg-config.
#   make            build ./konnector-harness
#   make test       criterion unit tests + system tests (what CI runs)
#   make check-asan the same tests built with -fsanitize=address,undefined
#   make install PREFIX=$HOME/.local (no root; default /usr/local), make clean, make format, make check-format,
#   make bench, make fuzz

.DEFAULT_GOAL := all
PREFIX ?= /usr/local
# gcc unless the command line or the environment names another compiler (make's own default is cc).
ifeq ($(origin CC),default)
CC := gcc
endif
PKGS := libmicrohttpd jansson libcurl openssl
TEST_PKGS := criterion
BIN := konnector-harness
# The version: this line is its one source (--version, init's templates, the GitHub workflow ref).
VERSION := 0.1.0

# Dependencies. The README's two commands, make example and make test, install
# missing Debian packages themselves (scripts/install-deps --if-missing, sudo
# when not root); every other target only checks, names what is missing and
# points at scripts/install-deps. Goals that build only the binary check only
# what the build needs.
NO_DEPS_GOALS := clean format check-format
INSTALL_GOALS := example test
BUILD_GOALS := all $(BIN) install fuzz
GOALS := $(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))
ifneq ($(filter $(INSTALL_GOALS),$(GOALS)),)
DEPS_CMD := scripts/install-deps --if-missing
else ifeq ($(filter-out $(BUILD_GOALS),$(GOALS)),)
DEPS_CMD := scripts/install-deps --check build
else
DEPS_CMD := scripts/install-deps --check
endif

# build/config.mk records the pkg-config flags, after the check above. It is
# made again when it is missing or older than this Makefile or the script,
# and on every make of a goal that needs more than the build (the tests'
# packages may have gone, or be installable); it is rewritten only when its
# text changes, so that only then does make re-read it and rebuild.
# `include`, not `-include`: a failed check must stop make.
ifneq ($(filter-out $(NO_DEPS_GOALS),$(GOALS)),)
include build/config.mk
endif
ifneq ($(filter-out $(BUILD_GOALS),$(GOALS)),)
build/config.mk: FORCE
endif
build/config.mk: scripts/install-deps Makefile
	@CC='$(CC)' $(DEPS_CMD)
	@mkdir -p build
	@cflags=$$(pkg-config --cflags $(PKGS)) && libs=$$(pkg-config --libs $(PKGS)) && \
	{ echo "DEP_CFLAGS := $$cflags"; \
	  echo "DEP_LIBS := $$libs"; \
	  echo "TEST_CFLAGS := $$(pkg-config --cflags $(TEST_PKGS) 2>/dev/null)"; \
	  echo "TEST_LIBS := $$(pkg-config --libs $(TEST_PKGS) 2>/dev/null)"; } > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:

WARN := -Wall -Wextra -Werror
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -DHARNESS_VERSION='"$(VERSION)"' -I. $(WARN) -g
OPT ?= -O2
CFLAGS_ALL = $(BASE_CFLAGS) $(OPT) $(DEP_CFLAGS) $(CFLAGS)
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC := $(sort $(shell find common fake-stack harness vendor-proxy -name '*.c'))
LIB_SRC := $(filter-out harness/main.c,$(LIB_SRC))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

OBJ_DIR := build/obj
ASAN_DIR := build/asan
LIB_OBJ := $(LIB_SRC:%.c=$(OBJ_DIR)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(OBJ_DIR)/%.o)
ASAN_LIB_OBJ := $(LIB_SRC:%.c=$(ASAN_DIR)/%.o)
ASAN_UNIT_OBJ := $(UNIT_SRC:%.c=$(ASAN_DIR)/%.o)

.PHONY: all test unit system check-asan install clean format check-format bench fuzz FORCE
all: $(BIN)

$(BIN): $(OBJ_DIR)/harness/main.o $(LIB_OBJ)
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(DEP_LIBS) $(LDFLAGS)

# Only the unit tests are compiled with criterion's flags.
$(UNIT_OBJ) $(ASAN_UNIT_OBJ): private UNIT_CFLAGS = $(TEST_CFLAGS)

# Objects depend on this Makefile too: its flags and VERSION are compiled in.
$(OBJ_DIR)/%.o: %.c build/config.mk Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) $(UNIT_CFLAGS) -MMD -MP -c -o $@ $<

build/unit-tests: $(UNIT_OBJ) $(LIB_OBJ)
	@echo "  LD      $@"
	@$(CC) $(OPT) -o $@ $^ $(DEP_LIBS) $(TEST_LIBS) $(LDFLAGS)

$(ASAN_DIR)/%.o: %.c build/config.mk Makefile
	@mkdir -p $(dir $@)
	@echo "  CC-ASAN $<"
	@$(CC) $(CFLAGS_ALL) $(UNIT_CFLAGS) $(ASAN_FLAGS) -O1 -MMD -MP -c -o $@ $<

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
	@echo "installed $(DESTDIR)$(PREFIX)/bin/$(BIN)"
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*|*":$(PREFIX)/bin/:"*) ;; \
	 *) echo "note: $(PREFIX)/bin is not on your PATH; add it (and to ~/.profile):"; \
	    echo "  export PATH=\"$(PREFIX)/bin:\$$PATH\"";; esac

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# The layout check (.clang-format): names every file clang-format would change, fails if any.
check-format:
	@command -v clang-format >/dev/null 2>&1 || { echo "check-format: clang-format not found (apt-get install clang-format)" >&2; exit 69; }
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

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
