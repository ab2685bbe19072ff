// The embedded log's stored encoding of a commit (codec.hpp,
// encode_stored_commit). Its layout:
//
//   commit  = tag commit_id partition_key correlation_id causation_id user_id
//             idempotency_key recorded_at count{expected} count{event}
//   tag     = the byte 0xB1 (never the first byte of a JSON text)
//   expected= stream version
//   event   = type schema size data           (size: data's length in bytes)
//   data    = the event's described members, in declaration order:
//             a string as a string, an integer, Money (cents) and an Instant
//             (milliseconds since the epoch) as an integer, a bool as one
//             byte 0 or 1
//   string  = count bytes (UTF-8, checked as text::valid_utf8 does)
//   integer = zigzag varint; count = varint (LEB128, at most ten bytes;
//             encoding/varint.hpp)
//
// An event's data holds the members of its type's schema as of its writing
// (written in `schema`): when a type's schema changes, an older layout is
// upgraded here as the JSON decoder upgrades older JSON.

#include "codec_detail.hpp"
#include "domain/money.hpp"
#include "domain/text.hpp"
#include "encoding/varint.hpp"
#include "event_types.hpp"
#include "eventstore/codec.hpp"

namespace ticketing {
namespace {

using codec_detail::EventTypes;
using codec_detail::index_of_type;
using codec_detail::kEventTypes;
using codec_detail::malformed;
using codec_detail::Members;
using codec_detail::schema_of;

constexpr char kTag = static_cast<char>(0xB1);

// The instants an ISO-8601 text (four-digit years) can name, so that a
// decoded commit always has a JSON form.
constexpr std::int64_t kFirstMillis = -62167219200000;  // 0000-01-01T00:00:00.000Z
constexpr std::int64_t kLastMillis = 253402300799999;   // 9999-12-31T23:59:59.999Z

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void count(std::uint64_t v) { varint::put(out_, v); }
  void integer(std::int64_t v) { varint::put_signed(out_, v); }
  void string(std::string_view s) {
    count(s.size());
    out_.append(s);
  }
  void member(std::string const& v) { string(v); }
  void member(std::int64_t v) { integer(v); }
  void member(bool v) { out_.push_back(v ? '\1' : '\0'); }
  void member(Instant v) { integer(to_millis(v)); }
  void member(Money v) { integer(v.cents); }

 private:
  std::string& out_;
};

// Reads what Writer wrote; every read fails (false) rather than pass the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  [[nodiscard]] bool at_end() const noexcept { return in_.empty(); }
  [[nodiscard]] std::size_t left() const noexcept { return in_.size(); }

  bool count(std::uint64_t& v) noexcept { return varint::get(in_, v); }
  bool integer(std::int64_t& v) noexcept { return varint::get_signed(in_, v); }
  bool bytes(std::size_t n, std::string_view& out) noexcept {
    if (n > in_.size()) return false;
    out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool string(std::string_view& out) noexcept {
    std::uint64_t n = 0;
    return count(n) && n <= left() && bytes(static_cast<std::size_t>(n), out) && text::valid_utf8(out);
  }
  bool skip_string() noexcept {
    std::uint64_t n = 0;
    std::string_view ignored;
    return count(n) && n <= left() && bytes(static_cast<std::size_t>(n), ignored);
  }
  bool instant(Instant& out) noexcept {
    std::int64_t ms = 0;
    if (!integer(ms) || ms < kFirstMillis || ms > kLastMillis) return false;
    out = from_millis(ms);
    return true;
  }

  bool member(std::string& out) {
    std::string_view s;
    if (!string(s)) return false;
    out.assign(s);
    return true;
  }
  bool member(std::int64_t& out) noexcept { return integer(out); }
  bool member(bool& out) noexcept {
    if (in_.empty() || static_cast<unsigned char>(in_.front()) > 1) return false;
    out = in_.front() == '\1';
    in_.remove_prefix(1);
    return true;
  }
  bool member(Instant& out) noexcept { return instant(out); }
  bool member(Money& out) noexcept { return integer(out.cents); }

 private:
  std::string_view in_;
};

void write_event(std::string& out, Event const& event) {
  thread_local std::string data;
  data.clear();
  Writer writer(out);
  std::visit(
      [&](auto const& e) {
        using T = std::decay_t<decltype(e)>;
        Writer members(data);
        boost::mp11::mp_for_each<Members<T>>([&](auto m) { members.member(e.*m.pointer); });
        writer.string(T::kType);
        writer.count(static_cast<std::uint64_t>(schema_of<T>()));
      },
      event);
  writer.string(data);
}

// Decodes the event of `type` whose data (written in `schema`) is `data`
// into `slot`. A slot that holds an event of the same type is written over
// member by member, so its strings keep their memory: a reader that decodes
// commit after commit into the same slots allocates only when a string
// grows. On failure the slot holds an unspecified event of some type.
Result<void> read_event_data_into(std::string_view type, std::uint64_t schema, std::string_view data, Event& slot) {
  std::size_t const index = index_of_type(type);
  if (index == kEventTypes) return malformed("unknown event type " + std::string(type));
  return boost::mp11::mp_with_index<kEventTypes>(index, [&](auto i) -> Result<void> {
    using T = boost::mp11::mp_at_c<EventTypes, decltype(i)::value>;
    if (schema != static_cast<std::uint64_t>(schema_of<T>())) {
      return malformed(std::string(type) + " has unknown schema " + std::to_string(schema));
    }
    T* event = std::get_if<T>(&slot);
    if (event == nullptr) event = &slot.template emplace<T>();
    Reader reader(data);
    bool ok = true;
    boost::mp11::mp_for_each<Members<T>>([&](auto m) { ok = ok && reader.member(event->*m.pointer); });
    if (!ok || !reader.at_end()) return malformed(std::string(type) + "'s data does not match its schema");
    return {};
  });
}

// The event of `type` whose data (written in `schema`) is `data`.
Result<Event> read_event_data(std::string_view type, std::uint64_t schema, std::string_view data) {
  Event event;
  if (auto read = read_event_data_into(type, schema, data, event); !read) return read.error();
  return event;
}

using codec_detail::BinaryEvent;

bool read_event_bytes(Reader& in, BinaryEvent& out) {
  std::uint64_t size = 0;
  return in.string(out.type) && in.count(out.schema) && in.count(size) && in.bytes(size, out.data);
}

bool skip_head(Reader& in, Instant& recorded_at) {
  for (int i = 0; i < 6; ++i) {
    if (!in.skip_string()) return false;
  }
  return in.instant(recorded_at);
}

// A count of entries that each take at least one byte: never more than are left.
bool read_entries(Reader& in, std::uint64_t& n) { return in.count(n) && n <= in.left(); }

}  // namespace

