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

def lockstep_cc_tests(deps, extra_srcs = [], pattern = "*_test.cc"):
    """One cc_test per file of the calling package that `pattern` matches, named after the
    file (without its directory), with the package's top-level headers."""
    for src in native.glob([pattern]):
        native.cc_test(
            name = src.split("/")[-1][:-len(".cc")],
            srcs = [src] + native.glob(["*.h"]) + extra_srcs,
            copts = LOCKSTEP_COPTS,
            deps = deps,
        )
