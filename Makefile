# agent-tmux: `make demo` and `make test` are all a newcomer needs.
# Every target first runs scripts/setup.sh (apt packages + pinned tmux source),
# which is idempotent and quiet when everything is already there.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CARGO ?= cargo
PYTHON ?= python3
BIN := target/release/tmux

.PHONY: all setup build demo test unit plain shell stress stress-quick lint bench fuzz asan valgrind test-compat install uninstall clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@$(CARGO) build --release --quiet

demo: build
	@bash scripts/demo.sh

# Unit tests (domain, property tests), lint, then the shell suite and a short
# stress run against the release binary.
test: build lint unit plain shell stress-quick

unit:
	@$(CARGO) test --release --quiet

# A plain C build of the same pinned source, for the drop-in tests that talk
# to our server with an upstream client.
plain: setup
	@bash vendor/build-plain.sh

shell:
	@TMUX_BIN=$(CURDIR)/$(BIN) PLAIN_TMUX=$(CURDIR)/vendor/upstream/plain/tmux bash tests/shell/run

# Stress: 32 concurrent clients run random agent, session and layout commands
# while a checker verifies the invariants; non-zero exit on any violation, hang
# or crash. stress-quick (10 s) is part of make test.
stress: build
	@$(PYTHON) stress/stress.py --tmux $(BIN) --duration 60 --clients 32

stress-quick: build
	@$(PYTHON) stress/stress.py --tmux $(BIN) --duration 10 --clients 32

# Benchmarks (never part of make test): they print tables of ratios.
bench: build
	@bash bench/server-cost.sh
	@bash bench/reactions.sh
	@bash bench/roundtrip.sh
	@bash bench/memory.sh

# Every fuzz target (fuzz/fuzz_targets/) for FUZZ_SECONDS each, from its seed
# corpus; fails on any crash (never part of make test). Needs nightly Rust;
# installs cargo-fuzz if missing.
FUZZ_SECONDS ?= 300
fuzz: setup
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh

# Memory checks (never part of make test; tests/memcheck/README.md): the shell
# suite against an AddressSanitizer build of the C side (target/asan), and
# with every tmux server under valgrind memcheck. Both print a summary and
# fail on any invalid access or a leak attributed to agent-tmux.
asan: setup plain
	@bash tests/memcheck/asan.sh

valgrind: plain
	@bash scripts/setup.sh valgrind
	@bash tests/memcheck/valgrind.sh

# libtmux's and tmuxp's own test suites (pinned sdists from PyPI, run as an
# unprivileged user) with our binary and with the plain build as `tmux`; prints
# both counts and the tests that differ (never part of make test: it downloads).
test-compat: build plain
	@bash tests/compat/run.sh

lint:
	@$(CARGO) fmt --all -- --check
	@$(CARGO) clippy --release --quiet --all-targets -- -D warnings

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/tmux
	install -m 644 man/agent-tmux.1 $(DESTDIR)$(MANDIR)/man1/agent-tmux.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tmux $(DESTDIR)$(MANDIR)/man1/agent-tmux.1

clean:
	$(CARGO) clean
