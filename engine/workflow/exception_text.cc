#include "engine/workflow/exception_text.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "absl/strings/str_cat.h"
#include "engine/payload/utf8.h"

namespace lockstep {
namespace {

// The demangled type of the exception being handled (the C++ ABI keeps it for catch (...)).
std::string CurrentExceptionTypeName() {
  const std::type_info* type = abi::__cxa_current_exception_type();
  if (type == nullptr) return "unknown type";
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(type->name(), nullptr, nullptr, &status), &std::free);
  return status == 0 && demangled != nullptr ? std::string(demangled.get())
                                             : std::string(type->name());
}

}  // namespace

std::string DescribeCurrentException() {
  try {
    throw;
  } catch (const std::exception& e) {
    // what() is any bytes; the failure it becomes is a string field, which must be UTF-8.
    return payload_internal::ToValidUtf8(e.what());
  } catch (...) {
    return absl::StrCat("non-std exception of type ", CurrentExceptionTypeName(),
                        " (not derived from std::exception)");
  }
}

std::string DescribeException(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (...) {
    return DescribeCurrentException();
  }
}

}  // namespace lockstep
