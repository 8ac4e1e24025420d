#include "server/mailbox/mailbox_service.hpp"

#include <functional>

#include <catch2/catch.hpp>

#include "server/mailbox/curl_pop3_mailbox.hpp"
#include "shared/envelope/fault_codes.hpp"

using namespace openmps::server::mailbox;
using openmps::envelope::SubmitAck;
using openmps::envelope::SubmitFault;

namespace {

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const MailboxConfigError& e) {
    return e.what();
  }
  FAIL("no MailboxConfigError thrown");
  return "";
}

MailboxSettings parse(const std::string& yaml) {
  return parseMailboxSettings(yaml, "server.yaml", "/etc/openmps");
}

}  // namespace

TEST_CASE("the mailbox section is read with its defaults", "[mailbox-config]") {
  const auto s = parse(
      "database:\n  uri: x\nmailbox:\n  url: imaps://mail.example.com:993\n"
      "  user: openmps\n  password: secret\n  ca_file: ca.pem\n  poll_interval: 2m\n");
  CHECK(s.account.url == "imaps://mail.example.com:993");
  CHECK(s.account.user == "openmps");
  CHECK(s.account.password.reveal() == "secret");
  CHECK(s.account.folder == "INBOX");
  CHECK(s.account.quarantineFolder == "Quarantine");
  CHECK(s.account.caFile == "/etc/openmps/ca.pem");
  CHECK(s.pollInterval == std::chrono::minutes{2});
  CHECK(s.poller.maxMessagesPerPoll == 200);
}

TEST_CASE("a POP3 mailbox is read from a pop3s:// or pop3:// url", "[mailbox-config]") {
  const auto s = parse("mailbox:\n  url: pop3s://mail.example.com:995\n  user: u\n  password: p\n");
  CHECK(s.account.isPop3());
  CHECK_FALSE(s.account.isImap());
  CHECK(parse("mailbox:\n  url: pop3://m\n  user: u\n  password: p\n").account.isPop3());
  CHECK(parse("mailbox:\n  url: imap://m\n  user: u\n  password: p\n").account.isImap());
}

TEST_CASE("mailbox section errors name the file, the line and the field", "[mailbox-config]") {
  const std::string head = "mailbox:\n  user: u\n  password: p\n";
  CHECK(errorOf([&] {
          parse(head + "  url: https://x\n");
        }).starts_with("server.yaml:4:8: mailbox.url: expected imaps://"));
  CHECK(errorOf([&] {
          parse(head + "  url: pop3s://x\n  quarantine_folder: Junk\n");
        }).starts_with("server.yaml:5:22: mailbox.quarantine_folder: POP3 has no folders"));
  CHECK(errorOf([&] { parse(head); }).find("mailbox.url: missing") != std::string::npos);
  CHECK(errorOf([&] {
          parse(head + "  url: imaps://x\n  colour: red\n");
        }).find("mailbox.colour: unknown key") != std::string::npos);
  CHECK(errorOf([&] {
          parse(head + "  url: imaps://x\n  folder: \"a b\"\n");
        }).find("mailbox.folder: folder names") != std::string::npos);
  CHECK(errorOf([&] {
          parse(head + "  url: imaps://x\n  poll_interval: 0s\n");
        }).find("mailbox.poll_interval") != std::string::npos);
  CHECK(errorOf([&] {
          parse(head + "  url: imaps://x\n  password_file: /nonexistent/pw\n");
        }).find("either password or password_file") != std::string::npos);
  CHECK(errorOf([&] {
          parse("mailbox:\n  url: imaps://x\n  user: u\n");
        }).find("mailbox.password: missing") != std::string::npos);
  CHECK(errorOf([&] { parse("mailbox: yes\n"); }).find("expected a mapping") != std::string::npos);
}

TEST_CASE("ingest answers map onto the poller's verdicts", "[mailbox-config]") {
  using openmps::envelope::kFaultTampered;
  using openmps::envelope::kFaultUnavailable;
  using openmps::envelope::kFaultUnknownClient;
  CHECK(toIngestOutcome(SubmitAck{"stored", 1, 2, 3}).verdict == IngestVerdict::kStored);
  CHECK(toIngestOutcome(SubmitAck{"duplicate", 1, 2, 3}).verdict == IngestVerdict::kDuplicate);
  CHECK(toIngestOutcome(SubmitFault{kFaultTampered, "x"}).verdict == IngestVerdict::kRejected);
  CHECK(toIngestOutcome(SubmitFault{kFaultUnknownClient, "x"}).verdict == IngestVerdict::kRejected);
  const auto later = toIngestOutcome(SubmitFault{kFaultUnavailable, "database down"});
  CHECK(later.verdict == IngestVerdict::kUnavailable);
  CHECK(later.detail == "fault 201: database down");
  const auto failed = toIngestOutcome(SubmitFault{openmps::envelope::kFaultInternal, "bug"});
  CHECK(failed.verdict == IngestVerdict::kFailed);
  CHECK(failed.detail == "fault 202: bug");
}

TEST_CASE("POP3 UIDL and LIST answers are read as number to value", "[mailbox-config]") {
  const auto m = parsePop3Listing("1 000000a15f3c\r\n2 1200\r\n\r\nnot a line\r\n3\r\n4 a b\r\n");
  CHECK(m.size() == 2);
  CHECK(m.at(1) == "000000a15f3c");
  CHECK(m.at(2) == "1200");
  // In the order of the message numbers, not of their text.
  const auto ordered = parsePop3Listing("10 ten\r\n2 two\r\n");
  CHECK(ordered.begin()->first == 2);
  CHECK(parsePop3Listing("x1 abc\n99999999999 abc\n").empty());         // not a message number
  CHECK(parsePop3Listing("5 " + std::string(71, 'u') + "\n").empty());  // UIDL too long
  CHECK(parsePop3Listing("5 " + std::string(70, 'u') + "\n").size() == 1);
}
