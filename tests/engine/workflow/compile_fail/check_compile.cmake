# Compiles one case of a compile-fail snippet and checks the outcome.
#
#   cmake -DCOMPILER=<c++> -DSOURCE=<file.cc> -DCASE=<macro> -DEXPECT=fail|compile
#         [-DMESSAGE=<regex the diagnostics must match>] [-DINCLUDES=<dir|dir...>]
#         [-DSKIP_INCLUDES=<dir|dir...>] [-DFLAGS=<flag|flag...>] -P check_compile.cmake
#
# SKIP_INCLUDES are left out of INCLUDES: the compiler's own directories, which -I would
# move ahead of its C++ headers.
#
# EXPECT=fail passes only if the compiler rejects the source and its diagnostics match
# MESSAGE, so a failure for another reason (a typo, a missing header) does not count.
# EXPECT=compile passes only if it compiles without a diagnostic.
cmake_minimum_required(VERSION 3.25)

foreach(var COMPILER SOURCE CASE EXPECT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_compile.cmake: ${var} is not set")
  endif()
endforeach()
if(EXPECT STREQUAL "fail" AND (NOT DEFINED MESSAGE OR MESSAGE STREQUAL ""))
  message(FATAL_ERROR "check_compile.cmake: EXPECT=fail needs MESSAGE")
endif()

string(REPLACE "|" ";" include_list "${INCLUDES}")
string(REPLACE "|" ";" skip_list "${SKIP_INCLUDES}")
string(REPLACE "|" ";" flag_list "${FLAGS}")
set(args -std=c++20 -fsyntax-only -D${CASE}=1)
foreach(dir IN LISTS include_list)
  if(NOT dir STREQUAL "" AND NOT dir IN_LIST skip_list)
    list(APPEND args "-I${dir}")
  endif()
endforeach()
list(APPEND args ${flag_list} "${SOURCE}")

execute_process(COMMAND "${COMPILER}" ${args}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(diagnostics "${out}${err}")
list(JOIN args " " shown)
if(EXPECT STREQUAL "fail")
  if(result EQUAL 0)
    message(FATAL_ERROR "${CASE}: compiled, but must be rejected.\n${COMPILER} ${shown}")
  endif()
  if(NOT diagnostics MATCHES "${MESSAGE}")
    message(FATAL_ERROR "${CASE}: rejected, but not with the expected message "
                        "(/${MESSAGE}/):\n${diagnostics}")
  endif()
  message(STATUS "${CASE}: rejected as expected")
elseif(EXPECT STREQUAL "compile")
  if(NOT result EQUAL 0 OR NOT diagnostics STREQUAL "")
    message(FATAL_ERROR "${CASE}: must compile cleanly:\n${COMPILER} ${shown}\n${diagnostics}")
  endif()
  message(STATUS "${CASE}: compiles as expected")
else()
  message(FATAL_ERROR "check_compile.cmake: EXPECT must be fail or compile, not ${EXPECT}")
endif()
