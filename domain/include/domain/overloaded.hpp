#pragma once

namespace ticketing {

// An overload set of lambdas for std::visit. Visiting a variant with typed
// lambdas only (no catch-all) makes a new alternative a compile error until
// every fold handles it.
template <class... Fs>
struct overloaded : Fs... {  // NOLINT(readability-identifier-naming): the idiom's name, as in the standard's examples
  using Fs::operator()...;
};
template <class... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

}  // namespace ticketing
