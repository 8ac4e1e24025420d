#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

// The e-mail that carries one sealed batch (the server side is
// server/mailbox/batch_mail). Pure: no sockets.
namespace openmps::client::carrier {

struct BatchMailFields {
  std::string from;  // envelope sender and From:
  std::string to;    // the server's mailbox
  std::uint64_t clientId = 0;
  std::uint64_t batchSeq = 0;
  std::chrono::system_clock::time_point date;
  std::string clientVersion;
};

// "OpenMPS batch 17/42": names the client and the batch for the people who
// look at the mailbox, and nothing about the fleet (no customer, site,
// device or count); the fleet data is only inside the sealed attachment.
std::string batchSubject(std::uint64_t clientId, std::uint64_t batchSeq);

// A complete RFC 5322 message with CRLF line ends: a short text part and
// the sealed envelope as a base64 application/octet-stream attachment
// "openmps-<client>-<seq>.omps", plus X-OpenMPS-Envelope, X-OpenMPS-Client
// and X-OpenMPS-Batch headers. The envelope is already compressed and
// sealed (shared/envelope); the mail adds nothing secret.
std::string composeBatchMail(const BatchMailFields& fields, std::string_view sealed);

}  // namespace openmps::client::carrier
