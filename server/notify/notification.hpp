#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What leaves the server as e-mail or webhook, in the form the outbox
// stores (server/notify/README.md). Plain values; no I/O.
namespace openmps::server::notify {

enum class Channel { kEmail, kWebhook };
const char* toString(Channel channel);
std::optional<Channel> channelFromString(std::string_view text);

// A file an e-mail carries: its bytes, or a reference (source, sourceId)
// that a registered loader turns into bytes when the mail is sent.
struct Attachment {
  std::string fileName;
  std::string contentType;  // "application/json", "application/pdf", ...
  std::string content;
  std::string source;  // empty: content holds the bytes
  std::int64_t sourceId = 0;
};

// One e-mail to one recipient, to be written into the outbox.
struct OutgoingMail {
  std::int64_t organisationId = 0;  // whose mail (row-level security)
  std::string kind;                 // alert.raised, alert.digest, report, test, ...
  std::string to;                   // one address, no display name
  std::string locale = "en";
  std::string subject;  // UTF-8, one line
  std::string text;     // UTF-8 plain text
  std::vector<Attachment> attachments;
};

// One webhook call to be written into the outbox.
struct OutgoingWebhook {
  std::int64_t organisationId = 0;
  std::string kind;
  std::string url;           // https://
  std::string body;          // JSON
  std::string sealedSecret;  // the signing secret as SecretBox::seal made it
};

// A notification claimed for delivery, attachments loaded.
struct Delivery {
  std::int64_t id = 0;
  std::string messageId;  // the same on every attempt
  Channel channel = Channel::kEmail;
  std::string kind;
  std::string recipient;
  std::string subject;
  std::string body;
  std::string sealedSecret;
  std::vector<Attachment> attachments;
  int attempts = 0;  // attempts before this one
  std::chrono::system_clock::time_point createdAt;
  // Why it cannot be sent as claimed (an attachment that did not load):
  // recorded as a failed attempt instead of sending.
  std::string problem;
};

enum class SendStatus {
  kSent,       // the receiver took it
  kRetry,      // try again later (network, 4xx SMTP, HTTP error)
  kPermanent,  // the receiver refused this very message for good (5xx SMTP)
};

struct SendResult {
  SendStatus status = SendStatus::kSent;
  std::string detail;  // for the log and last_error; never a secret
};

// Why an outgoing message cannot be stored, or "" when it can: every field
// is checked (addresses, header-safe subject, URL, kind, attachments), and
// the message names the field.
std::string mailProblem(const OutgoingMail& mail);
std::string webhookProblem(const OutgoingWebhook& hook);

// An address a mail may go to: local@domain, printable ASCII, no spaces,
// angle brackets, commas or line breaks (header injection), at most 254
// characters.
bool plausibleAddress(std::string_view address);

}  // namespace openmps::server::notify
