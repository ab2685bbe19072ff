#include "domain/ids.hpp"

#include <algorithm>

namespace ticketing {
namespace {

bool is_decimal(std::string_view s) {
  return !s.empty() && s.size() <= 9 && s.front() != '0' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool is_generated_id(std::string_view id) noexcept {
  return id.size() == 24 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string order_id_for(std::string_view ticket_id, std::uint32_t n) {
  return std::string(ticket_id) + "-" + std::to_string(n);
}

std::string charge_id_for(std::string_view order_id, std::uint32_t n) {
  return std::string(order_id) + "-c" + std::to_string(n);
}

std::optional<std::string> ticket_id_of_order(std::string_view order_id) {
  auto const dash = order_id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view const ticket = order_id.substr(0, dash);
  if (!is_generated_id(ticket) || !is_decimal(order_id.substr(dash + 1))) return std::nullopt;
  return std::string(ticket);
}

std::optional<std::string> order_id_of_charge(std::string_view charge_id) {
  auto const pos = charge_id.rfind("-c");
  if (pos == std::string_view::npos || !is_decimal(charge_id.substr(pos + 2))) return std::nullopt;
  std::string_view const order = charge_id.substr(0, pos);
  if (!ticket_id_of_order(order)) return std::nullopt;
  return std::string(order);
}

std::string user_stream(std::string_view normalized_email) { return "user-" + std::string(normalized_email); }
std::string ticket_stream(std::string_view ticket_id) { return "ticket-" + std::string(ticket_id); }
std::string order_stream(std::string_view order_id) { return "order-" + std::string(order_id); }
std::string charge_stream(std::string_view charge_id) { return "charge-" + std::string(charge_id); }

}  // namespace ticketing
