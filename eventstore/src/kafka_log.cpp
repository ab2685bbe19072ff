#include "eventstore/kafka_log.hpp"

#include <atomic>
#include <cstdio>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include <librdkafka/rdkafka.h>

#include "encoding/json_writer.hpp"
#include "eventstore/codec.hpp"
#include "eventstore/validation.hpp"

namespace ticketing {
namespace {

using SteadyClock = std::chrono::steady_clock;

Error kafka_error(std::string const& what) {
  return make_error(ErrorCode::unavailable, "event log unavailable: " + what);
}

bool set(rd_kafka_conf_t* conf, std::string const& name, std::string const& value, std::string& error) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    error = name + ": " + errstr;
    return false;
  }
  return true;
}

// librdkafka's own messages, as JSON lines on standard error like the rest
// of the server's log.
void log_line(rd_kafka_t const*, int level, char const* facility, char const* text) {
  std::string line = R"({"level":")";
  line += level <= 3 ? "error" : level <= 4 ? "warn" : "info";
  line += R"(","msg":"kafka","facility":)";
  append_json_string(line, facility);
  line += ",\"detail\":";
  append_json_string(line, text);
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

// What travels with a produced message to its delivery report.
struct Sent {
  std::string commit_id;
  std::uint64_t waiter;
};

}  // namespace

struct KafkaLog::Impl {
  KafkaLogOptions options;
  std::unique_ptr<RocksDbLog> replica;
  std::uint32_t partitions{0};

  std::shared_mutex producer_mutex;  // exclusive only to replace a producer after a fatal error
  rd_kafka_t* producer{nullptr};
  rd_kafka_t* consumer{nullptr};

  struct Waiter {
    std::uint64_t id;
    AppendCallback done;
    SteadyClock::time_point deadline;
  };
  std::mutex waiting_mutex;
  std::unordered_map<std::string, std::vector<Waiter>> waiting;  // by commit id
  std::atomic<std::uint64_t> next_waiter{0};
  std::atomic<std::int64_t> lag{0};
  std::atomic<std::uint64_t> skipped{0};
  std::atomic<bool> stopping{false};
  std::thread consumer_thread, poller_thread;

  ~Impl() {
    stopping = true;
    if (consumer_thread.joinable()) consumer_thread.join();
    if (poller_thread.joinable()) poller_thread.join();
    if (producer != nullptr) {
      rd_kafka_flush(producer, 2000);
      close_producer(producer);
    }
    if (consumer != nullptr) {
      rd_kafka_consumer_close(consumer);
      rd_kafka_destroy(consumer);
    }
    fail_all("event log is shutting down");
  }

  Result<rd_kafka_t*> make_client(rd_kafka_type_t type) {
    std::string error;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    bool ok = set(conf, "bootstrap.servers", options.brokers, error) && set(conf, "log_level", "3", error);
    rd_kafka_conf_set_log_cb(conf, &log_line);
    if (type == RD_KAFKA_PRODUCER) {
      ok = ok && set(conf, "enable.idempotence", "true", error) && set(conf, "acks", "all", error) &&
           set(conf, "linger.ms", "1", error) &&
           set(conf, "message.timeout.ms", std::to_string(options.append_timeout.count()), error);
      if (ok) {
        rd_kafka_conf_set_opaque(conf, this);
        rd_kafka_conf_set_dr_msg_cb(conf, &Impl::on_delivery);
      }
    } else {
      ok = ok && set(conf, "group.id", "ticketing-replica", error) && set(conf, "enable.auto.commit", "false", error) &&
           set(conf, "enable.auto.offset.store", "false", error) && set(conf, "auto.offset.reset", "earliest", error) &&
           set(conf, "fetch.wait.max.ms", "5", error) && set(conf, "fetch.error.backoff.ms", "50", error) &&
           set(conf, "allow.auto.create.topics", "false", error);
    }
    for (auto const& [name, value] : options.properties) ok = ok && set(conf, name, value, error);
    if (!ok) {
      rd_kafka_conf_destroy(conf);
      return make_error(ErrorCode::invalid_input, "Kafka setting " + error);
    }
    char errstr[512];
    rd_kafka_t* client = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (client == nullptr) return kafka_error(errstr);
    return client;
  }

