# Builds and installs libzmq (Rust implementation) like libzmq's own build:
#   make                      cargo build --release, then check include/zmq.h
#   make header               refresh include/zmq.h from the generated header
#   make check-header         fail if include/zmq.h differs from the generated one
#   make install PREFIX=DIR   lib/libzmq.so.5.2.4 (+ .so.5, .so links), lib/libzmq.a,
#                             include/zmq.h, include/zmq_utils.h, lib/pkgconfig/libzmq.pc
#   make check-install PREFIX=DIR   pkg-config and a C program against DIR
#   make uninstall PREFIX=DIR
#   make c-tests              build, then the C tests (c-tests/test_*.c, c-tests/run)
#                             against our library; cases listed in
#                             c-tests/known-failures.txt are reported, not failed
#   make c-tests-system       the same programs against Debian's libzmq (the
#                             expectations are libzmq's; draft programs skipped)
#   make demo                 build, then build and run examples/demo.c (exit 0
#                             only if it verified its results)
#   make bench-inproc         perf/inproc_bench against our library and Debian's
#                             libzmq (perf/run-inproc; BENCHFLAGS=--quick for a
#                             short run); a measurement, never pass/fail.
#                             `make bench` runs it (for now the only benchmark)
#   make compat / compat-ratchet   the upstream libzmq 4.3.4 suite (c-tests/compat/)
#   make interop              build, then tests/interop/run: our library against
#                             Debian's libzmq in two processes (every socket
#                             pairing, tcp and ipc, both directions, refused
#                             pairings), against a reference libzmq with drafts,
#                             ws and wss (RADIO/DISH, DGRAM, ws, wss; built by
#                             tools/build-ref-libzmq when absent) and Debian's
#                             pyzmq on ours; cases listed
#                             in tests/interop/known-failures.txt are reported,
#                             not failed
#   make browser              build, then tests/browser/run: headless Chromium
#                             (Debian's chromium) connects with its own
#                             WebSocket to a ROUTER on our library over ws://
#                             and exchanges ZWS 2.0 messages with it
#   make pyzmq                pyzmq's own test suite (Debian's python3-zmq) on
#                             our library; PYZMQFLAGS=--control runs it on
#                             Debian's libzmq too, for the record
#
# Variables: CARGO, CARGOFLAGS (extra `cargo build` arguments, e.g.
# --no-default-features for a build without the draft API), PREFIX, DESTDIR,
# LIBDIR, INCLUDEDIR, PKGCONFIGDIR, CC. CARGO_TARGET_DIR is honoured.
#
#   make test                 everything: cargo test (unit, header, symbol and
#                             API tests), the C tests, the interop suite against
#                             Debian's libzmq, the browser test, pyzmq's suite,
#                             the upstream-suite ratchet
#   make bench-net            the same benchmark binary over tcp and ipc, each
#                             side in its own process as libzmq's perf tools
#                             do (with CURVE rows over tcp), then tcp with
#                             both sides in one process; then ws, wss and udp
#                             RADIO/DISH against the reference libzmq with
#                             drafts (tools/build-ref-libzmq)
#
#   make bench                bench-inproc and bench-net
#
#   make asan                 the C tests, the upstream suite and the interop
#                             suite on an AddressSanitizer build of the library
#                             (nightly rustc; tools/sanitize); leaks count as
#                             errors (SANFLAGS=--no-leaks: not)
#   make valgrind             the upstream suite under valgrind's memcheck
#                             (stable rustc)
#   make tsan                 the Rust tests, the C tests and the upstream suite
#                             under ThreadSanitizer (nightly; tools/tsan.supp)
#
#   make fuzz                 every fuzz target (fuzz/) for FUZZ_SECONDS each
#                             (default 60) with libFuzzer; needs `cargo +nightly`
#                             and cargo-fuzz. FUZZFLAGS=--merge keeps what adds
#                             coverage in fuzz/corpus/; FUZZ_TARGETS=... picks
#   make fuzz-replay          every fuzz corpus entry as a regression test, on
#                             the stable toolchain (part of `make test`)
#   make fuzz-brief           FUZZ_BRIEF_SECONDS (default 10) per target where
#                             nightly and cargo-fuzz exist, else a note (CI)
#
CARGO ?= cargo
CARGOFLAGS ?=
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

# libzmq 4.3.4's libtool version: libzmq.so.5.2.4, soname libzmq.so.5.
SONAME := libzmq.so.5
REALNAME := libzmq.so.5.2.4

# What a static link needs besides libzmq.a: the Rust standard library's
# system libraries, from
#   cargo rustc --release --lib -- --print native-static-libs
LIBS_PRIVATE ?= -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

# The version users see (pkg-config --modversion), from the header's macros.
VERSION = $(shell sed -n 's/^.define ZMQ_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$$/\2/p' include/zmq.h | paste -sd.)

