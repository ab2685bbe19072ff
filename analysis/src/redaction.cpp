#include "analysis/redaction.hpp"

#include "domain/overloaded.hpp"

namespace ticketing::analysis {

std::string Redactor::email(std::string_view email) const {
  if (include_personal_data_) return std::string(email);
  return pseudonym_(email);
}

std::string Redactor::stream(std::string_view stream) const {
  constexpr std::string_view kUser = "user-";
  if (!stream.starts_with(kUser)) return std::string(stream);
  return std::string(kUser) + email(stream.substr(kUser.size()));
}

bool Redactor::may_change(std::string_view type) noexcept {
  return type == UserCreated::kType || type == UserSignedIn::kType || type == UserSignInFailed::kType ||
         type == UserSignedOut::kType;
}

Event Redactor::event(Event event) const {
  std::visit(overloaded{
                 [&](UserCreated& e) {
                   e.password_hash.clear();
                   // The typed form is the same person: it gets the address's pseudonym.
                   e.display_email = include_personal_data_ ? e.display_email : email(e.email);
                   e.email = email(e.email);
                 },
                 [&](UserSignedIn& e) { e.email = email(e.email); },
                 [&](UserSignInFailed& e) { e.email = email(e.email); },
                 [&](UserSignedOut& e) { e.email = email(e.email); },
                 [](auto&) {},
             },
             event);
  return event;
}

Commit Redactor::commit(Commit commit) const {
  // A user's commits are partitioned by the address.
  if (commit.partition_key.find('@') != std::string::npos) commit.partition_key = email(commit.partition_key);
  for (auto& e : commit.expected) {
    if (e.stream.starts_with("user-")) e.stream = stream(e.stream);
  }
  for (auto& e : commit.events) e = event(std::move(e));
  return commit;
}

}  // namespace ticketing::analysis
