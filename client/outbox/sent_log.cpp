#include "client/outbox/sent_log.hpp"

#include <mutex>
#include <utility>

#include "client/outbox/sqlite_database.hpp"
#include "shared/envelope/seal.hpp"
#include "shared/envelope/seal_internal.hpp"

namespace openmps::client::outbox {
namespace {

constexpr const char* kListSql =
    "SELECT id, sent_at, carrier, server, client_id, batch_seq, readings, sealed_bytes "
    "FROM sent_envelopes WHERE id < ? ORDER BY id DESC LIMIT ?";
constexpr const char* kGetSql =
    "SELECT id, sent_at, carrier, server, client_id, batch_seq, readings, sealed_bytes, content "
    "FROM sent_envelopes WHERE id = ?";
constexpr std::size_t kMaxListLimit = 1000;

SentEnvelope entryFromRow(const Statement& q) {
  return SentEnvelope{static_cast<std::uint64_t>(q.integer(0)),
                      fromUnixMillis(q.integer(1)),
                      q.text(2),
                      q.text(3),
                      static_cast<std::uint64_t>(q.integer(4)),
                      static_cast<std::uint64_t>(q.integer(5)),
                      static_cast<std::size_t>(q.integer(6)),
                      static_cast<std::size_t>(q.integer(7))};
}

std::int64_t clampId(std::uint64_t id) {
  constexpr auto kMax = static_cast<std::uint64_t>(INT64_MAX);
  return static_cast<std::int64_t>(id > kMax ? kMax : id);
}

}  // namespace

std::string carrierOf(std::string_view server) {
  if (server.starts_with("mailto:")) return "email";
  if (server.starts_with("https://")) return "https";
  return "xmlrpc";
}

struct SqliteSentEnvelopeLog::Impl {
  std::filesystem::path path;
  std::mutex mutex;
  std::unique_ptr<Database> db;

  // Opened on first use: the daemon creates the file, maybe after the UI
  // started. nullptr while there is no database yet.
  Database* open() {
    if (!db) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) return nullptr;
      db = std::make_unique<Database>(path, Database::Mode::kReadOnly);
    }
    return db.get();
  }
};

SqliteSentEnvelopeLog::SqliteSentEnvelopeLog(std::filesystem::path databasePath)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(databasePath);
}

SqliteSentEnvelopeLog::~SqliteSentEnvelopeLog() = default;

std::vector<SentEnvelope> SqliteSentEnvelopeLog::list(std::size_t limit,
                                                      std::optional<std::uint64_t> before) {
  const std::lock_guard lock(impl_->mutex);
  std::vector<SentEnvelope> out;
  Database* db = impl_->open();
  if (db == nullptr || limit == 0) return out;
  auto& q = db->statement(kListSql);
  q.bind(1, before ? clampId(*before) : INT64_MAX)
      .bind(2, static_cast<std::int64_t>(std::min(limit, kMaxListLimit)));
  while (q.step()) out.push_back(entryFromRow(q));
  q.reset();
  return out;
}

std::optional<SentEnvelopeContent> SqliteSentEnvelopeLog::get(std::uint64_t id) {
  const std::lock_guard lock(impl_->mutex);
  Database* db = impl_->open();
  if (db == nullptr) return std::nullopt;
  auto& q = db->statement(kGetSql);
  q.bind(1, clampId(id));
  if (!q.step()) {
    q.reset();
    return std::nullopt;
  }
  SentEnvelopeContent out{entryFromRow(q), q.blob(8)};
  q.reset();
  if (!out.content.empty()) {
    out.content =
        envelope::internal::inflate(out.content, envelope::EnvelopeLimits{}.maxOpenedBytes);
  }
  return out;
}

}  // namespace openmps::client::outbox
