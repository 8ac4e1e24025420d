#include "server/notify/pg_delivery_store.hpp"

#include <pqxx/pqxx>

#include "server/notify/pg_outbox.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::notify {
namespace {

// The statements of this adapter, by name (prepared on the connection).
constexpr const char* kClaim = "notify_claim";
constexpr const char* kClaimSql =
    "SELECT id, message_id, channel, kind, recipient, subject, body, webhook_secret, attempts, "
    "(extract(epoch FROM created_at) * 1000)::bigint FROM notifications "
    "WHERE state = 'queued' AND next_attempt_at <= $1::timestamptz AND channel = ANY($2::text[]) "
    "ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED";
constexpr const char* kAttachments = "notify_attachments";
constexpr const char* kAttachmentsSql =
    "SELECT file_name, content_type, content, source, coalesce(source_id, 0) "
    "FROM notification_attachments WHERE notification_id = $1 ORDER BY position";
constexpr const char* kFinish = "notify_finish";
constexpr const char* kFinishSql =
    "UPDATE notifications SET state = $2, attempts = attempts + 1, next_attempt_at = "
    "coalesce($3::timestamptz, next_attempt_at), last_error = $4, "
    "sent_at = CASE WHEN $2 = 'sent' THEN $5::timestamptz END WHERE id = $1";

class Wakeup final : public pqxx::notification_receiver {
 public:
  Wakeup(pqxx::connection_base& conn, bool& woken)
      : pqxx::notification_receiver(conn, kOutboxChannel), woken_(woken) {}
  void operator()(const std::string& /*payload*/, int /*backendPid*/) override { woken_ = true; }

 private:
  bool& woken_;
};

std::string bytes(const pqxx::field& f) {
  return f.is_null() ? std::string() : pqxx::binarystring(f).str();
}

}  // namespace

struct PgDeliveryStore::Impl {
  Impl(const util::Secret& uri, AttachmentLoaders l) : conn(uri.reveal()), loaders(std::move(l)) {
    conn.prepare(kClaim, kClaimSql);
    conn.prepare(kAttachments, kAttachmentsSql);
    conn.prepare(kFinish, kFinishSql);
  }

  pqxx::connection conn;
  AttachmentLoaders loaders;
  bool woken = false;
  Wakeup wakeup{conn, woken};
  std::unique_ptr<pqxx::work> txn;

  void loadAttachments(Delivery& d) {
    for (const auto& row : txn->exec_prepared(kAttachments, d.id)) {
      Attachment a;
      a.fileName = row[0].as<std::string>();
      a.contentType = row[1].as<std::string>();
      if (row[3].is_null()) {
        a.content = bytes(row[2]);
      } else {
        a.source = row[3].as<std::string>();
        a.sourceId = row[4].as<std::int64_t>();
        const auto it = loaders.find(a.source);
        if (it == loaders.end()) {
          throw std::runtime_error("attachment " + a.fileName + ": nothing loads source '" +
                                   a.source + "'");
        }
        a.content = it->second(*txn, a.sourceId);
      }
      d.attachments.push_back(std::move(a));
    }
  }
};

PgDeliveryStore::PgDeliveryStore(const util::Secret& databaseUri, AttachmentLoaders loaders)
    : impl_(std::make_unique<Impl>(databaseUri, std::move(loaders))) {}

PgDeliveryStore::~PgDeliveryStore() = default;

std::optional<Delivery> PgDeliveryStore::claimNext(std::chrono::system_clock::time_point now,
                                                   ChannelsReady channels) {
  std::string wanted = "{";
  if (channels.email) wanted += "email";
  if (channels.webhook) wanted += std::string(channels.email ? "," : "") + "webhook";
  wanted += "}";
  impl_->txn = std::make_unique<pqxx::work>(impl_->conn);
  const auto r = impl_->txn->exec_prepared(kClaim, util::formatRfc3339(now), wanted);
  if (r.empty()) {
    impl_->txn->commit();
    impl_->txn.reset();
    return std::nullopt;
  }
  const auto& row = r[0];
  Delivery d;
  d.id = row[0].as<std::int64_t>();
  d.messageId = row[1].as<std::string>();
  d.channel = channelFromString(row[2].as<std::string>()).value_or(Channel::kEmail);
  d.kind = row[3].as<std::string>();
  d.recipient = row[4].as<std::string>();
  d.subject = row[5].as<std::string>();
  d.body = row[6].as<std::string>();
  d.sealedSecret = bytes(row[7]);
  d.attempts = row[8].as<int>();
  d.createdAt =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(row[9].as<std::int64_t>()));
  try {
    impl_->loadAttachments(d);
  } catch (const std::runtime_error& e) {
    // Recorded like a failed send: retried, and dead in the end.
    d.attachments.clear();
    d.problem = e.what();
  }
  return d;
}

void PgDeliveryStore::finish(const Delivery& delivery, const Decision& decision,
                             const std::string& detail, std::chrono::system_clock::time_point now) {
  const char* state = decision.step == NextStep::kDone   ? "sent"
                      : decision.step == NextStep::kDead ? "dead"
                                                         : "queued";
  std::optional<std::string> next;
  if (decision.step == NextStep::kRetry) next = util::formatRfc3339(decision.nextAttemptAt);
  impl_->txn->exec_prepared(kFinish, delivery.id, std::string(state), next, detail,
                            util::formatRfc3339(now));
  impl_->txn->commit();
  impl_->txn.reset();
}

void PgDeliveryStore::abandon() {
  impl_->txn.reset();  // rolls back
}

bool PgDeliveryStore::waitForWork(std::chrono::milliseconds timeout) {
  impl_->woken = false;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  impl_->conn.await_notification(us / 1'000'000, us % 1'000'000);
  return impl_->woken;
}

}  // namespace openmps::server::notify
