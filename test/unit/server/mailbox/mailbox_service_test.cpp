#include "server/mailbox/mailbox_service.hpp"

#include <functional>

#include <catch2/catch.hpp>

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
  CHECK(s.imap.url == "imaps://mail.example.com:993");
  CHECK(s.imap.user == "openmps");
  CHECK(s.imap.password.reveal() == "secret");
  CHECK(s.imap.folder == "INBOX");
  CHECK(s.imap.quarantineFolder == "Quarantine");
  CHECK(s.imap.caFile == "/etc/openmps/ca.pem");
  CHECK(s.pollInterval == std::chrono::minutes{2});
  CHECK(s.poller.maxMessagesPerPoll == 200);
}

TEST_CASE("mailbox section errors name the file, the line and the field", "[mailbox-config]") {
  const std::string head = "mailbox:\n  user: u\n  password: p\n";
  CHECK(errorOf([&] {
          parse(head + "  url: pop3://x\n");
        }).starts_with("server.yaml:4:8: mailbox.url:"));
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
