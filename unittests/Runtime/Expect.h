//===- Expect.h - the outcome lines of the runtime's unit tests -*- C++ -*-===//
//
// Each case prints one line, "ok NAME: ..." or "UNEXPECTED NAME: ...", which
// test/Runtime/description.test matches; the program exits non-zero if any
// case was unexpected.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_UNITTESTS_RUNTIME_EXPECT_H
#define SIGATTN_UNITTESTS_RUNTIME_EXPECT_H

#include "sigattn/Runtime/Runtime.h"

#include <cstdio>
#include <string>

namespace sigattn_test {

/// Cases that did not turn out as expected, over the whole program.
inline int failures = 0;

/// A call that must succeed (shouldSucceed) or fail; prints its message.
inline void expect(const char *name, const sigattn::runtime::Status &st,
                   bool shouldSucceed) {
  bool good = st.ok() == shouldSucceed;
  failures += !good;
  std::printf("%s %s: %s\n", good ? "ok" : "UNEXPECTED", name,
              st.ok() ? "success" : st.message().c_str());
}

/// A property that must hold; prints `detail` either way.
inline void check(const char *name, bool holds, const std::string &detail) {
  failures += !holds;
  std::printf("%s %s: %s\n", holds ? "ok" : "UNEXPECTED", name,
              detail.c_str());
}

/// The driver-facing tests (ModuleTest.cpp, against a mock driver).
void runModuleTests();

} // namespace sigattn_test

#endif // SIGATTN_UNITTESTS_RUNTIME_EXPECT_H