  // Destroys a producer without losing a delivery report: what is still
  // queued or in flight (brokers down) is purged, and the reports of the
  // purged messages are served, so every message's context is freed and its
  // waiter told.
  static void close_producer(rd_kafka_t* producer) {
    rd_kafka_purge(producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(producer, 1000);
    rd_kafka_destroy(producer);
  }

  // Delivery report: only failures matter; success is learned by consuming.
  static void on_delivery(rd_kafka_t*, rd_kafka_message_t const* message, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    std::unique_ptr<Sent> sent(static_cast<Sent*>(message->_private));
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR && sent) {
      self->resolve(sent->commit_id, kafka_error(rd_kafka_err2str(message->err)), sent->waiter);
    }
  }

  // Answers the waiters of `commit_id` (only waiter `only`, if given).
  void resolve(std::string const& commit_id, Result<AppendResult> const& result,
               std::optional<std::uint64_t> only = std::nullopt) {
    std::vector<AppendCallback> ready;
    {
      std::lock_guard lock(waiting_mutex);
      auto it = waiting.find(commit_id);
      if (it == waiting.end()) return;
      auto& list = it->second;
      for (auto w = list.begin(); w != list.end();) {
        if (!only || w->id == *only) {
          ready.push_back(std::move(w->done));
          w = list.erase(w);
        } else {
          ++w;
        }
      }
      if (list.empty()) waiting.erase(it);
    }
    for (auto& done : ready) done(result);
  }

  void fail_all(std::string const& why) {
    std::unordered_map<std::string, std::vector<Waiter>> all;
    {
      std::lock_guard lock(waiting_mutex);
      all.swap(waiting);
    }
    for (auto& [id, list] : all) {
      for (auto& w : list) w.done(kafka_error(why));
    }
  }

  void run_poller() {
    while (!stopping) {
      {
        std::shared_lock lock(producer_mutex);
        rd_kafka_poll(producer, 50);
      }
      expire_waiters();
      replace_producer_after_fatal_error();
    }
  }

  void expire_waiters() {
    auto const now = SteadyClock::now();
    std::vector<AppendCallback> expired;
    {
      std::lock_guard lock(waiting_mutex);
      for (auto it = waiting.begin(); it != waiting.end();) {
        auto& list = it->second;
        for (auto w = list.begin(); w != list.end();) {
          if (w->deadline <= now) {
            expired.push_back(std::move(w->done));
            w = list.erase(w);
          } else {
            ++w;
          }
        }
        it = list.empty() ? waiting.erase(it) : std::next(it);
      }
    }
    for (auto& done : expired) done(kafka_error("the commit was not confirmed in time"));
  }

  // librdkafka 2.0's idempotent producer can raise a fatal error after a
  // "possibly persisted" failure; the cure is a new producer. A commit that
  // was persisted twice is absorbed by validation on read (same commit id).
  void replace_producer_after_fatal_error() {
    char errstr[512];
    {
      std::shared_lock lock(producer_mutex);
      if (rd_kafka_fatal_error(producer, errstr, sizeof errstr) == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    }
    auto fresh = make_client(RD_KAFKA_PRODUCER);
    if (!fresh) return;
    rd_kafka_t* old = nullptr;
    {
      std::unique_lock lock(producer_mutex);
      old = std::exchange(producer, *fresh);
    }
    close_producer(old);  // outside the lock: its reports may lead to new appends
  }

  void run_consumer(std::map<std::uint32_t, std::uint64_t> consumed) {
    rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(static_cast<int>(partitions));
    for (std::uint32_t p = 0; p < partitions; ++p) {
      auto* tp = rd_kafka_topic_partition_list_add(assignment, options.topic.c_str(), static_cast<std::int32_t>(p));
      auto const it = consumed.find(p);
      tp->offset = it == consumed.end() ? RD_KAFKA_OFFSET_BEGINNING : static_cast<std::int64_t>(it->second);
    }
    rd_kafka_assign(consumer, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);

    std::vector<ReplicatedRecord> records;
    std::map<std::uint32_t, std::uint64_t> next;
    while (!stopping) {
      records.clear();
      next.clear();
      int timeout_ms = 50;
      for (int n = 0; n < 1024; ++n) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, timeout_ms);
        if (m == nullptr) break;
        timeout_ms = 0;  // drain what is already fetched, then apply it together
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          take(m, records, next);
        }
        rd_kafka_message_destroy(m);
      }
      if (!records.empty() || !next.empty()) replica->apply_replicated(std::move(records), next);
      if (auto const fault = replica->fault(); !fault.empty()) {
        // Stopped (RocksDbLog::apply_replicated): fetch nothing more, and
        // answer now the appends whose records this node will not consume
        // (append_async refuses new ones once the fault is set).
        rd_kafka_assign(consumer, nullptr);
        fail_all(fault);
        return;
      }
      for (auto const& [p, offset] : next) consumed[p] = offset;
      update_lag(consumed);
    }
  }

  void take(rd_kafka_message_t* m, std::vector<ReplicatedRecord>& records,
            std::map<std::uint32_t, std::uint64_t>& next) {
    auto const partition = static_cast<std::uint32_t>(m->partition);
    auto const offset = static_cast<std::uint64_t>(m->offset);
    next[partition] = offset + 1;
    std::string encoded(static_cast<char const*>(m->payload), m->len);
    auto commit = decode_commit(encoded);
    if (!commit) {
      // Not a commit (hostile, corrupt, or from another producer): every
      // reader skips it alike, and this one says so.
      ++skipped;
      std::string line = R"({"level":"warn","msg":"skipped a record that is not a commit","partition":)";
      line += std::to_string(partition) + ",\"offset\":" + std::to_string(offset) + ",\"reason\":";
      append_json_string(line, commit.error().message);
      line += "}\n";
      std::fwrite(line.data(), 1, line.size(), stderr);
      return;
    }
    std::string const commit_id = commit->commit_id;
    records.push_back(
        ReplicatedRecord{std::move(*commit), std::move(encoded), Position{partition, offset},
                         [this, commit_id](Result<AppendResult> const& verdict) { resolve(commit_id, verdict); }});
  }

  // Records fetched-or-fetchable but not yet folded: the high watermark
  // (cached by the client, no request) minus what the replica has consumed.
  void update_lag(std::map<std::uint32_t, std::uint64_t> const& consumed) {
    std::int64_t total = 0;
    for (std::uint32_t p = 0; p < partitions; ++p) {
      std::int64_t low = 0, high = 0;
      if (rd_kafka_get_watermark_offsets(consumer, options.topic.c_str(), static_cast<std::int32_t>(p), &low, &high) !=
              RD_KAFKA_RESP_ERR_NO_ERROR ||
          high < 0) {
        continue;
      }
      auto const it = consumed.find(p);
      std::int64_t const position = it == consumed.end() ? low : static_cast<std::int64_t>(it->second);
      total += std::max<std::int64_t>(0, high - position);
    }
    lag = total;
  }
};

