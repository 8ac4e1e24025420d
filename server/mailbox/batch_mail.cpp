// Poco's MIME reader does the parsing; this file decides what a mail means.
#include "server/mailbox/batch_mail.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <istream>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/seal.hpp"
#include "shared/util/args.hpp"

namespace openmps::server::mailbox {

const char* toString(MailErrorKind kind) {
  switch (kind) {
    case MailErrorKind::kOversize: return "oversize";
    case MailErrorKind::kNotOpenMps: return "not an OpenMPS mail";
    case MailErrorKind::kMalformed: return "malformed";
    case MailErrorKind::kMismatch: return "header mismatch";
  }
  return "unknown";
}

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Without a parse we can still tell "meant for us but broken" from
// "someone else's mail": only the former names our header.
bool mentionsOpenMps(std::string_view raw) {
  const std::string head = lower(std::string(raw.substr(0, 64u << 10)));
  return head.find(lower(std::string(kEnvelopeHeader)) + ":") != std::string::npos;
}

std::string attachmentName(const Poco::Net::MessageHeader& header) {
  std::string name;
  if (header.has("Content-Disposition")) {
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition"), disposition,
                                              params);
    name = params.get("filename", "");
  }
  if (name.empty() && header.has("Content-Type")) {
    const Poco::Net::MediaType type(header.get("Content-Type"));
    name = type.getParameter("name");
  }
  return name;
}

class EnvelopePartHandler : public Poco::Net::PartHandler {
 public:
  explicit EnvelopePartHandler(const MailLimits& limits) : limits_(limits) {}

  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    if (++parts_ > limits_.maxParts) {
      throw MailError(MailErrorKind::kOversize,
                      "more than " + std::to_string(limits_.maxParts) + " MIME parts");
    }
    if (!header.has("Content-Type")) return;
    const Poco::Net::MediaType type(header.get("Content-Type"));
    if (!type.matches("application", "octet-stream")) return;
    if (!lower(attachmentName(header)).ends_with(".omps")) return;
    if (++envelopes_ > 1) {
      throw MailError(MailErrorKind::kMalformed, "more than one envelope attachment");
    }
    // Read one byte past the limit so "exactly at the limit" still passes.
    std::string data;
    std::array<char, 16384> chunk{};
    while (stream) {
      stream.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      data.append(chunk.data(), static_cast<std::size_t>(stream.gcount()));
      if (data.size() > limits_.maxEnvelopeBytes) {
        throw MailError(MailErrorKind::kOversize, "envelope attachment larger than " +
                                                      std::to_string(limits_.maxEnvelopeBytes) +
                                                      " bytes");
      }
    }
    envelope_ = std::move(data);
  }

  int envelopes() const { return envelopes_; }
  std::string& envelope() { return envelope_; }

 private:
  const MailLimits& limits_;
  std::size_t parts_ = 0;
  int envelopes_ = 0;
  std::string envelope_;
};

std::uint64_t headerNumber(const Poco::Net::MailMessage& message, std::string_view name) {
  const std::string text = message.get(std::string(name), "");
  const auto value = util::parseInt(std::string(text));
  if (!value || *value < 0) {
    throw MailError(MailErrorKind::kMalformed,
                    std::string(name) + " is not a number: '" + text.substr(0, 40) + "'");
  }
  return static_cast<std::uint64_t>(*value);
}

}  // namespace

BatchMail parseBatchMail(std::string_view raw, const MailLimits& limits) {
  if (raw.size() > limits.maxMessageBytes) {
    throw MailError(MailErrorKind::kOversize, "mail of " + std::to_string(raw.size()) +
                                                  " bytes, larger than the limit of " +
                                                  std::to_string(limits.maxMessageBytes));
  }
  Poco::Net::MailMessage message;
  EnvelopePartHandler handler(limits);
  try {
    std::istringstream in{std::string(raw)};
    message.read(in, handler);
  } catch (const MailError&) {
    throw;
  } catch (const std::exception& e) {
    // Poco::Exception::what() is only the class name; displayText() says why.
    const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
    const std::string why = poco != nullptr ? poco->displayText() : e.what();
    if (!mentionsOpenMps(raw)) {
      throw MailError(MailErrorKind::kNotOpenMps, "not a readable MIME mail: " + why);
    }
    throw MailError(MailErrorKind::kMalformed, "unreadable MIME structure: " + why);
  }

  const bool marked = message.has(std::string(kEnvelopeHeader));
  if (!marked) {
    throw MailError(MailErrorKind::kNotOpenMps, "no " + std::string(kEnvelopeHeader) +
                                                    " header (subject '" +
                                                    message.getSubject().substr(0, 60) + "')");
  }
  if (handler.envelopes() == 0) {
    throw MailError(MailErrorKind::kMalformed, "no envelope attachment (*.omps)");
  }

  BatchMail out;
  out.messageId = message.get("Message-ID", "").substr(0, 200);
  out.sealed = std::move(handler.envelope());
  envelope::EnvelopeLimits envelopeLimits;
  envelopeLimits.maxSealedBytes = limits.maxEnvelopeBytes;
  try {
    const auto header = envelope::peekHeader(out.sealed, envelopeLimits);
    out.clientId = header.clientId;
    out.batchSeq = header.batchSeq;
  } catch (const envelope::EnvelopeError& e) {
    throw MailError(e.kind() == envelope::EnvelopeErrorKind::kOversize ? MailErrorKind::kOversize
                                                                       : MailErrorKind::kMalformed,
                    std::string("envelope attachment: ") + e.what());
  }
  // The headers are for people and filters; the envelope's header is what
  // the seal binds. A mail whose two disagree was altered on the way.
  if (message.has(std::string(kClientHeader)) &&
      headerNumber(message, kClientHeader) != out.clientId) {
    throw MailError(MailErrorKind::kMismatch, std::string(kClientHeader) + " says " +
                                                  message.get(std::string(kClientHeader)) +
                                                  ", the envelope says " +
                                                  std::to_string(out.clientId));
  }
  if (message.has(std::string(kBatchHeader)) &&
      headerNumber(message, kBatchHeader) != out.batchSeq) {
    throw MailError(MailErrorKind::kMismatch,
                    std::string(kBatchHeader) + " says " + message.get(std::string(kBatchHeader)) +
                        ", the envelope says " + std::to_string(out.batchSeq));
  }
  return out;
}

}  // namespace openmps::server::mailbox
