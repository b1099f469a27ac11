//===- CheckGroup.h - groups of checks for the layout unit tests -*- C++ -*-===//
//
// A named group of checks that prints "ok NAME: N checks" or
// "UNEXPECTED NAME: N checks, first failure: ..." when it ends, and counts
// failed groups in `failures`; `at` formats a failure's position.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_UNITTESTS_CONVERSION_CHECKGROUP_H
#define SIGATTN_UNITTESTS_CONVERSION_CHECKGROUP_H

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

namespace sigattn::testing {

/// Groups that failed so far.
inline int failures = 0;

/// One group of checks: counts them, remembers the first failure.
struct Group {
  std::string name;
  int64_t checks = 0;
  std::string firstFailure;

  explicit Group(std::string n) : name(std::move(n)) {}
  void expect(bool ok, const std::string &what) {
    ++checks;
    if (!ok && firstFailure.empty())
      firstFailure = what;
  }
  ~Group() {
    bool ok = firstFailure.empty();
    failures += !ok;
    std::printf("%s %s: %lld checks%s%s\n", ok ? "ok" : "UNEXPECTED",
                name.c_str(), static_cast<long long>(checks),
                ok ? "" : ", first failure: ", firstFailure.c_str());
  }
};

/// printf-style text of up to four integers.
inline std::string at(const char *fmt, long long a, long long b = 0,
                      long long c = 0, long long d = 0, long long e = 0,
                      long long f = 0, long long g = 0, long long h = 0) {
  char buf[200];
  std::snprintf(buf, sizeof buf, fmt, a, b, c, d, e, f, g, h);
  return buf;
}

} // namespace sigattn::testing

#endif // SIGATTN_UNITTESTS_CONVERSION_CHECKGROUP_H
