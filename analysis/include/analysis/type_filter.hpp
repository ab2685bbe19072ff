#pragma once
// Which event types a reader wants: "Order*,TicketSold" is every type whose
// name starts with "Order", and TicketSold. Empty: every type.

#include <string>
#include <string_view>
#include <vector>

namespace ticketing::analysis {

class TypeFilter {
 public:
  TypeFilter() = default;
  // Names and prefixes (ending in *), comma-separated; empty items are ignored.
  explicit TypeFilter(std::string_view list);

  [[nodiscard]] bool matches(std::string_view type) const;
  [[nodiscard]] bool empty() const noexcept { return names_.empty(); }

 private:
  std::vector<std::string> names_;  // prefixes are stored without the *
  std::vector<bool> prefix_;
};

}  // namespace ticketing::analysis