std::string encode_stored_commit(Commit const& commit) {
  std::string out;
  out.reserve(64 + 160 * commit.events.size());
  out.push_back(kTag);
  Writer w(out);
  for (std::string_view s : {std::string_view(commit.commit_id), std::string_view(commit.partition_key),
                             std::string_view(commit.meta.correlation_id), std::string_view(commit.meta.causation_id),
                             std::string_view(commit.meta.user_id), std::string_view(commit.meta.idempotency_key)}) {
    w.string(s);
  }
  w.integer(to_millis(commit.meta.recorded_at));
  w.count(commit.expected.size());
  for (auto const& e : commit.expected) {
    w.string(e.stream);
    w.integer(e.version);
  }
  w.count(commit.events.size());
  for (auto const& event : commit.events) write_event(out, event);
  return out;
}

namespace codec_detail {

bool is_binary(std::string_view bytes) noexcept { return !bytes.empty() && bytes.front() == kTag; }

Result<void> read_binary_commit(std::string_view bytes, BinaryCommit& out) {
  Reader in(bytes.substr(1));
  out.expected.clear();
  out.events.clear();
  std::uint64_t n = 0;
  if (!in.string(out.commit_id) || !in.string(out.partition_key) || !in.string(out.correlation_id) ||
      !in.string(out.causation_id) || !in.string(out.user_id) || !in.string(out.idempotency_key) ||
      !in.instant(out.recorded_at) || !read_entries(in, n)) {
    return malformed("commit's head is damaged");
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string_view stream;
    std::int64_t version = 0;
    if (!in.string(stream) || !in.integer(version)) return malformed("expected version is damaged");
    if (!is_expected_version(version)) return malformed("expected.version is out of range");
    out.expected.emplace_back(stream, version);
  }
  if (!read_entries(in, n)) return malformed("events are damaged");
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!read_event_bytes(in, out.events.emplace_back())) return malformed("event is damaged");
  }
  if (!in.at_end()) return malformed("bytes past the commit's end");
  return {};
}

Result<Event> decode_binary_event(BinaryEvent const& event) {
  return read_event_data(event.type, event.schema, event.data);
}

Result<Commit> decode_binary_commit(std::string_view bytes) {
  thread_local BinaryCommit parts;
  if (auto read = read_binary_commit(bytes, parts); !read) return read.error();
  Commit c;
  c.commit_id = parts.commit_id;
  c.partition_key = parts.partition_key;
  c.meta = CommitMeta{std::string(parts.correlation_id), std::string(parts.causation_id), std::string(parts.user_id),
                      std::string(parts.idempotency_key), parts.recorded_at};
  c.expected.reserve(parts.expected.size());
  for (auto const& [stream, version] : parts.expected) c.expected.push_back({std::string(stream), version});
  c.events.reserve(parts.events.size());
  for (auto const& e : parts.events) {
    auto event = read_event_data(e.type, e.schema, e.data);
    if (!event) return event.error();
    c.events.push_back(std::move(*event));
  }
  return c;
}

Result<void> decode_selected_binary(std::string_view bytes, bool (*wanted)(std::string_view type) noexcept,
                                    SelectedEvents& selected) {
  Reader in(bytes.substr(1));
  std::size_t kept = 0;  // slots of `selected.events` decoded into so far
  std::uint64_t n = 0;
  if (!skip_head(in, selected.recorded_at) || !read_entries(in, n)) return malformed("commit's head is damaged");
  for (std::uint64_t i = 0; i < n; ++i) {
    std::int64_t version = 0;
    if (!in.skip_string() || !in.integer(version)) return malformed("expected version is damaged");
  }
  if (!read_entries(in, n)) return malformed("events are damaged");
  for (std::uint64_t i = 0; i < n; ++i) {
    BinaryEvent e;
    if (!read_event_bytes(in, e)) return malformed("event is damaged");
    if (wanted != nullptr && !wanted(e.type)) continue;
    if (kept == selected.events.size()) selected.events.emplace_back();
    if (auto read = read_event_data_into(e.type, e.schema, e.data, selected.events[kept]); !read) return read;
    ++kept;
  }
  selected.events.resize(kept);
  if (!in.at_end()) return malformed("bytes past the commit's end");
  return {};
}

}  // namespace codec_detail
}  // namespace ticketing
