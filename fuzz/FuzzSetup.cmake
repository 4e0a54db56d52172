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
