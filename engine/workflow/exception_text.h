// Describing an exception that escaped user code (workflow code, a handler, a condition), for
// the failure of the workflow task it broke or the error of the query it broke.
//
// Workflow code may throw anything. A std::exception says what went wrong in what(); any
// other type (`throw 42;`, a struct of the code's own) carries no message, so its description
// names its type instead, which is what the failure in the history then shows.
#ifndef LOCKSTEP_ENGINE_WORKFLOW_EXCEPTION_TEXT_H_
#define LOCKSTEP_ENGINE_WORKFLOW_EXCEPTION_TEXT_H_

#include <exception>
#include <string>

namespace lockstep {

// what() of a std::exception; otherwise "non-std exception of type <T> (not derived from
// std::exception)", T demangled ("int", "app::Oops"). `error` must not be null.
std::string DescribeException(const std::exception_ptr& error);

// The same for the exception being handled; call only inside a catch block.
std::string DescribeCurrentException();

}  // namespace lockstep

#endif  // LOCKSTEP_ENGINE_WORKFLOW_EXCEPTION_TEXT_H_
