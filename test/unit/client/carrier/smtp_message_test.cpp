#include "client/carrier/smtp_message.hpp"

#include <sstream>

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <catch2/catch.hpp>

#include "client/carrier/smtp_carrier.hpp"

using namespace openmps::client::carrier;

namespace {

struct Part {
  std::string contentType;
  std::string disposition;
  std::string body;  // decoded
};

class Collect : public Poco::Net::PartHandler {
 public:
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    Part p;
    p.contentType = header.get("Content-Type", "");
    p.disposition = header.get("Content-Disposition", "");
    Poco::StreamCopier::copyToString(stream, p.body);
    parts.push_back(p);
  }
  std::vector<Part> parts;
};

BatchMailFields fields() {
  BatchMailFields f;
  f.from = "printers@customer.example";
  f.to = "openmps@dealer.example";
  f.clientId = 17;
  f.batchSeq = 42;
  f.date = std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}};
  f.clientVersion = "0.1.0";
  return f;
}

// Every byte value, so the attachment survives any encoding mistake.
std::string allBytes() {
  std::string s;
  for (int round = 0; round < 40; ++round) {
    for (int b = 0; b < 256; ++b) s += static_cast<char>(b);
  }
  return s;
}

}  // namespace

TEST_CASE("a batch mail carries the sealed envelope as a base64 attachment", "[smtp]") {
  const std::string sealed = allBytes();
  const std::string raw = composeBatchMail(fields(), sealed);

  Poco::Net::MailMessage message;
  Collect parts;
  std::istringstream in(raw);
  message.read(in, parts);

  CHECK(message.getSubject() == "OpenMPS batch 17/42");
  CHECK(message.getSender() == "printers@customer.example");
  CHECK(message.get("X-OpenMPS-Envelope") == "1");
  CHECK(message.get("X-OpenMPS-Client") == "17");
  CHECK(message.get("X-OpenMPS-Batch") == "42");
  CHECK(message.get("Message-ID").find("@customer.example>") != std::string::npos);
  CHECK(message.get("To").find("openmps@dealer.example") != std::string::npos);
  REQUIRE(parts.parts.size() == 2);
  CHECK(parts.parts[0].contentType.starts_with("text/plain"));
  const Part& attachment = parts.parts[1];
  CHECK(attachment.contentType.starts_with("application/octet-stream"));
  CHECK(attachment.disposition.find("openmps-17-42.omps") != std::string::npos);
  CHECK(attachment.body == sealed);
}

TEST_CASE("a batch mail is plain 7-bit text with CRLF lines short enough for SMTP", "[smtp]") {
  const std::string raw = composeBatchMail(fields(), allBytes());
  std::size_t lineStart = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    REQUIRE(c < 128);
    if (c == '\n') {
      REQUIRE(i > 0);
      REQUIRE(raw[i - 1] == '\r');
      REQUIRE(i - lineStart <= 998);
      lineStart = i + 1;
    }
  }
}

TEST_CASE("the subject names client and batch and nothing of the fleet", "[smtp]") {
  CHECK(batchSubject(3, 1) == "OpenMPS batch 3/1");
  const std::string raw = composeBatchMail(fields(), "sealed bytes: SN-SECRET-123 LaserJet");
  // The clear parts of the mail hold no envelope content in readable form.
  CHECK(raw.find("SN-SECRET-123") == std::string::npos);
  CHECK(raw.find("LaserJet") == std::string::npos);
}

TEST_CASE("two sends of the same batch are two distinct mails", "[smtp]") {
  Poco::Net::MailMessage a;
  Poco::Net::MailMessage b;
  std::istringstream ina(composeBatchMail(fields(), "x"));
  std::istringstream inb(composeBatchMail(fields(), "x"));
  a.read(ina);
  b.read(inb);
  CHECK(a.get("Message-ID") != b.get("Message-ID"));
}

TEST_CASE("only a 5xx refusal of the message itself is permanent", "[smtp]") {
  // CURLE_WEIRD_SERVER_REPLY = 8, CURLE_SEND_ERROR = 55, CURLE_LOGIN_DENIED = 67,
  // CURLE_COULDNT_CONNECT = 7, CURLE_OPERATION_TIMEDOUT = 28.
  CHECK(classifySmtpFailure(8, 554) == SendStatus::kPermanent);
  CHECK(classifySmtpFailure(8, 552) == SendStatus::kPermanent);
  CHECK(classifySmtpFailure(8, 451) == SendStatus::kRetryable);
  CHECK(classifySmtpFailure(55, 550) == SendStatus::kRetryable);  // unknown recipient
  CHECK(classifySmtpFailure(67, 535) == SendStatus::kRetryable);  // wrong password
  CHECK(classifySmtpFailure(7, 0) == SendStatus::kRetryable);
  CHECK(classifySmtpFailure(28, 0) == SendStatus::kRetryable);
}

TEST_CASE("the SMTP carrier names its route without credentials", "[smtp]") {
  SmtpSettings s;
  s.server = "mail.customer.example";
  s.port = 465;
  s.tls = SmtpTls::kImplicit;
  s.user = "printers";
  s.password = openmps::util::Secret("hunter22");
  s.to = "openmps@dealer.example";
  const SmtpCarrier carrier(s);
  CHECK(carrier.name() == "smtps://mail.customer.example:465 -> openmps@dealer.example");
}
