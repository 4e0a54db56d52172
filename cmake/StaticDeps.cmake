# Links Abseil and protobuf statically into this build's executables (LOCKSTEP_STATIC_DEPS).
#
# Why: Debian packages both as shared libraries, about 35 of them, and a process spends most of
# its start loading them: mapping each one and relocating its symbols costs about 200 page
# faults, 4 of the 7 ms a `lockstep` command took before doing any work. That start is paid by
# every command, and by every history in a batch small enough for it to matter (issue: batch
# replay of many small histories, docs/compare.md). The same packages ship the static archives
# (built position-independent), so the imported targets are pointed at them instead: nothing
# else changes, and the installed package (LockstepConfig.cmake) still names the targets, so a
# project that uses Lockstep links Abseil and protobuf as it chooses.
#
# Include after find_package(Protobuf) and find_package(absl), in the directory that called them
# (imported targets are visible there).
get_directory_property(_lockstep_imported IMPORTED_TARGETS)
set(_lockstep_static_count 0)
foreach(_target IN LISTS _lockstep_imported)
  if(NOT (_target MATCHES "^absl::" OR _target STREQUAL "protobuf::libprotobuf"))
    continue()
  endif()
  get_target_property(_type ${_target} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    continue()  # header-only parts of Abseil
  endif()
  foreach(_property IMPORTED_LOCATION IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE
                    IMPORTED_LOCATION_DEBUG IMPORTED_LOCATION_RELWITHDEBINFO)
    get_target_property(_location ${_target} ${_property})
    if(NOT _location)
      continue()
    endif()
    string(REGEX REPLACE "\\.so(\\.[0-9]+)*$" ".a" _archive "${_location}")
    if(_archive STREQUAL _location OR NOT EXISTS "${_archive}")
      message(FATAL_ERROR "LOCKSTEP_STATIC_DEPS: ${_target} has no static archive beside "
                          "${_location}; configure with -DLOCKSTEP_STATIC_DEPS=OFF")
    endif()
    set_target_properties(${_target} PROPERTIES ${_property} "${_archive}")
    math(EXPR _lockstep_static_count "${_lockstep_static_count} + 1")
  endforeach()
endforeach()
if(_lockstep_static_count EQUAL 0)
  message(FATAL_ERROR "LOCKSTEP_STATIC_DEPS: no Abseil or protobuf library target found")
endif()
# protobuf's archive needs zlib, which its shared library brought along by itself.
find_package(ZLIB REQUIRED)
set_property(TARGET protobuf::libprotobuf APPEND PROPERTY INTERFACE_LINK_LIBRARIES ZLIB::ZLIB
                                                                               Threads::Threads)
