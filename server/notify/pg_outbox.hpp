#pragma once

#include <cstdint>

#include "server/notify/notification.hpp"

namespace pqxx {
class transaction_base;
}

// Writing into the notification outbox, inside the caller's transaction:
// the mail or webhook is sent if and only if that transaction commits.
//
//   notify::OutgoingMail mail;
//   mail.organisationId = customerId; mail.kind = "report"; mail.to = "ap@example.com";
//   mail.locale = "de"; mail.subject = "..."; mail.text = "...";
//   mail.attachments.push_back({"billing.pdf", "application/pdf", pdfBytes});
//   // or a reference resolved when the mail is sent (a loader registered
//   // with PgDeliveryStore under that source name):
//   mail.attachments.push_back({"billing.pdf", "application/pdf", "", "report_file", fileId});
//   const auto id = notify::enqueueMail(txn, mail);
//
// Throws std::invalid_argument naming the field when the message is
// malformed (mailProblem/webhookProblem), pqxx errors as they come. Works
// as the owner and as the API's role (the outbox has row-level security on
// organisation_id).
namespace openmps::server::notify {

// NOTIFY channel that wakes the delivery workers when a writer commits.
inline constexpr const char* kOutboxChannel = "openmps_outbox";

std::int64_t enqueueMail(pqxx::transaction_base& txn, const OutgoingMail& mail);
std::int64_t enqueueWebhook(pqxx::transaction_base& txn, const OutgoingWebhook& hook);

}  // namespace openmps::server::notify
