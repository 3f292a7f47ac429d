# flowlens: the commands a user and CI need.
#   make run    install missing packages, build, run on the default interface, web UI on :3000
#   make test   install, build (Release, ASan+UBSan, clang fuzzer), run every test through ctest
#   make bench  build and run the benchmarks, printing figures and ratios against peers

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
# The web server's address: every address, as ntopng. Log in as admin/admin and choose a new
# password at once: until then the default password allows nothing else.
HTTP       ?= 3000
ARGS       ?=

export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Paths relative to the checkout: a fresh clone (CI) reuses what another checkout compiled.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= true

.PHONY: all deps ui build run test test-release test-asan test-fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

# The web UI (ui/, npm + Vite + ECharts) into httpdocs/dist/. npm's cache lives outside the
# checkout, so a fresh `npm ci` installs from it without the network.
NPM_CACHE ?= $(HOME)/.cache/npm
ui: deps
	@cd ui && npm ci --cache "$(NPM_CACHE)" --prefer-offline --no-audit --no-fund --loglevel=error
	@cd ui && npm run build --silent

build: deps ui
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# As root, flowlens drops to an unprivileged user; a checkout that user cannot read (under /root,
# say) is run without the drop, with a note.
run: build
	@if [ "$$(id -u)" = 0 ] && ! runuser -u nobody -- test -r "$(CURDIR)/scripts/lua/index.lua" 2>/dev/null; then \
	  echo "note: 'nobody' cannot read $(CURDIR): running as root (--dont-change-user)"; \
	  $(BUILD)/flowlens -w $(HTTP) --dont-change-user $(ARGS); \
	else \
	  $(BUILD)/flowlens -w $(HTTP) $(ARGS); \
	fi

test: build test-release test-asan test-fuzz

test-release:
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600

# The sanitizer build runs the unit and Lua tests: decoders and bindings under ASan + UBSan.
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DFLOWLENS_SANITIZE=ON \
	  -DFLOWLENS_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS) --target flowlens_unit_tests flowlens_lua_runner
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS) -L 'unit|lua'

# The decoder's libFuzzer target (clang, ASan + UBSan, the decoder's sources only): 60 s from
# frames of the test captures plus what earlier runs found (tests/fuzz/CMakeLists.txt).
test-fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DFLOWLENS_FUZZ=ON -DFLOWLENS_TESTS=OFF -DFLOWLENS_BENCH=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target decoder_fuzz
	cd $(FUZZ_BUILD) && ctest --output-on-failure -L fuzz

bench: build
	@bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
