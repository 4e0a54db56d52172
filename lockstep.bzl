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
