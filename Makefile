# The two commands a newcomer needs: `make demo` and `make test`.
# Everything runs as root on Debian 12; `make deps` installs what is missing.
BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps build test unit demo bench clean

all: build

deps:
	@bash deps/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Every suite: unit, bpf, integration (netns lab with BIRD peers).
test: deps
	$(MAKE) build
	meson test -C $(BUILD) --print-errorlogs --num-processes 1; \
	rc=$$?; python3 tests/summary.py $(BUILD)/meson-logs/testlog.json && exit $$rc

unit: build
	meson test -C $(BUILD) --print-errorlogs --suite unit

demo: deps
	$(MAKE) build
	bash tests/demo.sh $(BUILD)

# Forwarding benchmark: twinpath-dp vs DPDK l3fwd on vdevs (bench/fwd/).
# Markdown table on stdout, bench/out/fwd.json.
bench: deps
	$(MAKE) build
	bash bench/fwd/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
