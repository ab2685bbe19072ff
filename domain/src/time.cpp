#include "domain/time.hpp"

namespace ticketing {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    char const c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

void append_iso8601(std::string& out, Instant t) {
  using namespace std::chrono;
  auto const day = floor<days>(t);
  year_month_day const ymd{day};
  hh_mm_ss const hms{t - day};
  std::size_t const at = out.size();
  out.append("0000-00-00T00:00:00.000Z");
  auto const put = [&](std::size_t pos, int width, long long value) {
    for (int i = width - 1; i >= 0; --i) {
      out[at + pos + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, 4, static_cast<int>(ymd.year()));
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, hms.hours().count());
  put(14, 2, hms.minutes().count());
  put(17, 2, hms.seconds().count());
  put(20, 3, hms.subseconds().count());
}

std::string format_iso8601(Instant t) {
  std::string out;
  append_iso8601(out, t);
  return out;
}

std::optional<Instant> parse_iso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (s.size() != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' ||
      s[23] != 'Z') {
    return std::nullopt;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec) || !digits(s, 20, 3, ms)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day const ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  return Instant{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms};
}

std::optional<Instant> parse_utc_time(std::string_view text) {
  if (auto exact = parse_iso8601(text)) return exact;
  if (text.size() == 10) return parse_iso8601(std::string(text) + "T00:00:00.000Z");
  if (text.size() == 20 && text.back() == 'Z') return parse_iso8601(std::string(text.substr(0, 19)) + ".000Z");
  return std::nullopt;
}

}  // namespace ticketing
