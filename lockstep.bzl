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

# Where Lockstep's sources are, from the execution root: "" in Lockstep's own workspace,
# "external/lockstep" when it is another workspace's dependency (deps.bzl). A label at the top
# level of a .bzl file resolves in that file's repository.
_LOCKSTEP_ROOT = Label("//:BUILD.bazel").workspace_root

def lockstep_package_path():
    """The calling package's directory as actions (genrule commands) see it."""
    if _LOCKSTEP_ROOT:
        return _LOCKSTEP_ROOT + "/" + native.package_name()
    return native.package_name()

def lockstep_cc_tests(deps, extra_srcs = [], pattern = "*_test.cc", exclude = []):
    """One cc_test per file of the calling package that `pattern` matches (less `exclude`),
    named after the file (without its directory), with the package's top-level headers."""
    for src in native.glob([pattern], exclude = exclude):
        native.cc_test(
            name = src.split("/")[-1][:-len(".cc")],
            srcs = [src] + native.glob(["*.h"]) + extra_srcs,
            copts = LOCKSTEP_COPTS,
            deps = deps,
        )
