// The request path from raw bytes to a response: the server's parser, limits
// and framing checks (parse_request, no socket), then the Api with the real
// stack behind it (embedded log, read models, sandbox gateway) in a
// temporary directory. Whatever the bytes: an answer or a refusal, never a
// crash, never a 500, and every error a JSON {"errors":[...]}.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <unistd.h>

#include "api/api.hpp"
#include "api/errors.hpp"
#include "api/server.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "eventstore/small_store.hpp"
#include "processes/sandbox_gateway.hpp"

using namespace ticketing;

namespace {

std::filesystem::path fresh_dir() {
  auto const dir = std::filesystem::temp_directory_path() / ("ticketing-fuzz-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

template <class T>
T opened(Result<T> r) {
  if (!r) __builtin_trap();
  return std::move(*r);
}

struct Stack {
  std::filesystem::path dir = fresh_dir();
  std::unique_ptr<RocksDbLog> log = opened(RocksDbLog::open({.path = (dir / "log").string(), .partitions = 4}));
  CommandRunner runner{*log};
  Marketplace market{runner};
  std::unique_ptr<views::ViewStore> views = opened(views::ViewStore::open((dir / "views").string(), 4));
  views::Projector projector{*log, *views};
  std::unique_ptr<SandboxGateway> gateway = opened(SandboxGateway::open((dir / "gateway").string()));
  Payments payments{market, *gateway};
  SystemClock clock;
  api::TokenSigner tokens{"fuzz-key-0123456789abcdef0123456789abcdef"};
  api::PasswordHasher passwords{*api::PasswordCost::named("minimum"), 2, 8};
  api::AuthLimits limits{1'000'000};
  std::unique_ptr<ExpiringStore> responses =
      opened(ExpiringStore::open((dir / "api").string(), "replies", api::kIdempotencyWindow));
  api::IdempotencyStore idempotency{*responses};
  api::Metrics metrics;
  api::Logger logger;
  api::Services services{*log,
                         market,
                         *views,
                         projector,
                         payments,
                         clock,
                         tokens,
                         passwords,
                         limits,
                         idempotency,
                         metrics,
                         logger,
                         api::ApiConfig{.reservation_ttl = std::chrono::minutes(15),
                                        .consistency_timeout = std::chrono::milliseconds(200)},
                         api::AnalystAccess{}};
  api::Api api{services};

  Stack() { projector.start(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static bool const ready = api::init_crypto();
  static Stack stack;
  if (!ready) __builtin_trap();
  std::string_view const bytes(reinterpret_cast<char const*>(data), size);
  auto parsed = api::parse_request(bytes, api::ServerConfig{});
  if (!parsed.request) {
    if (parsed.refusal) {
      auto const status = api::error_response(*parsed.refusal).status;
      if (status != 400 && status != 413 && status != 431) __builtin_trap();
    }
    return 0;
  }
  api::HttpResponse const response = stack.api.handle(*parsed.request);
  if (response.status == 500 || response.status < 100 || response.status > 599) __builtin_trap();
  if (response.status >= 400 && !response.body.starts_with("{\"errors\":[")) __builtin_trap();
  return 0;
}
