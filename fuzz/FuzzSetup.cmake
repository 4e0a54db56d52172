# Included by the top-level CMakeLists.txt when LOCKSTEP_FUZZ is ON, before any target is
# declared, so that what it adds reaches every library the fuzz targets link.

# libFuzzer ships with clang; GCC has no equivalent, so say so at configure time rather than
# fail at link time with an unknown -fsanitize value.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR
    "LOCKSTEP_FUZZ=ON needs clang (libFuzzer), but the C++ compiler is "
    "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}. Configure a fresh build "
    "directory with CC=clang CXX=clang++ (scripts/fuzz.sh does), or set LOCKSTEP_FUZZ=OFF.")
endif()

# The targets drive the `lockstep` subcommands in-process (tools/lockstep), which need the
# examples' registry.
set(LOCKSTEP_BUILD_TOOLS ON)

# Coverage instrumentation for all of Lockstep's code, not just the fuzz targets' own files:
# without it libFuzzer sees no new edges inside the parser, validator or replayer and cannot
# steer. The libFuzzer runtime itself (-fsanitize=fuzzer) is linked by the fuzz targets only
# (fuzz/CMakeLists.txt), since it brings a main(). Whatever LOCKSTEP_SANITIZE adds stays in
# force alongside.
add_compile_options(-fsanitize=fuzzer-no-link)

# Which code gets that instrumentation. "all" (the default; `make fuzz`) steers by every edge.
# "front-end" (`make asan-test`, whose sanitizer build also runs every test) instruments only
# what a history file reaches first: loading, validation, `show`, the replay driver and the
# command line (engine/history, replay, tools, fuzz). The counters on every comparison cost the
# simulation-heavy tests of that build about twice their time; the workflow engine then runs
# uninstrumented, still under ASan and UBSan, and fuzz_replay steers by the replayer's edges.
set(LOCKSTEP_FUZZ_COVERAGE "all" CACHE STRING "Code instrumented for libFuzzer: all or front-end")
set_property(CACHE LOCKSTEP_FUZZ_COVERAGE PROPERTY STRINGS all front-end)
if(LOCKSTEP_FUZZ_COVERAGE STREQUAL "front-end")
  # Both a src: and a fun: entry must match for a function to be instrumented. src: matches
  # a translation unit's main file, so a unity build (LOCKSTEP_UNITY_BUILD) needs the unity
  # files that batch these directories' sources, under the build tree, too.
  set(allowlist_text
    "src:${PROJECT_SOURCE_DIR}/engine/history/*\n"
    "src:${PROJECT_SOURCE_DIR}/replay/*\n"
    "src:${PROJECT_SOURCE_DIR}/tools/*\n"
    "src:${PROJECT_SOURCE_DIR}/fuzz/*\n"
    "src:${CMAKE_BINARY_DIR}/engine/history/CMakeFiles/*\n"
    "src:${CMAKE_BINARY_DIR}/replay/CMakeFiles/*\n"
    "src:${CMAKE_BINARY_DIR}/tools/*/CMakeFiles/*\n"
    "src:${CMAKE_BINARY_DIR}/fuzz/CMakeFiles/*\n"
    "fun:*\n")
  # The file is named by its content, so that a changed list changes the compile flags and
  # the build recompiles what it instruments.
  string(SHA1 allowlist_hash "${allowlist_text}")
  string(SUBSTRING "${allowlist_hash}" 0 12 allowlist_hash)
  set(allowlist "${CMAKE_BINARY_DIR}/fuzz_coverage_allowlist-${allowlist_hash}.txt")
  file(WRITE "${allowlist}" ${allowlist_text})
  add_compile_options("-fsanitize-coverage-allowlist=${allowlist}")
elseif(NOT LOCKSTEP_FUZZ_COVERAGE STREQUAL "all")
  message(FATAL_ERROR
    "LOCKSTEP_FUZZ_COVERAGE must be all or front-end, got '${LOCKSTEP_FUZZ_COVERAGE}'")
endif()
