#include "server/mailbox/batch_mail.hpp"

#include <functional>
#include <random>

#include <catch2/catch.hpp>

#include "unit/server/mailbox/mail_test_support.hpp"

using namespace openmps::server::mailbox;
using namespace openmps::server::mailbox::test;

namespace {

MailErrorKind kindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const MailError& e) {
    INFO(e.what());
    return e.kind();
  }
  FAIL("no MailError thrown");
  return MailErrorKind::kMalformed;
}

std::string toLf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != '\r') out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("a batch mail yields its sealed envelope and the envelope's ids", "[mailbox]") {
  const std::string sealed = sealedEnvelope(17, 42);
  const BatchMail mail = parseBatchMail(validBatchMail(sealed));
  CHECK(mail.clientId == 17);
  CHECK(mail.batchSeq == 42);
  CHECK(mail.sealed == sealed);
  CHECK(mail.messageId == "<test-1@customer.example>");
}

TEST_CASE("a batch mail with bare LF line ends (as stored in a Maildir) parses", "[mailbox]") {
  const std::string sealed = sealedEnvelope(17, 42);
  CHECK(parseBatchMail(toLf(validBatchMail(sealed))).sealed == sealed);
}

TEST_CASE("mail without OpenMPS marks is refused as not ours", "[mailbox]") {
  const std::string spam =
      "From: offers@spam.example\r\nTo: openmps@server.example\r\nSubject: Cheap toner!!!\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nBuy now.\r\n";
  CHECK(kindOf([&] { parseBatchMail(spam); }) == MailErrorKind::kNotOpenMps);

  // Our attachment without our header is still not ours: only the header
  // says a client meant to send it here.
  MailParts p;
  p.marked = false;
  p.attachment = wrapBase64(sealedEnvelope(17, 42));
  CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kNotOpenMps);
}

TEST_CASE("random bytes are refused without a crash", "[mailbox]") {
  std::mt19937 rng(7);  // NOLINT(cert-msc32-c,cert-msc51-cpp): reproducible on purpose
  for (int round = 0; round < 200; ++round) {
    std::string garbage(static_cast<std::size_t>(rng() % 4096), '\0');
    for (char& c : garbage) c = static_cast<char>(rng() & 0xff);
    const auto kind = kindOf([&] { parseBatchMail(garbage); });
    CHECK((kind == MailErrorKind::kNotOpenMps || kind == MailErrorKind::kMalformed));
  }
  CHECK(kindOf([] { parseBatchMail(""); }) == MailErrorKind::kNotOpenMps);
}

TEST_CASE("oversize mails and attachments are refused", "[mailbox]") {
  const std::string mail = validBatchMail(sealedEnvelope(17, 42));
  MailLimits small;
  small.maxMessageBytes = mail.size() - 1;
  CHECK(kindOf([&] { parseBatchMail(mail, small); }) == MailErrorKind::kOversize);

  MailLimits tinyEnvelope;
  tinyEnvelope.maxEnvelopeBytes = 64;
  CHECK(kindOf([&] { parseBatchMail(mail, tinyEnvelope); }) == MailErrorKind::kOversize);

  MailLimits exact;
  exact.maxMessageBytes = mail.size();
  CHECK_NOTHROW(parseBatchMail(mail, exact));
}

TEST_CASE("too many MIME parts are refused", "[mailbox]") {
  MailParts p;
  p.clientHeader = "17";
  p.attachment = wrapBase64(sealedEnvelope(17, 42));
  for (int i = 0; i < 20; ++i) {
    p.extraParts += "--XYZ-boundary\r\nContent-Type: text/plain\r\n\r\nfiller\r\n";
  }
  CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kOversize);
}

TEST_CASE("OpenMPS mails with a broken structure are malformed", "[mailbox]") {
  const std::string sealed = sealedEnvelope(17, 42);
  SECTION("no attachment") {
    MailParts p;
    CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kMalformed);
  }
  SECTION("two envelope attachments") {
    MailParts p;
    p.attachment = wrapBase64(sealed);
    p.extraParts =
        "--XYZ-boundary\r\nContent-Type: application/octet-stream; name=\"b.omps\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" +
        wrapBase64(sealed);
    CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kMalformed);
  }
  SECTION("attachment that is not valid base64") {
    MailParts p;
    p.attachment = "!!!! not base64 ####\r\n";
    CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kMalformed);
  }
  SECTION("attachment that is not an envelope") {
    MailParts p;
    p.attachment = wrapBase64("just some bytes that are no envelope at all");
    CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kMalformed);
  }
  SECTION("truncated envelope") {
    MailParts p;
    p.attachment = wrapBase64(sealed.substr(0, sealed.size() / 2));
    CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kMalformed);
  }
  SECTION("client header that is not a number") {
    MailParts p;
    p.clientHeader = "seventeen";
    p.attachment = wrapBase64(sealed);
    CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kMalformed);
  }
}

TEST_CASE("headers naming another client or batch than the envelope are a mismatch", "[mailbox]") {
  const std::string sealed = sealedEnvelope(17, 42);
  MailParts p;
  p.attachment = wrapBase64(sealed);
  p.clientHeader = "18";
  CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kMismatch);
  p.clientHeader = "17";
  p.batchHeader = "43";
  CHECK(kindOf([&] { parseBatchMail(batchMail(p)); }) == MailErrorKind::kMismatch);
  p.batchHeader = "42";
  CHECK_NOTHROW(parseBatchMail(batchMail(p)));
}
