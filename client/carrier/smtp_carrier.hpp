#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "client/carrier/carrier.hpp"
#include "shared/util/secret.hpp"

// The e-mail carrier: each sealed batch as one mail through the customer's
// SMTP server (client/README.md, "E-mail carrier"). A batch counts as sent
// once that server accepted the mail; there is no acknowledgement from the
// OpenMPS server, which reports gaps in the batch numbers instead.
namespace openmps::client::carrier {

enum class SmtpTls {
  kStartTls,  // submission port 587: plain connect, then STARTTLS (required)
  kImplicit,  // port 465: TLS from the first byte
};

struct SmtpSettings {
  std::string server;  // host name or address of the SMTP server
  std::uint16_t port = 587;
  SmtpTls tls = SmtpTls::kStartTls;
  std::string user;  // empty: no AUTH (a relay that trusts the network)
  util::Secret password;
  std::string from;              // envelope sender and From:
  std::string to;                // the OpenMPS server's mailbox
  std::filesystem::path caFile;  // empty: the system's trusted CAs
  std::chrono::seconds connectTimeout{15};
  std::chrono::seconds timeout{120};
  std::string clientVersion;
};

// How a failed transfer is judged. Only a 5xx answer to the message itself
// is permanent (and refuses this batch); an unknown sender, recipient or
// password is a setting to fix, after which the same batch must still go.
SendStatus classifySmtpFailure(int curlCode, long smtpCode);

// A batch counts as delivered (kStored) once the SMTP server accepted the
// mail; the OpenMPS server answers nothing by mail, it reports gaps in the
// batch numbers instead. kDuplicate never comes from this carrier.
class SmtpCarrier final : public Carrier {
 public:
  explicit SmtpCarrier(SmtpSettings settings);

  // "smtp://host:587 → inbox@example.com" (no credentials).
  std::string name() const override;
  // Blocks for at most connectTimeout + timeout.
  SendResult send(std::uint64_t clientId, std::uint64_t batchSeq, std::string_view sealed) override;

  const SmtpSettings& settings() const { return settings_; }

 private:
  SmtpSettings settings_;
};

}  // namespace openmps::client::carrier
