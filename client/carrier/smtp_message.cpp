// Poco's MailMessage writes the MIME structure; this file decides what
// goes in it.
#include "client/carrier/smtp_message.hpp"

#include <random>
#include <sstream>

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/Timestamp.h>

namespace openmps::client::carrier {

std::string batchSubject(std::uint64_t clientId, std::uint64_t batchSeq) {
  return "OpenMPS batch " + std::to_string(clientId) + "/" + std::to_string(batchSeq);
}

namespace {

std::string domainOf(const std::string& address) {
  const auto at = address.rfind('@');
  std::string domain = at == std::string::npos ? "" : address.substr(at + 1);
  while (!domain.empty() && domain.back() == '>') domain.pop_back();
  return domain.empty() ? "openmps.invalid" : domain;
}

std::string randomToken() {
  std::random_device device;
  std::ostringstream out;
  out << std::hex << device() << device();
  return out.str();
}

}  // namespace

std::string composeBatchMail(const BatchMailFields& fields, std::string_view sealed) {
  Poco::Net::MailMessage message;
  message.setSender(fields.from);
  message.addRecipient(
      Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT, fields.to));
  message.setSubject(batchSubject(fields.clientId, fields.batchSeq));
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(fields.date.time_since_epoch()).count();
  message.setDate(Poco::Timestamp(static_cast<Poco::Timestamp::TimeVal>(micros)));
  const std::string ids = std::to_string(fields.clientId) + "." + std::to_string(fields.batchSeq);
  // Unique per send: a resend of the same batch is a new mail, and the
  // server recognises the repeat by the envelope, not by this header.
  message.set("Message-ID",
              "<openmps." + ids + "." + randomToken() + "@" + domainOf(fields.from) + ">");
  message.set("X-OpenMPS-Envelope", "1");
  message.set("X-OpenMPS-Client", std::to_string(fields.clientId));
  message.set("X-OpenMPS-Batch", std::to_string(fields.batchSeq));
  message.set("X-Mailer", "OpenMPS client " + fields.clientVersion);
  // Mail filters should leave it alone and auto-responders should not answer.
  message.set("Auto-Submitted", "auto-generated");

  message.addContent(new Poco::Net::StringPartSource(  // NOLINT(cppcoreguidelines-owning-memory)
                         "This message carries one encrypted OpenMPS report batch for the "
                         "OpenMPS server's mailbox.\r\nIt contains no readable data; please do "
                         "not open, forward or answer it.\r\n",
                         "text/plain; charset=us-ascii"),
                     Poco::Net::MailMessage::ENCODING_7BIT);
  const std::string name = "openmps-" + std::to_string(fields.clientId) + "-" +
                           std::to_string(fields.batchSeq) + ".omps";
  // MailMessage takes ownership of the part source.
  message.addAttachment(name,
                        new Poco::Net::StringPartSource(  // NOLINT(cppcoreguidelines-owning-memory)
                            std::string(sealed), "application/octet-stream", name),
                        Poco::Net::MailMessage::ENCODING_BASE64);
  std::ostringstream out;
  message.write(out);
  return out.str();
}

}  // namespace openmps::client::carrier
