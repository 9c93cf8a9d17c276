# libbm top-level Makefile.  `make help` lists the targets.
#
# Sources are found by wildcard so that adding a file to one of the library
# folders needs no edit here.  Objects go to $(BUILD) (out of tree).

VERSION_MAJOR := 0
VERSION_MINOR := 1
VERSION_PATCH := 0
VERSION       := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BINDIR  ?= $(PREFIX)/bin

CC      ?= cc
PKGS    := libxml-2.0 gmp libprotobuf-c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null || echo -I/usr/include/libxml2)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lxml2 -lgmp -lprotobuf-c) -lm

# The ONNX front end (libbm/onnx/) decodes models with C code that protoc-c
# generates at build time from the onnx.proto of Debian's libonnx-dev; the
# generated files live in $(BUILD)/gen/onnx, never in the source tree.
ONNX_PROTO ?= /usr/include/onnx/onnx.proto

WARN    := -std=c11 -Wall -Wextra -Werror
OPT     ?= -O2 -g
# Hidden visibility: only what bm/export.h's BM_API marks leaves libbm.so.
CFLAGS_ALL := $(WARN) $(OPT) -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden \
              -I$(BUILD)/include -Ilibbm/include -Ilibbm/src -Iarch $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL := $(EXTRA_LDFLAGS)

