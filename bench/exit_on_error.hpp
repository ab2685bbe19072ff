#pragma once
// What the benchmarks do with a failed setup step: say which, and exit.

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "domain/result.hpp"

namespace ticketing::bench {

template <class T>
T ok(Result<T> r, char const* what) {
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", what, r.error().message.c_str());
    std::exit(1);
  }
  return std::move(*r);
}

}  // namespace ticketing::bench
