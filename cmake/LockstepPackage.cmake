# Lockstep as a CMake package: namespaced targets in the build tree and an installed package
# that find_package(Lockstep) loads (docs/dependency.md).
#
#   lockstep_add_to_package(<target> [HEADERS <file-or-glob>...] [BASE_DIR <dir>])
#
# Makes the library <target> one of the package's targets, named Lockstep::<name> where
# <name> is the target's name without its "lockstep_" prefix (lockstep_workflow ->
# Lockstep::workflow). In the build tree (Lockstep built itself, or inside another project
# through add_subdirectory or FetchContent) Lockstep::<name> is an ALIAS of <target>; once
# installed it is the imported target that LockstepConfig.cmake defines.
#
# HEADERS are the library's public headers, relative to BASE_DIR (default: Lockstep's source
# root); entries with wildcards are globbed. They are installed under include/ at the same
# relative path, so users include them as Lockstep's own code does
# ("engine/workflow/registry.h", "temporal/api/history/v1/message.pb.h").
#
# What the library must do itself, since the installed package cannot refer to Lockstep's
# source tree or to its build-only targets:
#   - include directories that name the source or build tree: $<BUILD_INTERFACE:...>
#     (the installed include/ directory is added here);
#   - compiler warnings: link lockstep_warnings as PRIVATE $<BUILD_INTERFACE:lockstep_warnings>,
#     so they apply to Lockstep's own sources and never reach a consumer.
#
#   lockstep_install_package()
#
# Once every package library was added: the export set, LockstepConfig.cmake and
# LockstepConfigVersion.cmake (when LOCKSTEP_INSTALL is on).
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(LOCKSTEP_PACKAGE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Lockstep)

function(lockstep_add_to_package target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "BASE_DIR" "HEADERS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lockstep_add_to_package(${target}): unknown arguments "
      "${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_BASE_DIR)
    set(ARG_BASE_DIR ${PROJECT_SOURCE_DIR})
  endif()

  string(REGEX REPLACE "^lockstep_" "" name ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  add_library(Lockstep::${name} ALIAS ${target})

  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    set(scope INTERFACE)
  else()
    set(scope PUBLIC)
  endif()
  # Lockstep's headers are C++20 (coroutines, concepts, designated initializers): a consumer
  # compiles them with at least that standard.
  target_compile_features(${target} ${scope} cxx_std_20)

  set(headers)
  foreach(entry IN LISTS ARG_HEADERS)
    if(NOT IS_ABSOLUTE ${entry})
      set(entry ${ARG_BASE_DIR}/${entry})
    endif()
    if(entry MATCHES "[*?]")
      file(GLOB found CONFIGURE_DEPENDS ${entry})
      if(NOT found)
        message(FATAL_ERROR "lockstep_add_to_package(${target}): no header matches ${entry}")
      endif()
      list(APPEND headers ${found})
    else()
      list(APPEND headers ${entry})
    endif()
  endforeach()
  if(headers)
    target_sources(${target} ${scope}
      FILE_SET HEADERS BASE_DIRS ${ARG_BASE_DIR} FILES ${headers})
  endif()

  if(LOCKSTEP_INSTALL)
    install(TARGETS ${target} EXPORT LockstepTargets
      ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
      LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
      RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
      FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
      INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
endfunction()

function(lockstep_install_package)
  if(NOT LOCKSTEP_INSTALL)
    return()
  endif()
  install(EXPORT LockstepTargets
    NAMESPACE Lockstep::
    FILE LockstepTargets.cmake
    DESTINATION ${LOCKSTEP_PACKAGE_CMAKE_DIR})
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/LockstepConfig.cmake.in
    ${PROJECT_BINARY_DIR}/LockstepConfig.cmake
    INSTALL_DESTINATION ${LOCKSTEP_PACKAGE_CMAKE_DIR})
  # 0.x: a minor version may change the API, so only the same major.minor is compatible.
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/LockstepConfigVersion.cmake
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMinorVersion)
  install(FILES
    ${PROJECT_BINARY_DIR}/LockstepConfig.cmake
    ${PROJECT_BINARY_DIR}/LockstepConfigVersion.cmake
    DESTINATION ${LOCKSTEP_PACKAGE_CMAKE_DIR})
endfunction()
