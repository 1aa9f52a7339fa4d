# ocshim - build, test and install.
#   make                 build/libocshim.so and the tools
#   make test            unit tests, symbol check, end-to-end tests (the README's test command)
#   make fuzz            libFuzzer targets (clang), FUZZ_SECONDS each (tests/fuzz)
#   make compat          the capture smoke test on every opencode release line -> docs/COMPAT.md
#   make install PREFIX=$HOME/.local [DESTDIR=...] [LIBDIR=...] [BINDIR=...] [MANDIR=...]
#                [BASHCOMPDIR=...] [ZSHCOMPDIR=...] [FISHCOMPDIR=...]
# CC, CFLAGS, CPPFLAGS and LDFLAGS are honoured; headers are tracked (-MMD -MP).

# The version of every program (--version), in this one place.
VERSION := 0.9.0

CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR  ?= $(DATADIR)/man
B       := build

WARN      := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unused-parameter \
             -Wmissing-prototypes -Wwrite-strings -Wformat=2 \
             -Werror=implicit-function-declaration
# Test programs keep string literals in argv arrays and one-file helpers without headers.
TESTWARN  := $(filter-out -Wmissing-prototypes -Wwrite-strings,$(WARN))
DEPFLAGS  := -MMD -MP
# Where the two halves find each other once installed (LIBDIR and BINDIR may be set apart).
PATHS     := -DOCSHIM_LIBDIR='"$(LIBDIR)"' -DOCSHIM_BINDIR='"$(BINDIR)"' -DOCSHIM_VERSION='"$(VERSION)"'
SHIMFLAGS := $(WARN) -fPIC -fvisibility=hidden -fno-strict-aliasing -fno-stack-protector \
             -ftls-model=initial-exec -pthread
TOOLFLAGS := $(WARN) -pthread

