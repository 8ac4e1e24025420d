#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

// The server's reading of one e-mail from the mailbox: is it an OpenMPS
// batch mail, and if so, which sealed envelope does it carry. Everything in
// a mailbox is untrusted: spam, bounces, forwarded mail, mail built to break
// a parser. This is a pure function over the message bytes.
namespace openmps::server::mailbox {

// What the client puts in every batch mail (client/carrier/smtp_message).
inline constexpr std::string_view kEnvelopeHeader = "X-OpenMPS-Envelope";
inline constexpr std::string_view kClientHeader = "X-OpenMPS-Client";
inline constexpr std::string_view kBatchHeader = "X-OpenMPS-Batch";
inline constexpr std::string_view kSubjectPrefix = "OpenMPS batch ";

struct MailLimits {
  std::size_t maxMessageBytes = 12u << 20;  // the whole mail as fetched
  std::size_t maxEnvelopeBytes = 8u << 20;  // the decoded attachment
  std::size_t maxParts = 8;
};

enum class MailErrorKind {
  kOversize,    // larger than a limit
  kNotOpenMps,  // no OpenMPS marks at all: spam, a bounce, a stray mail
  kMalformed,   // claims to be OpenMPS but its structure is broken
  kMismatch,    // headers name another client or batch than the envelope
};

const char* toString(MailErrorKind kind);

class MailError : public std::runtime_error {
 public:
  MailError(MailErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  MailErrorKind kind() const { return kind_; }

 private:
  MailErrorKind kind_;
};

struct BatchMail {
  std::uint64_t clientId = 0;  // from the envelope's clear header
  std::uint64_t batchSeq = 0;
  std::string sealed;     // the envelope bytes, still sealed
  std::string messageId;  // for log lines; may be empty
};

// Throws MailError naming what is wrong. A mail that passes is not yet
// trusted: only opening the envelope with the client's key proves anything.
BatchMail parseBatchMail(std::string_view raw, const MailLimits& limits = {});

}  // namespace openmps::server::mailbox
