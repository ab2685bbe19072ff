#pragma once
// Personal data in what leaves the process. A password hash never leaves:
// it is emptied whatever the options. E-mail addresses (in event data, user
// stream ids and the partition keys of user commits) become a stable keyed
// pseudonym, the same for one address within one data directory, unless
// personal data is asked for.

#include <functional>
#include <string>
#include <string_view>

#include "eventstore/commit.hpp"

namespace ticketing::analysis {

class Redactor {
 public:
  // `pseudonym(email)` is a keyed hash of the address (the caller holds the
  // key): equal addresses, equal pseudonyms; nothing to learn the address from.
  using Pseudonym = std::function<std::string(std::string_view email)>;
  Redactor(Pseudonym pseudonym, bool include_personal_data)
      : pseudonym_(std::move(pseudonym)), include_personal_data_(include_personal_data) {}

  // Whether event() or stream() may change an event of this type (its data
  // or its stream): the user events. Others leave as they are.
  [[nodiscard]] static bool may_change(std::string_view type) noexcept;

  [[nodiscard]] Event event(Event event) const;
  [[nodiscard]] Commit commit(Commit commit) const;
  // "user-<email>" -> "user-<pseudonym>"; other streams unchanged.
  [[nodiscard]] std::string stream(std::string_view stream) const;
  [[nodiscard]] std::string email(std::string_view email) const;

 private:
  Pseudonym pseudonym_;
  bool include_personal_data_;
};

}  // namespace ticketing::analysis
