# Lockstep's entry points. Every target installs missing Debian packages first
# (scripts/install-deps.sh, idempotent), so each works on a fresh Debian 12 machine.
#
#   make demo        release build, then the main job
#   make test        release build with warnings as errors, then every test through ctest
#   make asan-test   clang build with AddressSanitizer + UndefinedBehaviorSanitizer, then ctest
#   make sim-determinism  the same simulation seeds through the release (g++ -O3) and the
#                    sanitizer (clang -O0) builds: histories, reports and timelines compared
#   make fuzz        clang sanitizer build of the libFuzzer targets (fuzz/); each runs its corpus,
#                    then fuzzes for FUZZ_SECONDS (default 15) seconds (scripts/fuzz.sh)
#   make fuzz-check  the same targets in the asan-test build (-O0): corpus, regressions and
#                    FUZZ_CHECK_SECONDS (default 20) seconds of fuzzing each; CI runs it
#   make bazel-test  the Bazel build and its tests (offline)
#   make bazel-check every Bazel target analysed here and in examples/consumer, nothing
#                    compiled (CI; scripts/bazel-check.sh)
#   make consumer-test  release build, then examples/consumer (a project that depends on
#                    Lockstep) built and tested from the installed package and with Bazel
#   make bench       release build, then the Google Benchmark suites
#   make compare     release build, then replay one history with Lockstep and with Temporal's
#                    TypeScript SDK (installed from npm into ~/.cache/lockstep-compare)

BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
JOBS ?= $(shell nproc)
# CI builds treat warnings as errors; local builds do too unless WERROR=OFF.
WERROR ?= ON

.PHONY: deps build demo test asan-test fuzz-check sim-determinism fuzz bazel-test bazel-check \
  consumer-test bench compare \
  clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOCKSTEP_WERROR=$(WERROR) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD_DIR)/tools/lockstep/lockstep

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The sanitizer build: clang at -O0 (the optimization level farthest from the release
# build's, for sim-determinism), with the libFuzzer targets and coverage instrumentation of
# the code a history file reaches first (fuzz/FuzzSetup.cmake), so that fuzz-check needs no
# build of its own.
ASAN_CONFIGURE = CC=clang CXX=clang++ cmake -S . -B $(ASAN_DIR) -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DLOCKSTEP_WERROR=$(WERROR) -DLOCKSTEP_SANITIZE=address,undefined \
  -DLOCKSTEP_FUZZ=ON -DLOCKSTEP_FUZZ_COVERAGE=front-end -DLOCKSTEP_BENCHMARKS=OFF >/dev/null

asan-test: deps
	@$(ASAN_CONFIGURE)
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS)

# The fuzz targets of the sanitizer build: each over its corpus and regressions, then fuzzed
# for FUZZ_CHECK_SECONDS (CI runs it after asan-test).
FUZZ_CHECK_SECONDS ?= 20
fuzz-check: deps
	@$(ASAN_CONFIGURE)
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target fuzz_all
	@FUZZ_DIR=$(ASAN_DIR) FUZZ_CONFIGURE=0 FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS) JOBS=$(JOBS) \
	  bash scripts/fuzz.sh

# Reuses both builds when they exist (CI runs it after test and asan-test).
sim-determinism: build
	@$(ASAN_CONFIGURE)
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target lockstep
	@bash scripts/sim-determinism.sh $(BUILD_DIR)/tools/lockstep/lockstep \
	  $(ASAN_DIR)/tools/lockstep/lockstep

fuzz: deps
	@FUZZ_DIR=$(FUZZ_DIR) JOBS=$(JOBS) WERROR=$(WERROR) bash scripts/fuzz.sh

bazel-test:
	@LOCKSTEP_WITH_BAZEL=1 bash scripts/install-deps.sh
	@bash scripts/bazel-test.sh

bazel-check:
	@bash scripts/bazel-check.sh

consumer-test: build
	@LOCKSTEP_WITH_BAZEL=1 bash scripts/install-deps.sh
	@JOBS=$(JOBS) bash scripts/consumer-test.sh $(BUILD_DIR)

bench: build
	@for b in history payload replay replay_batch test_environment simulation; do \
	  $(BUILD_DIR)/benchmarks/$${b}_benchmark --benchmark_repetitions=5 \
	    --benchmark_report_aggregates_only=true || exit 1; \
	done
	@# Each signal case in processes of its own (scripts/bench-signals.sh says why).
	@bash scripts/bench-signals.sh $(BUILD_DIR) 5

compare: build
	@bash benchmarks/compare/compare.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