Result<std::unique_ptr<KafkaLog>> KafkaLog::open(KafkaLogOptions const& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  auto producer = impl->make_client(RD_KAFKA_PRODUCER);
  if (!producer) return producer.error();
  impl->producer = *producer;

  // The topic must exist: its partition count fixes partition_of().
  rd_kafka_topic_t* topic = rd_kafka_topic_new(impl->producer, options.topic.c_str(), nullptr);
  rd_kafka_metadata_t const* metadata = nullptr;
  auto const err = rd_kafka_metadata(impl->producer, 0, topic, &metadata, 10'000);
  rd_kafka_topic_destroy(topic);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka_error(std::string("metadata: ") + rd_kafka_err2str(err));
  int partitions = 0;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
  if (metadata->topic_cnt == 1) {
    partitions = metadata->topics[0].partition_cnt;
    topic_err = metadata->topics[0].err;
  }
  rd_kafka_metadata_destroy(metadata);
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR || partitions <= 0) {
    return kafka_error("topic " + options.topic + ": " + rd_kafka_err2str(topic_err));
  }
  impl->partitions = static_cast<std::uint32_t>(partitions);

  auto replica = RocksDbLog::open({.path = options.local_path,
                                   .partitions = impl->partitions,
                                   .sync = false,
                                   .replica = true,
                                   .env = options.replica_env});
  if (!replica) return replica.error();
  if ((*replica)->partition_count() != impl->partitions) {
    return make_error(ErrorCode::invalid_input, "the local replica has " +
                                                    std::to_string((*replica)->partition_count()) +
                                                    " partitions, the topic " + std::to_string(partitions));
  }
  impl->replica = std::move(*replica);
  auto consumed = impl->replica->consumed_offsets();  // where to resume: read before any client reads the topic
  if (!consumed) return consumed.error();
  auto consumer = impl->make_client(RD_KAFKA_CONSUMER);
  if (!consumer) return consumer.error();
  impl->consumer = *consumer;
  rd_kafka_poll_set_consumer(impl->consumer);
  impl->consumer_thread =
      std::thread([i = impl.get(), from = std::move(*consumed)]() mutable { i->run_consumer(std::move(from)); });
  impl->poller_thread = std::thread([i = impl.get()] { i->run_poller(); });
  return std::unique_ptr<KafkaLog>(new KafkaLog(std::move(impl)));
}

KafkaLog::KafkaLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaLog::~KafkaLog() = default;

