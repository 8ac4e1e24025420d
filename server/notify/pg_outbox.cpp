#include "server/notify/pg_outbox.hpp"

#include <stdexcept>

#include <pqxx/pqxx>

#include "shared/util/base64.hpp"

namespace openmps::server::notify {
namespace {

// The statements of this adapter, by name.
constexpr const char* kInsertMail =
    "INSERT INTO notifications (organisation_id, kind, channel, recipient, locale, subject, body, "
    "created_at) VALUES ($1, $2, 'email', $3, $4, $5, $6, clock_timestamp()) RETURNING id";
constexpr const char* kInsertWebhook =
    "INSERT INTO notifications (organisation_id, kind, channel, recipient, body, webhook_secret, "
    "created_at) VALUES ($1, $2, 'webhook', $3, $4, decode($5, 'base64'), clock_timestamp()) "
    "RETURNING id";
constexpr const char* kInsertContent =
    "INSERT INTO notification_attachments (notification_id, position, file_name, content_type, "
    "content) VALUES ($1, $2, $3, $4, decode($5, 'base64'))";
constexpr const char* kInsertReference =
    "INSERT INTO notification_attachments (notification_id, position, file_name, content_type, "
    "source, source_id) VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kWake = "NOTIFY openmps_outbox";

}  // namespace

std::int64_t enqueueMail(pqxx::transaction_base& txn, const OutgoingMail& mail) {
  if (const auto problem = mailProblem(mail); !problem.empty()) {
    throw std::invalid_argument("notification: " + problem);
  }
  const auto id = txn.exec_params(kInsertMail, mail.organisationId, mail.kind, mail.to, mail.locale,
                                  mail.subject, mail.text)[0][0]
                      .as<std::int64_t>();
  int position = 0;
  for (const auto& a : mail.attachments) {
    if (a.source.empty()) {
      txn.exec_params(kInsertContent, id, position, a.fileName, a.contentType,
                      util::toBase64(a.content));
    } else {
      txn.exec_params(kInsertReference, id, position, a.fileName, a.contentType, a.source,
                      a.sourceId);
    }
    ++position;
  }
  txn.exec(kWake);
  return id;
}

std::int64_t enqueueWebhook(pqxx::transaction_base& txn, const OutgoingWebhook& hook) {
  if (const auto problem = webhookProblem(hook); !problem.empty()) {
    throw std::invalid_argument("notification: " + problem);
  }
  const auto id = txn.exec_params(kInsertWebhook, hook.organisationId, hook.kind, hook.url,
                                  hook.body, util::toBase64(hook.sealedSecret))[0][0]
                      .as<std::int64_t>();
  txn.exec(kWake);
  return id;
}

}  // namespace openmps::server::notify