# A directory as libzmq.pc writes it: relative to ${prefix} when below it.
pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

# Builds (a no-op when up to date) and prints header=, cdylib=, staticlib=.
ARTIFACTS = CARGO='$(CARGO)' ./tools/cargo-artifacts.sh $(CARGOFLAGS)

.PHONY: all build header check-header install uninstall check-install

all: check-header

build:
	@$(ARTIFACTS) >/dev/null

header:
	@eval "$$($(ARTIFACTS))" && cp "$$header" include/zmq.h && echo "include/zmq.h updated from $$header"

check-header:
	@eval "$$($(ARTIFACTS))" && \
	if cmp -s "$$header" include/zmq.h; then \
	    echo "include/zmq.h is up to date"; \
	else \
	    diff -u include/zmq.h "$$header" | head -n 40; \
	    echo "include/zmq.h is stale: run 'make header'" >&2; exit 1; \
	fi

install: check-header
	@eval "$$($(ARTIFACTS))" && set -e && \
	install -d '$(DESTDIR)$(LIBDIR)' '$(DESTDIR)$(INCLUDEDIR)' '$(DESTDIR)$(PKGCONFIGDIR)' && \
	install -m 755 "$$cdylib" '$(DESTDIR)$(LIBDIR)/$(REALNAME)' && \
	ln -sf $(REALNAME) '$(DESTDIR)$(LIBDIR)/$(SONAME)' && \
	ln -sf $(REALNAME) '$(DESTDIR)$(LIBDIR)/libzmq.so' && \
	install -m 644 "$$staticlib" '$(DESTDIR)$(LIBDIR)/libzmq.a' && \
	install -m 644 include/zmq.h include/zmq_utils.h '$(DESTDIR)$(INCLUDEDIR)/' && \
	sed -e 's|@prefix@|$(PREFIX)|g' -e 's|@libdir@|$(call pc_dir,$(LIBDIR))|g' \
	    -e 's|@includedir@|$(call pc_dir,$(INCLUDEDIR))|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@LIBS_PRIVATE@|$(LIBS_PRIVATE)|g' \
	    pkgconfig/libzmq.pc.in > '$(DESTDIR)$(PKGCONFIGDIR)/libzmq.pc' && \
	chmod 644 '$(DESTDIR)$(PKGCONFIGDIR)/libzmq.pc' && \
	echo "installed libzmq $(VERSION) in $(DESTDIR)$(PREFIX)"

uninstall:
	rm -f '$(DESTDIR)$(LIBDIR)/$(REALNAME)' '$(DESTDIR)$(LIBDIR)/$(SONAME)' \
	    '$(DESTDIR)$(LIBDIR)/libzmq.so' '$(DESTDIR)$(LIBDIR)/libzmq.a' \
	    '$(DESTDIR)$(INCLUDEDIR)/zmq.h' '$(DESTDIR)$(INCLUDEDIR)/zmq_utils.h' \
	    '$(DESTDIR)$(PKGCONFIGDIR)/libzmq.pc'

# Builds tools/install-check.c against the installed copy (no DESTDIR) with
# pkg-config's flags, dynamically and statically, and runs both.
check-install:
	@PKG_CONFIG_PATH='$(PKGCONFIGDIR)' CC='$(CC)' ./tools/check-install.sh '$(PREFIX)' '$(LIBDIR)'

# Rust tests run on the release profile: the header and symbol tests inspect
# the release artifacts, and one build serves everything.
test: build
	$(CARGO) test --release $(CARGOFLAGS)
	$(MAKE) fuzz-replay
	$(MAKE) c-tests
	$(MAKE) interop
	$(MAKE) browser
	$(MAKE) pyzmq
	$(MAKE) compat-ratchet

.PHONY: test

# Our products' directory (for -L and LD_LIBRARY_PATH) is the cdylib's, as
# cargo reports it; what these targets build goes to $(TARGET_DIR).
TARGET_DIR = $(or $(CARGO_TARGET_DIR),target)
BENCHFLAGS ?=

c-tests: build
	@eval "$$($(ARTIFACTS))" && CC='$(CC)' c-tests/run --link "$$(dirname "$$cdylib")"

c-tests-system: build
	@eval "$$($(ARTIFACTS))" && CC='$(CC)' c-tests/run --link "$$(dirname "$$cdylib")" --lib system

# The demo runs against our library through a directory holding only
# libzmq.so.5 (cargo's output has no such name).
demo: build
	@eval "$$($(ARTIFACTS))" && set -e && d='$(TARGET_DIR)/demo' && \
	mkdir -p "$$d/lib" && ln -sf "$$cdylib" "$$d/lib/libzmq.so.5" && \
	$(CC) -std=c11 -Wall -Wextra -Werror -Iinclude examples/demo.c -o "$$d/demo" \
	    -L"$$(dirname "$$cdylib")" -lzmq && \
	echo "running $$d/demo against $$cdylib" && \
	LD_LIBRARY_PATH="$$d/lib" "$$d/demo"

