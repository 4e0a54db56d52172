#!/usr/bin/env bash
# Configures tests/package/subproject, a parent project that adds Lockstep with
# add_subdirectory, and checks what Lockstep leaves in it:
#   - only Lockstep's libraries (the parent's CMakeLists.txt fails otherwise);
#   - the parent's build type untouched (Lockstep sets Release only for itself);
#   - the parent's program compiles with C++20 and Lockstep's headers, and without Lockstep's
#     warning flags.
# Usage: subproject_test.sh CMAKE LOCKSTEP_SOURCE_DIR BUILD_DIR
set -euo pipefail
cmake=$1
source_dir=$2
build_dir=$3

fail() {
  echo "subproject_test: $*" >&2
  exit 1
}

rm -rf "$build_dir"
"$cmake" -S "$source_dir/tests/package/subproject" -B "$build_dir" -G Ninja \
  -DLOCKSTEP_SOURCE_DIR="$source_dir" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  || fail "configuring the parent project failed"

build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
[[ -z "$build_type" ]] || fail "Lockstep set the parent's CMAKE_BUILD_TYPE to '$build_type'"

# The parent's program: one compile command, with the standard and the include path from
# Lockstep's targets and none of the flags Lockstep builds its own code with.
app_command=$(grep -E '"command": .*app\.cc' "$build_dir/compile_commands.json") \
  || fail "no compile command for app.cc"
[[ "$app_command" =~ -std=(c|gnu)\+\+2[0a] ]] || fail "app.cc is not compiled as C++20"
[[ "$app_command" == *"-I$source_dir "* ]] || fail "app.cc does not see Lockstep's headers"
for flag in -Wshadow -Wpedantic -Wnon-virtual-dtor -Werror; do
  [[ "$app_command" != *"$flag"* ]] || fail "Lockstep's $flag reaches the parent's app.cc"
done

# Compiling it (after the protobuf headers it includes are generated) proves the usage
# requirements suffice; linking would build all of Lockstep, which the other tests do.
"$cmake" --build "$build_dir" --target CMakeFiles/app.dir/app.cc.o >/dev/null \
  || fail "the parent's app.cc does not compile against Lockstep::engine"
echo "subproject_test: Lockstep as a subproject builds only its libraries"
