# The two commands a newcomer needs: `make demo` and `make test`.
# Everything runs as root on Debian 12; `make deps` installs what is missing.
BUILD ?= build
MESON_OPTS ?=
BENCH_ARGS ?=

.PHONY: all deps build test stress unit demo bench bench-instr bench-fwd-instr bench-fwd-parts failover convergence soak clean fuzz fuzz-build

all: build

deps:
	@bash deps/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The sanitizer build (docs/testing.md, "Sanitizers"): ASan and UBSan
# (fatal on its first report), a directory of its own beside $(BUILD).
ASAN_BUILD ?= build-asan

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined $(MESON_OPTS)

# Every suite: unit, bpf, integration (netns lab with BIRD peers); then
# unit and bpf again in the sanitizer build, where any ASan, UBSan or
# LeakSanitizer report fails its test. Both parts always run; the exit
# status is non-zero if either had a failure.
test: deps
	$(MAKE) build
	$(MAKE) $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	meson test -C $(BUILD) --print-errorlogs --num-processes 1 --no-suite stress; \
	rc=$$?; \
	meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 1 \
		--suite unit --suite bpf; \
	arc=$$?; \
	python3 tests/summary.py $(BUILD)/meson-logs/testlog.json || rc=1; \
	python3 tests/summary.py $(ASAN_BUILD)/meson-logs/testlog.json \
		"ASan+UBSan, unit and bpf" || arc=1; \
	[ $$rc -eq 0 ] && [ $$arc -eq 0 ]

# The BFD stress run (issue 13): 60 s at 10 ms x 3 under a CPU hog and a
# 1 M-prefix table; ~3 min. Not part of `make test` (see docs/testing.md).
stress: deps
	$(MAKE) build
	meson test -C $(BUILD) --print-errorlogs --suite stress

unit: build
	meson test -C $(BUILD) --print-errorlogs --suite unit

demo: deps
	$(MAKE) build
	bash tests/demo.sh $(BUILD)

# Forwarding benchmark: twinpath-dp vs DPDK l3fwd on vdevs (bench/fwd/).
# Markdown table on stdout, bench/out/fwd.json. BENCH_ARGS: fwd.py's
# options, e.g. "--routes 1000 --links 2 --spin-routes 1000 --alt-build
# DIR" for an A/B of another build's twinpath-dp in the same rounds.
bench: deps
	$(MAKE) build
	bash bench/fwd/run.sh $(BUILD) $(BENCH_ARGS)

# The forwarding benchmark's comparison in instructions per packet
# (bench/fwd/instr.py): twinpath-dp, twinpath-dp with suspect { } and
# l3fwd under callgrind on make bench's vdevs, one after the other, the
# harness's part apart; table on stdout, bench/out/fwd_instr.json. About
# 2 minutes a case; no hugepages.
# FWD_INSTR_ROUTES (1000), FWD_INSTR_LINKS (2).
FWD_INSTR_ROUTES ?= 1000
FWD_INSTR_LINKS ?= 2
bench-fwd-instr: deps
	$(MAKE) build
	timeout --foreground 900 python3 bench/fwd/instr.py --build $(BUILD) \
		--out bench/out --routes $(FWD_INSTR_ROUTES) \
		--links $(FWD_INSTR_LINKS)

# The forwarding benchmark's comparison in cycles per packet by part
# (bench/fwd/parts.py): one make bench case sampled by perf during its
# rounds, each program's cycles split into the harness (replay, null
# ports), rte_fib and its own code, and what issue 15's bars leave for
# twinpath-dp's own work; table on stdout, bench/out/fwd_parts.json.
# About a minute a case (longer at 100 k routes and more).
FWD_PARTS_ROUTES ?= 1000
FWD_PARTS_LINKS ?= 2
bench-fwd-parts: deps
	$(MAKE) build
	timeout --foreground 1200 python3 bench/fwd/parts.py --build $(BUILD) \
		--out bench/out --routes $(FWD_PARTS_ROUTES) \
		--links $(FWD_PARTS_LINKS)

# Link suspicion's cost in instructions per packet (bench/instr/): the
# real fwd_burst under callgrind, suspect { } on and off, IPv4, IPv6 and
# mixed traffic, then natively for its cycles (on and off in turns);
# table on stdout, bench/out/suspect_instr.json. About a minute; no
# hugepages. INSTR_PACKETS (100000), INSTR_TRAFFIC (v4,v6,mix).
INSTR_PACKETS ?= 100000
INSTR_TRAFFIC ?= v4,v6,mix
bench-instr: deps
	$(MAKE) build
	timeout --foreground 900 python3 bench/instr/run.py --build $(BUILD) \
		--out bench/out --packets $(INSTR_PACKETS) \
		--traffic $(INSTR_TRAFFIC)

# Failover (bench/failover/): twinpath and a Linux+FRR gateway side by side
# under link faults at 10 kpps over 64 flows; table on stdout,
# bench/out/failover.json and failover-*.png. FAILOVER_GATEWAYS,
# FAILOVER_GROUPS, FAILOVER_SCENARIOS narrow it (see run.sh).
failover: deps
	$(MAKE) build
	bash bench/failover/run.sh $(BUILD)

# Prefix-independent convergence (issue 15 item 1, bench/convergence/):
# 1 M prefixes from both upstreams, link1 fails (silent loss, BFD 50 ms
# x 3) and comes back, active/active then active/standby; records sent
# and times against the targets, table on stdout, bench/out/
# convergence.json. CONV_MODES, CONV_PREFIXES, CONV_FAULT (see run.sh).
convergence: deps
	$(MAKE) build
	bash bench/convergence/run.sh $(BUILD)

# Link suspicion's false positives (issue 18 item 5, bench/soak/): the lab
# at BFD 300 ms x 3 with suspect { } under bursty traffic, reroutes, loss
# episodes and a dead remote host for SOAK_MINUTES (default 20); table on
# stdout, bench/out/soak.json; fails on any suspicion or BFD Down.
soak: deps
	$(MAKE) build
	bash bench/soak/run.sh $(BUILD)

# libFuzzer (tests/fuzz/: the fast path, BGP, config, channel, control
# socket): a clang build of its own with
# ASan, UBSan and coverage on every object, each target run FUZZ_SECONDS
# from the committed seeds; a finding stops it non-zero and names its
# reproducer in $(FUZZ_BUILD)/fuzz-findings/TARGET/. The gcc build above
# is untouched.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
# FUZZ_EXTRA_CFLAGS (e.g. -fno-sanitize=alignment) with a FUZZ_BUILD of
# its own: meson keeps a build directory's flags from its setup.
FUZZ_CFLAGS = -fsanitize=fuzzer-no-link -fno-sanitize-recover=all \
	-fno-omit-frame-pointer $(FUZZ_EXTRA_CFLAGS)

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false \
		-Dc_args="$(FUZZ_CFLAGS)"

FUZZ_TARGETS = fuzz_fwd fuzz_bgp fuzz_config fuzz_chan fuzz_cli

fuzz-build: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) $(addprefix tests/fuzz/,$(FUZZ_TARGETS))

fuzz: deps
	$(MAKE) fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