bench-inproc: build
	@eval "$$($(ARTIFACTS))" && perf/run-inproc --ours "$$(dirname "$$cdylib")" $(BENCHFLAGS)

# ws, wss and udp (RADIO/DISH) need a libzmq with drafts and ws/wss to
# compare with, Debian's has neither: those rows take the reference 4.3.4
# that tools/build-ref-libzmq builds (once; later runs only check it),
# whatever --theirs BENCHFLAGS gives the tcp and ipc rows.
bench-net: build
	@set -e; eval "$$($(ARTIFACTS))"; ours="$$(dirname "$$cdylib")"; \
	perf/run-inproc --ours "$$ours" --transport tcp --procs 2 $(BENCHFLAGS); \
	perf/run-inproc --ours "$$ours" --transport ipc --procs 2 $(BENCHFLAGS); \
	perf/run-inproc --ours "$$ours" --transport tcp --procs 1 --no-curve $(BENCHFLAGS); \
	log='$(TARGET_DIR)/perf/ref-libzmq.log'; mkdir -p "$${log%/*}"; \
	echo "reference libzmq with drafts, ws and wss: tools/build-ref-libzmq (log: $$log)"; \
	ref="$$(tools/build-ref-libzmq 2>"$$log")" || { cat "$$log" >&2; exit 1; }; \
	ref="$$(printf '%s\n' "$$ref" | tail -n1)/lib"; \
	perf/run-inproc --ours "$$ours" --transport ws --procs 2 $(BENCHFLAGS) --theirs "$$ref"; \
	perf/run-inproc --ours "$$ours" --transport wss --procs 2 $(BENCHFLAGS) --theirs "$$ref"; \
	perf/run-inproc --ours "$$ours" --transport udp $(BENCHFLAGS) --theirs "$$ref"

bench: bench-inproc bench-net

.PHONY: c-tests c-tests-system demo bench-inproc bench-net bench

# The upstream libzmq 4.3.4 suite against our library (report), and the
# ratchet: every program listed in c-tests/compat/ratchet.txt must pass.
compat: build
	c-tests/compat/run-compat

compat-ratchet: build
	c-tests/compat/run-compat --ratchet

.PHONY: compat compat-ratchet

# Interop with Debian's libzmq and pyzmq (tests/interop/README.md).
interop: build
	@eval "$$($(ARTIFACTS))" && tests/interop/run --ours "$$(dirname "$$cdylib")/libzmq.so"

.PHONY: interop

# A browser as a ws client (tests/browser/README.md); needs Debian's chromium.
browser: build
	@eval "$$($(ARTIFACTS))" && CC='$(CC)' tests/browser/run --lib "$$(dirname "$$cdylib")"

.PHONY: browser

# pyzmq's own test suite (shipped in Debian's python3-zmq) on our library
# (tests/bindings/run-pyzmq; PYZMQFLAGS=--control also runs it on Debian's).
pyzmq: build
	@eval "$$($(ARTIFACTS))" && tests/bindings/run-pyzmq --ours "$$(dirname "$$cdylib")/libzmq.so" $(PYZMQFLAGS)

.PHONY: pyzmq

# Sanitizers and valgrind (tools/sanitize): each builds its own copy of the
# library under $(TARGET_DIR)/asan, /valgrind or /tsan and fails on any
# report or failed suite. SANFLAGS passes options, e.g. SANFLAGS='--compat "--only test_x"'.
SANFLAGS ?=

asan:
	tools/sanitize asan $(SANFLAGS)

valgrind:
	tools/sanitize valgrind $(SANFLAGS)

tsan:
	tools/sanitize tsan $(SANFLAGS)

.PHONY: asan valgrind tsan
#
# Fuzzing (fuzz/README.md). The fuzz crate is a workspace of its own, so
# none of this touches the library's build.
FUZZ_SECONDS ?= 60
FUZZ_BRIEF_SECONDS ?= 10
FUZZFLAGS ?=
FUZZ_TARGETS ?=

fuzz:
	fuzz/run --seconds $(FUZZ_SECONDS) $(FUZZFLAGS) $(FUZZ_TARGETS)

fuzz-brief:
	fuzz/run --seconds $(FUZZ_BRIEF_SECONDS) --if-available $(FUZZ_TARGETS)

fuzz-replay:
	$(CARGO) test --release --no-default-features --manifest-path fuzz/Cargo.toml

.PHONY: fuzz fuzz-brief fuzz-replay
