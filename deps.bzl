"""The repositories Lockstep's Bazel build needs, declared by one macro.

Lockstep's own WORKSPACE calls it, and so does the WORKSPACE of a project that depends on
Lockstep (docs/dependency.md):

    local_repository(name = "lockstep", path = "path/to/lockstep")  # or an http_archive
    load("@lockstep//:deps.bzl", "lockstep_dependencies")
    lockstep_dependencies()

The repository must be named "lockstep". Everything is on disk (Debian's -dev packages under
/usr, Debian's bazel-rules-java, stubs in third_party/), so nothing is downloaded; docs/bazel.md
says why each repository exists. A repository the calling WORKSPACE already declared is left
as it is.
"""

def _lockstep_directory_impl(repository_ctx):
    directory = repository_ctx.path(repository_ctx.attr.root).dirname
    for part in repository_ctx.attr.path.split("/"):
        directory = directory.get_child(part)
    for entry in directory.readdir():
        repository_ctx.symlink(entry, entry.basename)

# A directory of Lockstep's source tree as a repository of its own (what local_repository
# does for a path relative to the main workspace).
_lockstep_directory = repository_rule(
    implementation = _lockstep_directory_impl,
    attrs = {
        "path": attr.string(mandatory = True, doc = "relative to Lockstep's root"),
        # Lockstep's root is found through a file of the repository this .bzl belongs to:
        # @lockstep in a consumer's workspace, the main repository in Lockstep's own. (A
        # label at the top level of a .bzl file resolves in that file's repository; a path
        # relative to the calling WORKSPACE could not say where Lockstep is.)
        "root": attr.label(default = Label("//:WORKSPACE")),
    },
    local = True,
)

# @system's BUILD file, in Lockstep's repository whichever workspace loads this file.
_SYSTEM_BUILD_FILE = str(Label("//third_party/system:BUILD.usr.bazel"))

def lockstep_dependencies():
    """Declares @rules_cc, @rules_java, @remote_coverage_tools and @system (see the module doc)."""

    # Bazel 4's built-in WORKSPACE suffix declares rules_cc, rules_java and
    # remote_coverage_tools as http_archives; declaring them first shadows those, so Bazel
    # never tries to fetch them.
    if not native.existing_rule("rules_cc"):
        # Stub: forwards cc_* to the native rules (@bazel_tools and @local_config_cc load it).
        _lockstep_directory(name = "rules_cc", path = "third_party/rules_cc")
    if not native.existing_rule("rules_java"):
        # Needed even for a C++-only build: toolchain resolution parses @bazel_tools//tools/jdk,
        # which loads @rules_java//java:defs.bzl. Debian's bazel-rules-java package ships it.
        native.local_repository(name = "rules_java", path = "/usr/share/bazel/rules/java")
    if not native.existing_rule("remote_coverage_tools"):
        # Stub: every test rule has implicit coverage-tool attributes pointing here.
        _lockstep_directory(
            name = "remote_coverage_tools",
            path = "third_party/remote_coverage_tools",
        )
    if not native.existing_rule("system"):
        # The system (Debian) C++ libraries, exposed as link-only cc_library targets.
        native.new_local_repository(
            name = "system",
            path = "/usr",
            build_file = _SYSTEM_BUILD_FILE,
        )
