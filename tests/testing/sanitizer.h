// Whether this test binary runs under AddressSanitizer, for suites that scale their work down
// there (a clang -O0 sanitizer build runs simulations about twenty times slower).
#ifndef LOCKSTEP_TESTS_TESTING_SANITIZER_H_
#define LOCKSTEP_TESTS_TESTING_SANITIZER_H_

namespace lockstep::testing {

#if defined(__SANITIZE_ADDRESS__)  // g++
inline constexpr bool kUnderAddressSanitizer = true;
#elif defined(__has_feature)  // clang
#if __has_feature(address_sanitizer)
inline constexpr bool kUnderAddressSanitizer = true;
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif

}  // namespace lockstep::testing

#endif  // LOCKSTEP_TESTS_TESTING_SANITIZER_H_