LIB_SRCS  := $(sort $(wildcard arch/*.c libbm/src/*.c libbm/compile/*.c libbm/onnx/*.c sim/*.c hdl_out/*.c))
BMC_SRCS  := $(sort $(wildcard bmc/*.c))
TEST_SRCS := $(sort $(wildcard tests/*.c))

SCHEMAS   := $(sort $(wildcard arch/schema/*.rng))
GEN_SRCS  := $(SCHEMAS:arch/schema/%.rng=$(BUILD)/gen/schema_%.c)
ONNX_GEN  := $(BUILD)/gen/onnx/onnx.pb-c.c
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(GEN_SRCS:%.c=%.o) $(ONNX_GEN:%.c=%.o)
BMC_OBJS  := $(BMC_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/obj/%.o)
# One fuzz target per parser: tests/fuzz/fuzz_NAME.c, corpus tests/fuzz/corpus/NAME/.
FUZZ_NAMES := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)

# ONNX models in protobuf text format (examples/onnx/, tests/data/onnx/) are
# encoded into $(BUILD)/onnx/NAME.onnx, so the binary models are never kept
# in git and making them needs neither Python nor its onnx module.
ONNX_TEXT   := $(sort $(wildcard examples/onnx/*.textproto tests/data/onnx/*.textproto bench/networks/*.textproto))
ONNX_MODELS := $(addprefix $(BUILD)/onnx/,$(notdir $(ONNX_TEXT:.textproto=.onnx)))
vpath %.textproto examples/onnx tests/data/onnx bench/networks

SONAME    := libbm.so.$(VERSION_MAJOR)
LIB_A     := $(BUILD)/libbm.a
LIB_SO    := $(BUILD)/libbm.so
BMC       := $(BUILD)/bmc
TEST_BIN  := $(BUILD)/test_libbm

PYTHON  ?= /usr/bin/python3
PYDIR   ?= $(PREFIX)/lib/python3/dist-packages
# 0 leaves the Python tests out of `make test` (only `make sanitize` does:
# an ASan-built libbm.so cannot be loaded into an uninstrumented Python).
PYTEST  ?= 1
PY_SRCS := $(sort $(wildcard python/libbm/*.py))
PY_EXT_STAMP := $(BUILD)/python/.built

.PHONY: all deps test sanitize demo install uninstall clean help check-deps FORCE regold soak \
        python python-test install-python uninstall-python onnx-models fuzz clang-check slurm-check

all: $(LIB_A) $(LIB_SO) $(BMC) $(ONNX_MODELS)

help:
	@echo "make            build $(LIB_A), $(LIB_SO) and $(BMC)"
	@echo "make deps       install the Debian packages libbm needs (apt-get as root)"
	@echo "make test       build and run the Criterion test suite"
	@echo "make sanitize   run the test suite under ASan + UBSan (in build-sanitize/)"
	@echo "make demo       run bmc on the bundled example"
	@echo "make soak       random differential testing with new seeds (long)"
	@echo "make clang-check  the sources under clang -Wconditional-uninitialized (part of make test)"
	@echo "make slurm-check  a bmc explore sweep through a one-node Slurm (slurm-wlm, munge) against make -j2"
	@echo "make fuzz       libFuzzer (clang) on every parser, FUZZ_SECONDS each (in build-fuzz/)"
	@echo "make install    install library, headers, bmc and libbm.pc (PREFIX, DESTDIR)"
	@echo "make python     build the Python package's compiled module in $(BUILD)/python"
	@echo "make install-python  install the Python package libbm into PYDIR (after make install)"
	@echo "make regold     rewrite the gold files: Verilog tests/gold/NAME from examples/NAME.xml, tests/data/dot/*.dot"

# bm/version.h is written from bm/version.h.in with the numbers above, into
# the build tree (so the version is written down once); every object waits
# for it.  Rewritten only when its text changes.
VERSION_H := $(BUILD)/include/bm/version.h
$(VERSION_H): libbm/include/bm/version.h.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's/@VERSION_MAJOR@/$(VERSION_MAJOR)/g' -e 's/@VERSION_MINOR@/$(VERSION_MINOR)/g' \
	     -e 's/@VERSION_PATCH@/$(VERSION_PATCH)/g' $< > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(BUILD)/obj/%.o: %.c | $(VERSION_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# Each RelaxNG schema is compiled into the library as a string named
# bm_schema_<name> (arch/schema/<name>.rng), so loading needs no data files.
$(BUILD)/gen/schema_%.c: arch/schema/%.rng
	@mkdir -p $(dir $@)
	{ echo '/* Generated from $< by the Makefile: do not edit. */'; \
	  echo 'const char bm_schema_$(subst -,_,$*)[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c | $(VERSION_H)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# protoc-c's output is not ours to keep warning-free: it gets the flags
# without -Werror.
$(BUILD)/gen/onnx/onnx.pb-c.c $(BUILD)/gen/onnx/onnx.pb-c.h: $(ONNX_PROTO)
	@mkdir -p $(BUILD)/gen/onnx
	cp $(ONNX_PROTO) $(BUILD)/gen/onnx/onnx.proto
	cd $(BUILD)/gen/onnx && protoc-c --c_out=. onnx.proto

$(BUILD)/gen/onnx/onnx.pb-c.o: $(BUILD)/gen/onnx/onnx.pb-c.c
	$(CC) $(filter-out -Werror,$(CFLAGS_ALL)) -c $< -o $@

$(BUILD)/obj/libbm/onnx/%.o: libbm/onnx/%.c $(BUILD)/gen/onnx/onnx.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -I$(BUILD)/gen/onnx -MMD -MP -c $< -o $@

$(BUILD)/onnx/%.onnx: %.textproto $(ONNX_PROTO)
	@mkdir -p $(dir $@)
	protoc --encode=onnx.ModelProto --proto_path=$(dir $(ONNX_PROTO)) $(notdir $(ONNX_PROTO)) \
	  < $< > $@.tmp && mv -f $@.tmp $@

onnx-models: $(ONNX_MODELS)

# libbm.a holds one object, the library linked with -r, whose hidden
# symbols (all but BM_API) are made local: a program that defines a name
# the library uses inside (sim_cycle, bmi_map_select) links without a clash.
$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ $(BUILD)/libbm_all.o
	$(CC) -r -nostdlib -o $(BUILD)/libbm_all.o $^
	objcopy --localize-hidden $(BUILD)/libbm_all.o
	ar rcs $@ $(BUILD)/libbm_all.o

# The version script exports bm_* under the version node LIBBM_0 and keeps
# everything else local, beside hidden visibility.
LIB_MAP := libbm/libbm.map
$(BUILD)/$(SONAME).$(VERSION_MINOR).$(VERSION_PATCH): $(LIB_OBJS) $(LIB_MAP)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=$(LIB_MAP) -o $@ $(LIB_OBJS) \
	  $(PKG_LIBS) $(LDFLAGS_ALL)

$(LIB_SO): $(BUILD)/$(SONAME).$(VERSION_MINOR).$(VERSION_PATCH)
	ln -sf $(SONAME).$(VERSION_MINOR).$(VERSION_PATCH) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

$(BMC): $(BMC_OBJS) $(LIB_A)
	$(CC) -o $@ $(BMC_OBJS) $(LIB_A) $(PKG_LIBS) $(LDFLAGS_ALL)

# The suite links the library's objects rather than libbm.a, whose hidden
# symbols are local: white-box tests (tests/test_safe_outputs.c) reach the
# internal helpers; the installed libraries are checked by install_check.
$(TEST_BIN): $(TEST_OBJS) $(LIB_OBJS)
	$(CC) -o $@ $(TEST_OBJS) $(LIB_OBJS) -lcriterion $(PKG_LIBS) $(LDFLAGS_ALL)

# The tests run bmc too, so both are built first.  Tests find their data
# relative to the repository root and bmc through BMC.  Then `make install`
# is checked in a scratch DESTDIR (tests/install_check.sh).
test: check-deps $(TEST_BIN) $(BMC) $(ONNX_MODELS) $(FUZZ_REPLAYS) clang-check
	BMC=$(abspath $(BMC)) BM_ONNX_MODELS=$(BUILD)/onnx BM_COSIM_WORK=$(BUILD)/cosim-random BM_COSIM_WORK_COMPILED=$(BUILD)/cosim-compiled \
	  $(TEST_BIN) $(TEST_ARGS)
	@for t in $(FUZZ_NAMES); do printf 'fuzz replay %s: ' $$t; \
	  $(BUILD)/fuzz/replay_$$t tests/fuzz/corpus/$$t || exit 1; done
	BUILD=$(BUILD) CC="$(CC)" EXTRA_LDFLAGS="$(EXTRA_LDFLAGS)" PYTEST=$(PYTEST) ./tests/install_check.sh
	./tests/deps_check.sh
	./tests/doc_check.sh
	BMC=$(abspath $(BMC)) ./tests/explore_check.sh
	@if [ "$(PYTEST)" = 1 ]; then $(MAKE) --no-print-directory python-test; fi

# A bmc explore sweep as a Slurm array job on a one-node cluster that the
# check starts on loopback and stops again, compared with the same sweep
# under make -j2 (tests/slurm_check.sh).  It needs slurm-wlm and munge
# (not installed by make deps) and takes minutes: not part of make test.
slurm-check: $(BMC)
	BMC=$(abspath $(BMC)) BUILD=$(BUILD) ./tests/slurm_check.sh

# The Python package's tests (python/tests, pytest) against the build tree.
# pytest fails the run when it collects nothing (exit 5) and conftest.py
# turns any skipped test into a failure.
python-test: $(PY_EXT_STAMP) $(BMC) $(ONNX_MODELS)
	cd python && PYTHONPATH=$(abspath python):$(abspath $(BUILD)/python) BMC=$(abspath $(BMC)) \
	  BM_REPO=$(abspath .) BM_ONNX_MODELS=$(abspath $(BUILD)/onnx) \
	  $(PYTHON) -m pytest -q -p no:cacheprovider tests

# The compiled half of the Python package (cffi, API mode: checked against
# the headers), linked to $(BUILD)'s libbm.so.
python: $(PY_EXT_STAMP)

$(PY_EXT_STAMP): $(BUILD)/$(SONAME).$(VERSION_MINOR).$(VERSION_PATCH) $(LIB_SO) \
                 python/libbm_build.py python/build_ext.py libbm/include/bm.h \
                 $(wildcard libbm/include/bm/*.h)
	$(PYTHON) python/build_ext.py libbm/include $(BUILD) $(abspath $(BUILD)) $(BUILD)/python >/dev/null
	@touch $@

# Installs the package into $(DESTDIR)$(PYDIR) (Debian's python3 searches
# /usr/local/lib/python3/dist-packages), its compiled module linked with
# the run path $(LIBDIR), where `make install` puts libbm.so.
install-python: $(LIB_SO)
	$(PYTHON) python/build_ext.py libbm/include $(BUILD) $(LIBDIR) $(BUILD)/python-install >/dev/null
	install -d $(DESTDIR)$(PYDIR)/libbm
	install -m 644 $(PY_SRCS) $(DESTDIR)$(PYDIR)/libbm/
	install -m 644 $(BUILD)/python-install/_libbm_cffi*.so $(DESTDIR)$(PYDIR)/

uninstall-python:
	rm -rf $(DESTDIR)$(PYDIR)/libbm
	rm -f $(DESTDIR)$(PYDIR)/_libbm_cffi*.so

# The sources under clang as well, with the warning that catches a variable
# read before any path set it (gcc does not warn there, and its code can
# happen to work): syntax and analysis only, no code generated.
CLANG_CHECK_SRCS := $(LIB_SRCS) $(BMC_SRCS) $(wildcard tests/fuzz/*.c)
clang-check: $(VERSION_H) $(BUILD)/gen/onnx/onnx.pb-c.h
	@for f in $(CLANG_CHECK_SRCS); do \
	  clang -fsyntax-only $(WARN) -Wconditional-uninitialized -D_POSIX_C_SOURCE=200809L \
	    -I$(BUILD)/include -I$(BUILD)/gen/onnx -Ilibbm/include -Ilibbm/src -Iarch $(PKG_CFLAGS) \
	    -DBM_VERSION_STRING='"$(VERSION)"' $$f || exit 1; \
	done; echo "clang-check: $(words $(CLANG_CHECK_SRCS)) files clean under clang -Wconditional-uninitialized"

# Each fuzz target's harness, run without libFuzzer over its committed
# corpus and a fixed-seed slice of mutations (tests/fuzz/replay.c).
$(BUILD)/fuzz/replay_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/tests/fuzz/replay.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(PKG_LIBS) $(LDFLAGS_ALL)

# libFuzzer with ASan and UBSan on every parser, FUZZ_SECONDS each.  New
# inputs go to build-fuzz/corpus/NAME; copy the interesting ones to
# tests/fuzz/corpus/NAME by hand (tests/fuzz/README.md).
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz:
	@command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install clang" >&2; exit 1; }
	$(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	  EXTRA_LDFLAGS="$(FUZZ_SAN)" build-fuzz/libbm.a $(FUZZ_NAMES:%=build-fuzz/obj/tests/fuzz/fuzz_%.o)
	@mkdir -p build-fuzz/fuzz
	@for t in $(FUZZ_NAMES); do \
	  clang -fsanitize=fuzzer $(FUZZ_SAN) -o build-fuzz/fuzz/fuzz_$$t build-fuzz/obj/tests/fuzz/fuzz_$$t.o \
	    build-fuzz/libbm.a $(PKG_LIBS) || exit 1; \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "fuzz $$t: $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -artifact_prefix=build-fuzz/$$t- build-fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# Random differential testing with new seeds: SOAK_BATCHES batches of
# SOAK_MACHINES random machines each, simulator against Verilator.  The first
# seed is printed so that a failure can be replayed (docs/verify.md).
SOAK_BATCHES ?= 10
SOAK_MACHINES ?= 400
SOAK_CYCLES ?= 2000
soak: check-deps $(TEST_BIN) $(BMC)
	@base=$${SOAK_SEED:-$$(date +%s)}; \
	echo "soak: $(SOAK_BATCHES) batches of $(SOAK_MACHINES) random machines from seed $$base"; \
	for i in $$(seq 0 $$(($(SOAK_BATCHES) - 1))); do \
	  seed=$$((base + i * $(SOAK_MACHINES))); echo "soak: batch $$i, seeds $$seed.."; \
	  BM_RANDOM_SEED=$$seed BM_RANDOM_MACHINES=$(SOAK_MACHINES) BM_RANDOM_CYCLES=$(SOAK_CYCLES) \
	  BM_COSIM_WORK=$(BUILD)/soak-$$i BMC=$(abspath $(BMC)) \
	    $(TEST_BIN) --filter 'cosim_random/*' || exit 1; \
	done

# ASan + UBSan over the whole suite, in a build tree of its own.  A leak
# found in a test process is reported only after Criterion has counted the
# test as passed, so the log is searched for LeakSanitizer reports too.
sanitize: check-deps
	@mkdir -p build-sanitize
	{ $(MAKE) BUILD=build-sanitize OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	        EXTRA_LDFLAGS="-fsanitize=address,undefined" \
	        TEST_ARGS="--jobs 1 $(TEST_ARGS)" PYTEST=0 test 2>&1; echo $$? > build-sanitize/status; } \
	    | tee build-sanitize/sanitize.log
	@test "$$(cat build-sanitize/status)" = 0
	@if grep -q 'ERROR: LeakSanitizer' build-sanitize/sanitize.log; then \
	    echo "sanitize: memory leaks (see build-sanitize/sanitize.log)" >&2; exit 1; fi

# Each folder tests/gold/NAME holds `bmc verilog examples/NAME.xml`; the test
# suite compares byte for byte.  Run this after an intended change.
regold: $(BMC)
	for d in tests/gold/*/; do n=$$(basename $$d); \
	  $(BMC) verilog examples/$$n.xml -o tests/gold/$$n || exit 1; done
	$(BMC) dot examples/fanout.xml -o tests/data/dot/fanout.dot
	$(BMC) dot tests/data/graph/tiny.xml -o tests/data/dot/tiny.dot

demo: check-deps $(BMC)
	./examples/demo.sh $(abspath $(BMC))

deps:
	@./.ci/deps.sh

# What `make demo`, `make test` (and soak, sanitize) need first: as root,
# the missing Debian packages are installed (README's promise); otherwise
# the command to run is printed and the target stops.
check-deps:
	@./.ci/deps.sh

# Rewritten whenever its text changes (PREFIX, LIBDIR, ...), not only when
# the Makefile does, so an install never ships the paths of an earlier one.
# libxml2 and GMP are named in Libs.private, as the link flags their own
# .pc files give for a static link, not in Requires.private: pkg-config
# (pkgconf) adds the Cflags of Requires.private packages to ours, and the
# public headers include neither library, so users' Cflags stay -I$(INCDIR).
PKG_STATIC_LIBS := $(shell pkg-config --static --libs $(PKGS) 2>/dev/null || echo -lxml2 -lgmp -lprotobuf-c)
$(BUILD)/libbm.pc: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
	  'Name: libbm' 'Description: BondMachine-style multi-core processor generator' \
	  'Version: $(VERSION)' 'Libs.private: $(PKG_STATIC_LIBS) -lm' \
	  'Libs: -L$${libdir} -lbm' 'Cflags: -I$${includedir}' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

FORCE:

install: all $(BUILD)/libbm.pc
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/bm $(DESTDIR)$(BINDIR)
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/$(SONAME).$(VERSION_MINOR).$(VERSION_PATCH) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SONAME).$(VERSION_MINOR).$(VERSION_PATCH) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libbm.so
	install -m 644 libbm/include/bm.h $(DESTDIR)$(INCDIR)/
	install -m 644 libbm/include/bm/*.h $(VERSION_H) $(DESTDIR)$(INCDIR)/bm/
	install -m 644 $(BUILD)/libbm.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 755 $(BMC) $(DESTDIR)$(BINDIR)/

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libbm.a $(DESTDIR)$(LIBDIR)/libbm.so* \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/libbm.pc $(DESTDIR)$(INCDIR)/bm.h \
	      $(DESTDIR)$(BINDIR)/bmc
	rm -rf $(DESTDIR)$(INCDIR)/bm

clean:
	rm -rf build build-sanitize build-fuzz

-include $(LIB_OBJS:.o=.d) $(BMC_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(wildcard $(BUILD)/obj/tests/fuzz/*.d)
