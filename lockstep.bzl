# Shared Bazel settings for Lockstep's own targets.

# The warnings CMake gives Lockstep's own targets (lockstep_warnings); -Wall comes from the
# toolchain.
LOCKSTEP_COPTS = [
    "-Wextra",
    "-Wpedantic",
    "-Wshadow",
    "-Wnon-virtual-dtor",
    "-Wimplicit-fallthrough",
]

def lockstep_cc_tests(deps, extra_srcs = []):
    """One cc_test per *_test.cc of the calling package, with the package's headers."""
    for src in native.glob(["*_test.cc"]):
        native.cc_test(
            name = src[:-len(".cc")],
            srcs = [src] + native.glob(["*.h"]) + extra_srcs,
            copts = LOCKSTEP_COPTS,
            deps = deps,
        )