std::uint32_t KafkaLog::partition_count() const noexcept { return impl_->partitions; }

void KafkaLog::append_async(Commit commit, AppendCallback done) {
  if (auto stopped = fault(); !stopped.empty()) {
    done(make_error(ErrorCode::unavailable, stopped));
    return;
  }
  if (auto structure = check_structure(commit); structure.verdict != Verdict::accepted) {
    done(make_error(ErrorCode::invalid_input, structure.message));
    return;
  }
  auto const partition = static_cast<std::int32_t>(partition_of(commit.partition_key));
  std::string const value = encode_commit(commit);
  std::string types;
  for (auto const& e : commit.events) {
    if (!types.empty()) types += ',';
    types += type_name(e);
  }
  std::uint64_t const id = ++impl_->next_waiter;
  {
    std::lock_guard lock(impl_->waiting_mutex);
    impl_->waiting[commit.commit_id].push_back(
        {id, std::move(done), SteadyClock::now() + impl_->options.append_timeout});
  }
  // A stop since the check above: the consumer's fail_all may have run
  // before this waiter was added; answered here, and not produced.
  if (auto stopped = fault(); !stopped.empty()) {
    impl_->resolve(commit.commit_id, make_error(ErrorCode::unavailable, stopped), id);
    return;
  }
  auto* sent = new Sent{commit.commit_id, id};
  rd_kafka_vu_t vus[8];
  vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  vus[0].u.cstr = impl_->options.topic.c_str();
  vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  vus[1].u.i32 = partition;
  vus[2].vtype = RD_KAFKA_VTYPE_KEY;
  vus[2].u.mem = {const_cast<char*>(commit.partition_key.data()), commit.partition_key.size()};
  vus[3].vtype = RD_KAFKA_VTYPE_VALUE;
  vus[3].u.mem = {const_cast<char*>(value.data()), value.size()};
  vus[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vus[4].u.i = RD_KAFKA_MSG_F_COPY;
  vus[5].vtype = RD_KAFKA_VTYPE_HEADER;
  vus[5].u.header = {"commit_id", commit.commit_id.data(), static_cast<ssize_t>(commit.commit_id.size())};
  vus[6].vtype = RD_KAFKA_VTYPE_HEADER;
  vus[6].u.header = {"event_types", types.data(), static_cast<ssize_t>(types.size())};
  vus[7].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vus[7].u.ptr = sent;
  rd_kafka_error_t* error = nullptr;
  {
    std::shared_lock lock(impl_->producer_mutex);
    error = rd_kafka_produceva(impl_->producer, vus, 8);
  }
  if (error != nullptr) {
    std::string const why = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    delete sent;
    impl_->resolve(commit.commit_id, kafka_error(why), id);
  }
}

Result<std::vector<RecordedEvent>> KafkaLog::read_stream(std::string const& stream, std::int64_t from_version) {
  return impl_->replica->read_stream(stream, from_version);
}
Result<std::int64_t> KafkaLog::stream_version(std::string const& stream) {
  return impl_->replica->stream_version(stream);
}
Result<std::optional<RecordedCommit>> KafkaLog::find_commit(std::string const& commit_id) {
  return impl_->replica->find_commit(commit_id);
}
Result<std::vector<RecordedCommit>> KafkaLog::read_partition(std::uint32_t partition, std::uint64_t from_offset,
                                                             std::size_t max) {
  return impl_->replica->read_partition(partition, from_offset, max);
}
Result<std::vector<StoredCommit>> KafkaLog::read_partition_stored(std::uint32_t partition, std::uint64_t from_offset,
                                                                  std::size_t max) {
  return impl_->replica->read_partition_stored(partition, from_offset, max);
}
Result<void> KafkaLog::read_partition_stored_into(std::uint32_t partition, std::uint64_t from_offset, std::size_t max,
                                                  std::vector<StoredCommit>& out) {
  return impl_->replica->read_partition_stored_into(partition, from_offset, max, out);
}
std::vector<std::uint64_t> KafkaLog::end_offsets() { return impl_->replica->end_offsets(); }
std::string KafkaLog::fault() { return impl_->replica->fault(); }
std::unique_ptr<Subscription> KafkaLog::subscribe(std::vector<std::uint64_t> from, CommitHandler handler) {
  return impl_->replica->subscribe(std::move(from), std::move(handler));
}
std::int64_t KafkaLog::replication_lag() const { return impl_->lag; }
std::uint64_t KafkaLog::skipped_records() const { return impl_->skipped; }

}  // namespace ticketing
