# agent-tmux: `make demo` and `make test` are all a newcomer needs.
# Every target first runs scripts/setup.sh (apt packages + pinned tmux source),
# which is idempotent and quiet when everything is already there.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CARGO ?= cargo
PYTHON ?= python3
BIN := target/release/tmux
MCP_BIN := target/release/agent-tmux-mcp

.PHONY: all setup build demo test unit plain shell mcp stress stress-quick stress-adversarial stress-restarts lint bench fuzz asan valgrind test-agents agents-install test-compat install uninstall clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@$(CARGO) build --release --quiet

demo: build
	@bash scripts/demo.sh

# Unit tests (domain, property tests), lint, then the shell suite and a short
# stress run against the release binary.
test: build lint unit plain shell mcp stress-quick

unit:
	@$(CARGO) test --release --quiet

# A plain C build of the same pinned source, for the drop-in tests that talk
# to our server with an upstream client.
plain: setup
	@bash vendor/build-plain.sh

shell:
	@TMUX_BIN=$(CURDIR)/$(BIN) PLAIN_TMUX=$(CURDIR)/vendor/upstream/plain/tmux bash tests/shell/run

# agent-tmux-mcp against the official MCP Python SDK (pinned, in the
# git-ignored venv tests/mcp/.venv, made on first use): tests/mcp/test_mcp.py.
mcp: build
	@TMUX_BIN=$(CURDIR)/$(BIN) MCP_BIN=$(CURDIR)/$(MCP_BIN) bash tests/mcp/run.sh

# Stress: 32 concurrent clients run random agent, session and layout commands
# while a checker verifies the invariants; non-zero exit on any violation, hang
# or crash. stress-quick (10 s) is part of make test.
stress: build
	@$(PYTHON) stress/stress.py --tmux $(BIN) --duration 60 --clients 32 $(STRESS_ARGS)

stress-quick: build
	@$(PYTHON) stress/stress.py --tmux $(BIN) --duration 10 --clients 32

# The adversarial mix (never part of make test): upstream commands that move
# and destroy windows, panes and sessions, hooks that run commands, killed
# waits, with control clients attached, in rounds of one fresh server each.
# Stops by itself after DURATION seconds (plus at most a few minutes to shrink
# what it found); crashes, hangs and stalls go to target/stress-findings/ with
# their operations, backtrace, server -v log and a repro script.
DURATION ?= 600
stress-adversarial: build
	@$(PYTHON) stress/stress.py --tmux $(BIN) --mix adversarial --duration $(DURATION) \
		--clients 32 --server-log --findings target/stress-findings

# The persistent store under crashes (never part of make test): the server is
# killed with SIGKILL and restored about every 3 s while clients write; the
# checker verifies the durability bound and that numbers never go backwards.
# The same through make stress: make stress STRESS_ARGS="--restarts 3 --clients 4".
stress-restarts: build
	@$(PYTHON) stress/stress.py --tmux $(BIN) --restarts 3 --duration 60 --clients 4

# Benchmarks (never part of make test): they print tables of ratios.
bench: build
	@bash bench/server-cost.sh
	@bash bench/reactions.sh
	@bash bench/roundtrip.sh
	@$(PYTHON) bench/mcp-roundtrip.py
	@bash bench/memory.sh
	@bash bench/agent-state.sh
	@bash bench/store.sh

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

# Real agent CLIs offline (never part of make test; tests/agents/README.md):
# installs the versions pinned in tests/agents/package-lock.json into
# tests/agents/node_modules (npm ci, only when the lock file changed), then
# runs tests/agents/run.py against a scripted model on 127.0.0.1; screens and
# requests go to tests/agents/results/. AGENTS_ARGS passes options/patterns.
AGENTS_ARGS ?=
test-agents: build agents-install
	@TMUX_BIN=$(CURDIR)/$(BIN) $(PYTHON) tests/agents/run.py $(AGENTS_ARGS)

agents-install:
	@bash tests/agents/install.sh

# libtmux's and tmuxp's own test suites (pinned sdists from PyPI, run as an
# unprivileged user) with our binary and with the plain build as `tmux`; prints
# both counts and the tests that differ (never part of make test: it downloads).
test-compat: build plain
	@bash tests/compat/run.sh

lint:
	@bash scripts/check-layers.sh
	@$(CARGO) fmt --all -- --check
	@$(CARGO) clippy --release --quiet --all-targets -- -D warnings

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/tmux
	install -m 755 $(MCP_BIN) $(DESTDIR)$(BINDIR)/agent-tmux-mcp
	install -m 644 man/agent-tmux.1 $(DESTDIR)$(MANDIR)/man1/agent-tmux.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tmux $(DESTDIR)$(BINDIR)/agent-tmux-mcp $(DESTDIR)$(MANDIR)/man1/agent-tmux.1

clean:
	$(CARGO) clean