# The shim: libocshim.so (preload.c + the name prefilter), which users preload everywhere, and
# libocshim-opencode.so (entry.c + the core), which it loads only into opencode. Unit tests
# link the core without either entry point.
SHIM_CORE_SRC := $(filter-out shim/entry.c shim/preload.c,$(wildcard shim/*.c))
SHIM_CORE_OBJ := $(SHIM_CORE_SRC:shim/%.c=$(B)/shim/%.o)
SHIM_HDR      := $(wildcard shim/*.h)

# Tools: code shared by the tools, then one folder per program.
COMMON_SRC  := $(wildcard tools/common/*.c)
COMMON_OBJ  := $(COMMON_SRC:tools/%.c=$(B)/tools/%.o)
COMMON_HDR  := $(wildcard tools/common/*.h)
RESTORE_SRC := $(wildcard tools/restore/*.c)
RESTORE_OBJ := $(RESTORE_SRC:tools/%.c=$(B)/tools/%.o)
OCSHIM_SRC  := $(wildcard tools/ocshim/*.c)
OCSHIM_OBJ  := $(OCSHIM_SRC:tools/%.c=$(B)/tools/%.o)

PROGS := $(B)/libocshim.so $(B)/libocshim-opencode.so $(B)/libempty.so
ifneq ($(RESTORE_SRC),)
PROGS += $(B)/ocshim-restore
endif
ifneq ($(OCSHIM_SRC),)
PROGS += $(B)/ocshim
endif

all: $(PROGS)

$(B)/shim/%.o: shim/%.c $(SHIM_HDR) | $(B)/shim
	$(CC) $(CPPFLAGS) $(PATHS) $(CFLAGS) $(SHIMFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/libocshim_core.a: $(SHIM_CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

# What every program loads: no export, no library needed (no DT_NEEDED, no version, no start
# files to relocate), four imports (dlopen, dladdr, dlsym, dlclose) bound lazily from the program's
# global scope in opencode alone. Each of these saves every program ~1,000 instructions.
$(B)/libocshim.so: $(B)/shim/preload.o $(B)/shim/exename.o
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -nostdlib -Wl,-z,relro -o $@ $^

# Loaded only into opencode, with RTLD_NOW: every import is bound before a hook runs, so a
# signal handler or a vfork child never enters the dynamic loader.
$(B)/libocshim-opencode.so: $(B)/shim/entry.o $(B)/libocshim_core.a
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -pthread -Wl,-z,relro,-z,now -Wl,--no-undefined \
	    -o $@ $(B)/shim/entry.o $(B)/libocshim_core.a -ldl

# An empty preloadable library: the baseline for the per-exec benchmark.
$(B)/libempty.so: tests/bench/empty.c | $(B)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -shared -fPIC -o $@ $<

$(B)/tools/%.o: tools/%.c $(COMMON_HDR) $(wildcard tools/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PATHS) $(CFLAGS) $(TOOLFLAGS) $(DEPFLAGS) -Itools/common -Ishim -c -o $@ $<

# One definition of opencode's identity (ocshim doctor) and of the record format, compiled into
# the tools too.
SHARED_OBJ := $(B)/tools/shim/bunid.o $(B)/tools/shim/exename.o $(B)/tools/shim/recname.o \
              $(B)/tools/shim/recfmt.o
$(B)/tools/shim/%.o: shim/%.c shim/%.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TOOLFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/ocshim-restore: $(RESTORE_OBJ) $(COMMON_OBJ) $(B)/tools/shim/recname.o $(B)/tools/shim/recfmt.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lsqlite3

# The restore's parts without its main(), for the unit tests.
$(B)/librestore.a: $(filter-out $(B)/tools/restore/main.o,$(RESTORE_OBJ))
	rm -f $@ && ar rcs $@ $^

# ocshim's opencode plugin, one file, carried by the ocshim tool (`ocshim init opencode`).
$(B)/tools/plugin_js.h: tools/plugin/ocshim-session-env.js
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< >$@
$(B)/tools/ocshim/cmd_init.o: $(B)/tools/plugin_js.h
$(B)/tools/ocshim/cmd_init.o: TOOLFLAGS += -I$(B)/tools

# The opencode versions `ocshim doctor` calls tested: the rows of docs/COMPAT.md (written by
# `make compat`) with ok in all three checks, as C string literals.
$(B)/tools/tested.h: docs/COMPAT.md
	@mkdir -p $(@D)
	awk -F'|' '{ for (i = 2; i <= 6; i++) gsub(/^ +| +$$/, "", $$i) } \
	    $$2 ~ /^[0-9]+\.[0-9]+\.[0-9]+$$/ && $$4 == "ok" && $$5 == "ok" && $$6 == "ok" \
	    { print "\"" $$2 "\"," }' $< | sort -u >$@
$(B)/tools/ocshim/cmd_doctor.o: $(B)/tools/tested.h
$(B)/tools/ocshim/cmd_doctor.o: TOOLFLAGS += -I$(B)/tools

$(B)/ocshim: $(OCSHIM_OBJ) $(COMMON_OBJ) $(SHARED_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lsqlite3

$(B) $(B)/shim $(B)/tools/common $(B)/tools/restore $(B)/tests:
	mkdir -p $@

# Unit tests: each tests/unit/test_*.c links the shim core (no hooks) and/or the tools' code.
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libocshim_core.a $(B)/librestore.a $(COMMON_OBJ) | $(B)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TESTWARN) $(LDFLAGS) -pthread -Ishim -Itools/common -Itools/restore -o $@ $< \
	    $(B)/librestore.a $(COMMON_OBJ) $(B)/libocshim_core.a -lsqlite3 -ldl

# Libraries the hooks' unit test dlopens, linked as opencode's native modules are (Rust's
# default: every slot bound at load and read-only after, -z relro -z now).
$(B)/tests/plugin_%.so: tests/unit/plugin_%.c | $(B)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TESTWARN) $(LDFLAGS) -fPIC -shared -Wl,-z,relro,-z,now -o $@ $<
UNIT_PLUGINS := $(patsubst tests/unit/%.c,$(B)/tests/%.so,$(wildcard tests/unit/plugin_*.c)) \
                $(B)/tests/hooklib.so
$(UNIT_BIN): $(UNIT_PLUGINS)

# The hooks in a library of their own, as in opencode: test_thunks loads it RTLD_LOCAL. The
# test links plugin_next.so and finds libraries beside it ($ORIGIN), as callers do.
$(B)/tests/hooklib.so: tests/unit/hooklib.c $(B)/libocshim_core.a | $(B)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SHIMFLAGS) $(LDFLAGS) -Ishim -shared -Wl,-z,now -o $@ $< $(B)/libocshim_core.a -ldl
$(B)/tests/test_thunks: tests/unit/test_thunks.c tests/unit/unit.h $(B)/tests/plugin_next.so | $(B)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TESTWARN) $(LDFLAGS) -o $@ $< -L$(B)/tests -Wl,--no-as-needed -l:plugin_next.so -Wl,-rpath,'$$ORIGIN' -ldl

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

# ---- unit tests under the sanitizers (make unit-asan; run by make test) ---- begin ----
# The unit tests again, built with gcc's AddressSanitizer and UndefinedBehaviorSanitizer from
# the sources themselves into build/asan (never the objects above); any report fails the run.
# Left out: the tests that check the hooks against libc's own functions (test_hooks,
# test_hooklist: the sanitizers replace dlopen, sigaction, open, send... with interceptors, so
# the lookups the hooks rely on find the interceptor, not libc's function, and the tests fail
# though the code is right) and test_thunks (linked by a rule of its own against the hooks'
# library and a plugin built without the sanitizers; what it calls, test_hooks checks).
ASAN_CC      ?= gcc
ASAN_FLAGS   := -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_EXCLUDE := test_hooks test_hooklist test_thunks
A            := $(B)/asan
ASAN_BIN     := $(filter-out $(ASAN_EXCLUDE:%=$(A)/tests/%),$(UNIT_SRC:tests/unit/%.c=$(A)/tests/%))
ASAN_LIBS    := $(A)/librestore.a $(A)/libcommon.a $(A)/libcore.a

$(A)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(ASAN_CC) $(CPPFLAGS) $(PATHS) $(ASAN_FLAGS) $(WARN) -pthread $(DEPFLAGS) -Ishim -Itools/common -Itools/restore -c -o $@ $<
$(A)/libcore.a: $(SHIM_CORE_SRC:%.c=$(A)/obj/%.o)
	rm -f $@ && ar rcs $@ $^
$(A)/libcommon.a: $(COMMON_SRC:%.c=$(A)/obj/%.o) $(A)/obj/shim/recname.o $(A)/obj/shim/recfmt.o
	rm -f $@ && ar rcs $@ $^
$(A)/librestore.a: $(filter-out %/main.o,$(RESTORE_SRC:%.c=$(A)/obj/%.o))
	rm -f $@ && ar rcs $@ $^
$(A)/tests/%: tests/unit/%.c tests/unit/unit.h $(ASAN_LIBS)
	@mkdir -p $(@D)
	$(ASAN_CC) $(CPPFLAGS) $(ASAN_FLAGS) $(TESTWARN) $(LDFLAGS) -pthread -Ishim -Itools/common -Itools/restore -o $@ $< \
	    $(ASAN_LIBS) -lsqlite3 -ldl

unit-asan: $(ASAN_BIN)
	@tests/run-unit.sh --asan $(ASAN_BIN)
.PHONY: unit-asan
# ---- unit tests under the sanitizers ---- end ----

# ---- host programs (tests/host; run by tests/e2e/test_hosts.sh) ---- begin ----
# Awkward but legal programs, none of them opencode, that must run exactly as without the shim.
# tests/host/NAME.c -> build/hosts/NAME (-rdynamic: the plugins call back into the program);
# tests/host/plugin_NAME.c -> build/hosts/plugin_NAME.so, the libraries they dlopen.
HOST_PLUGIN_SRC := $(wildcard tests/host/plugin_*.c)
HOST_PLUGIN_SO  := $(HOST_PLUGIN_SRC:tests/host/%.c=$(B)/hosts/%.so)
HOST_SRC        := $(filter-out $(HOST_PLUGIN_SRC),$(wildcard tests/host/*.c))
HOST_BIN        := $(HOST_SRC:tests/host/%.c=$(B)/hosts/%)
HOST_FLAGS      := -Wall -Wextra -pthread

$(B)/hosts:
	mkdir -p $@

$(B)/hosts/plugin_%.so: tests/host/plugin_%.c | $(B)/hosts
	$(CC) $(CFLAGS) $(CPPFLAGS) $(HOST_FLAGS) -fPIC -shared $(LDFLAGS) -o $@ $<

$(B)/hosts/%: tests/host/%.c tests/host/host.h | $(B)/hosts
	$(CC) $(CFLAGS) $(CPPFLAGS) $(HOST_FLAGS) -rdynamic $(LDFLAGS) -o $@ $< -ldl

hosts: $(HOST_BIN) $(HOST_PLUGIN_SO)
test: hosts
.PHONY: hosts
# ---- host programs ---- end ----

# ---- fuzzing (tests/fuzz; opt-in: make fuzz [FUZZ_SECONDS=60] [FUZZ_JOBS=1]) ---- begin ----
# One libFuzzer target per parser: tests/fuzz/fuzz_NAME.c -> build/fuzz/fuzz_NAME, built with
# clang and the sanitizers from the sources themselves (never the objects above), each run for
# FUZZ_SECONDS on a copy of its seeds (tests/fuzz/corpus/NAME) by tests/fuzz/run.sh, FUZZ_JOBS
# targets at a time.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
# (clang, unlike gcc, warns of sb_vprintf's format: a va_list wrapper's is never a literal)
FUZZ_FLAGS   := $(TESTWARN) -Wno-format-nonliteral -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer -Ishim -Itools/common -Itools/restore
FUZZ_NAMES   := logscan walscan ocrec json kitty tmux tmuxctl resurrect childenv httpreq
# What each target links. The restore's targets take all its code but main() (whatever files
# it is split into); tmux and tmuxctl bring their own run_argv / spawn_read (no tmux is run).
FUZZ_RESTORE := $(filter-out tools/restore/main.c tools/common/runcmd.c,$(RESTORE_SRC) $(COMMON_SRC)) \
                shim/recname.c shim/recfmt.c
FUZZ_SRC_logscan   := shim/logscan.c shim/recfmt.c shim/session.c
FUZZ_SRC_walscan   := shim/walscan.c
FUZZ_SRC_ocrec     := tools/common/ocrec.c tools/common/strbuf.c tools/common/notes.c shim/recfmt.c shim/recname.c
FUZZ_SRC_json      := tools/common/json.c tools/common/strbuf.c
FUZZ_SRC_kitty     := $(FUZZ_RESTORE) tools/common/runcmd.c
FUZZ_SRC_tmux      := $(FUZZ_RESTORE)
FUZZ_SRC_tmuxctl   := shim/tmuxctl.c shim/recfmt.c
FUZZ_SRC_resurrect := $(FUZZ_RESTORE) tools/common/runcmd.c
FUZZ_SRC_childenv  := shim/childenv.c shim/recfmt.c
FUZZ_SRC_httpreq   := shim/httpreq.c shim/recfmt.c
FUZZ_LIBS := -lsqlite3 -pthread
FUZZ_BIN  := $(FUZZ_NAMES:%=$(B)/fuzz/fuzz_%)

$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) $(DEPFLAGS) -c -o $@ $<

define FUZZ_RULE
$(B)/fuzz/fuzz_$(1): $(B)/fuzz/obj/tests/fuzz/fuzz_$(1).o $(FUZZ_SRC_$(1):%.c=$(B)/fuzz/obj/%.o)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $$@ $$^ $(FUZZ_LIBS)
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call FUZZ_RULE,$(n))))

fuzz: $(FUZZ_BIN)
	@FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)
.PHONY: fuzz
# ---- fuzzing ---- end ----

test: all $(UNIT_BIN) $(ASAN_BIN)
	@ASAN_UNIT_BIN="$(ASAN_BIN)" tests/run.sh

bench: all
	@tests/bench/run.sh

# By hand, not in `make test` or CI (CI keeps the pinned pair): fetches ~12 releases.
compat: all
	@tests/compat/run.sh

# The compiled-in LIBDIR, BINDIR and VERSION: the files that use them are rebuilt when they change.
$(B)/paths: FORCE | $(B)
	@echo '$(LIBDIR):$(BINDIR):$(VERSION)' | cmp -s - $@ || echo '$(LIBDIR):$(BINDIR):$(VERSION)' >$@
$(B)/shim/worker.o $(B)/tools/common/shimlib.o $(B)/tools/ocshim/main.o $(B)/tools/restore/main.o: $(B)/paths
FORCE:

# What is installed, once: install and uninstall both read these lists. Completions: one file
# per shell, installed under the name each shell looks for (the command's).
INSTALL_LIBS := libocshim.so libocshim-opencode.so
INSTALL_BINS := $(notdir $(filter-out %.so,$(PROGS)))
INSTALL_MAN1 := $(notdir $(wildcard docs/man/*.1))
INSTALL_MAN7 := $(notdir $(wildcard docs/man/*.7))
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR   ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR  ?= $(DATADIR)/fish/vendor_completions.d
# source:installed-path pairs
INSTALL_COMP := tools/completions/ocshim.bash:$(BASHCOMPDIR)/ocshim \
                tools/completions/ocshim.bash:$(BASHCOMPDIR)/ocshim-restore \
                tools/completions/_ocshim:$(ZSHCOMPDIR)/_ocshim \
                tools/completions/ocshim.fish:$(FISHCOMPDIR)/ocshim.fish \
                tools/completions/ocshim.fish:$(FISHCOMPDIR)/ocshim-restore.fish

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	for f in $(INSTALL_LIBS); do install -m 0644 $(B)/$$f $(DESTDIR)$(LIBDIR)/; done
	for f in $(INSTALL_BINS); do install -m 0755 $(B)/$$f $(DESTDIR)$(BINDIR)/; done
	for f in $(INSTALL_MAN1); do install -m 0644 docs/man/$$f $(DESTDIR)$(MANDIR)/man1/; done
	for f in $(INSTALL_MAN7); do install -m 0644 docs/man/$$f $(DESTDIR)$(MANDIR)/man7/; done
	for p in $(INSTALL_COMP); do install -m 0644 $${p%%:*} $(DESTDIR)$${p#*:}; done

uninstall:
	for f in $(INSTALL_LIBS); do rm -f $(DESTDIR)$(LIBDIR)/$$f; done
	for f in $(INSTALL_BINS); do rm -f $(DESTDIR)$(BINDIR)/$$f; done
	for f in $(INSTALL_MAN1); do rm -f $(DESTDIR)$(MANDIR)/man1/$$f; done
	for f in $(INSTALL_MAN7); do rm -f $(DESTDIR)$(MANDIR)/man7/$$f; done
	for p in $(INSTALL_COMP); do rm -f $(DESTDIR)$${p#*:}; done

clean:
	rm -rf $(B)

.PHONY: all unit test bench compat install uninstall clean FORCE

-include $(shell find $(B) -name '*.d' 2>/dev/null)
