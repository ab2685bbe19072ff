#include "analysis/type_filter.hpp"

namespace ticketing::analysis {

TypeFilter::TypeFilter(std::string_view list) {
  while (!list.empty()) {
    auto const comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    bool const is_prefix = item.ends_with('*');
    if (is_prefix) item.remove_suffix(1);
    if (!item.empty() || is_prefix) {
      names_.emplace_back(item);
      prefix_.push_back(is_prefix);
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool TypeFilter::matches(std::string_view type) const {
  if (names_.empty()) return true;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (prefix_[i] ? type.starts_with(names_[i]) : type == names_[i]) return true;
  }
  return false;
}

}  // namespace ticketing::analysis
