#include "server/mailbox/mailbox_service.hpp"

#include <optional>
#include <utility>
#include <variant>

#include "server/mailbox/curl_imap_mailbox.hpp"
#include "server/mailbox/curl_pop3_mailbox.hpp"
#include "shared/envelope/fault_codes.hpp"
#include "shared/util/args.hpp"
#include "shared/util/files.hpp"
#include "shared/util/log.hpp"
#include "shared/yaml/yaml_field.hpp"

namespace openmps::server::mailbox {
namespace {

constexpr std::string_view kLog = "mailbox";

// "90", "90s", "5m", "1h".
std::chrono::seconds seconds(const yaml::Field& field, std::int64_t min, std::int64_t max) {
  std::string value = field.text();
  std::int64_t unit = 1;
  if (!value.empty() && (value.back() == 's' || value.back() == 'm' || value.back() == 'h')) {
    unit = value.back() == 'h' ? 3600 : value.back() == 'm' ? 60 : 1;
    value.pop_back();
  }
  const auto n = util::parseInt(value);
  if (!n || *n < 0 || *n > max || *n * unit < min || *n * unit > max) {
    field.fail("expected a duration from " + std::to_string(min) + "s to " + std::to_string(max) +
               "s (such as 30s, 5m or 1h)");
  }
  return std::chrono::seconds{*n * unit};
}

std::string secretFromFile(const yaml::Field& field) {
  try {
    return util::readSecretFile(field.context().resolve(field.text())).reveal();
  } catch (const std::exception& e) {
    field.fail(e.what());
  }
}

}  // namespace

MailboxSettings parseMailboxSettings(const std::string& configText, const std::string& sourceName,
                                     const std::filesystem::path& baseDir) {
  yaml::Options options;
  options.maxText = 4096;
  const yaml::Context ctx(sourceName, baseDir, yaml::throwFormatted<MailboxConfigError>, options);
  const yaml::Field root = ctx.load(configText);
  std::optional<yaml::Field> found;
  for (auto& [key, field] : root.entries()) {
    if (key == "mailbox") {
      found = field;
    }
  }
  if (!found || !found->isMap()) {
    ctx.fail(found ? found->mark() : yaml::Mark{}, "mailbox", "expected a mapping");
  }
  const yaml::Field& section = *found;
  MailboxSettings out;
  bool havePassword = false;
  std::vector<yaml::Field> folderFields;
  for (const auto& [key, v] : section.entries({"url", "user", "password", "password_file", "folder",
                                               "quarantine_folder", "ca_file", "poll_interval",
                                               "max_message_bytes", "max_messages_per_poll"})) {
    if (key == "url") {
      out.account.url = v.text();
      if (!out.account.isImap() && !out.account.isPop3()) {
        v.fail(
            "expected imaps://host[:port] or pop3s://host[:port] (TLS), or imap:// or "
            "pop3:// (STARTTLS, required)");
      }
    } else if (key == "user") {
      out.account.user = v.text();
    } else if (key == "password" || key == "password_file") {
      if (havePassword) {
        v.fail("give either password or password_file, not both");
      }
      havePassword = true;
      out.account.password = util::Secret(key == "password" ? v.text() : secretFromFile(v));
    } else if (key == "folder" || key == "quarantine_folder") {
      folderFields.push_back(v);
      const std::string name = v.text();
      if (!isSafeFolderName(name)) {
        v.fail("folder names may hold letters, digits and . _ - / (got '" + name + "')");
      }
      (key == "folder" ? out.account.folder : out.account.quarantineFolder) = name;
    } else if (key == "ca_file") {
      out.account.caFile = ctx.resolve(v.text());
    } else if (key == "poll_interval") {
      out.pollInterval = seconds(v, 1, std::int64_t{24} * 3600);
    } else if (key == "max_message_bytes") {
      out.poller.limits.maxMessageBytes =
          static_cast<std::size_t>(v.integer(4096, std::int64_t{64} << 20));
      out.poller.limits.maxEnvelopeBytes =
          std::min(out.poller.limits.maxEnvelopeBytes, out.poller.limits.maxMessageBytes);
    } else if (key == "max_messages_per_poll") {
      out.poller.maxMessagesPerPoll = static_cast<std::size_t>(v.integer(1, 100'000));
    }
  }
  const auto missing = [&](const char* key, const std::string& problem) {
    ctx.fail(section.mark(), "mailbox." + std::string(key), problem);
  };
  if (out.account.url.empty()) missing("url", "missing (imaps://host:993 or pop3s://host:995)");
  if (out.account.user.empty()) missing("user", "missing");
  if (!havePassword) missing("password", "missing (password or password_file)");
  if (out.account.isPop3() && !folderFields.empty()) {
    folderFields.front().fail(
        "POP3 has no folders: leave folder and quarantine_folder out (mails that are set aside "
        "stay in the mailbox), or use an imaps:// url");
  }
  if (out.account.folder == out.account.quarantineFolder) {
    missing("quarantine_folder", "must differ from folder");
  }
  return out;
}

IngestOutcome toIngestOutcome(const envelope::SubmitResult& result) {
  if (const auto* ack = std::get_if<envelope::SubmitAck>(&result)) {
    return {ack->status == "duplicate" ? IngestVerdict::kDuplicate : IngestVerdict::kStored,
            std::to_string(ack->items) + " readings"};
  }
  const auto& fault = std::get<envelope::SubmitFault>(result);
  const std::string detail = "fault " + std::to_string(fault.code) + ": " + fault.message;
  if (fault.code == envelope::kFaultInternal) return {IngestVerdict::kFailed, detail};
  return {envelope::isRetryableFault(fault.code) ? IngestVerdict::kUnavailable
                                                 : IngestVerdict::kRejected,
          detail};
}

namespace {
class FunctionIngest : public BatchIngest {
 public:
  explicit FunctionIngest(IngestFunction& f) : f_(f) {}
  IngestOutcome ingest(std::string_view sealed) override { return toIngestOutcome(f_(sealed)); }

 private:
  IngestFunction& f_;
};
}  // namespace

MailboxService::MailboxService(MailboxSettings settings, IngestFunction ingest,
                               BatchHistory& history)
    : settings_(std::move(settings)), ingest_(std::move(ingest)), history_(history) {}

MailboxService::~MailboxService() {
  stop();
}

void MailboxService::start() {
  thread_ = std::thread([this] { loop(); });
}

void MailboxService::stop() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MailboxService::loop() {
  const MailAccount& account = settings_.account;
  if (account.isPop3()) {
    util::logInfo(kLog) << "polling " << account.url << " every " << settings_.pollInterval.count()
                        << "s (POP3: mails set aside stay in the mailbox)";
  } else {
    util::logInfo(kLog) << "polling " << account.url << " folder " << account.folder << " every "
                        << settings_.pollInterval.count()
                        << "s (quarantine: " << account.quarantineFolder << ")";
  }
  std::unique_ptr<Mailbox> box;
  FunctionIngest ingest(ingest_);
  std::unique_ptr<MailboxPoller> poller;
  try {
    if (account.isPop3()) {
      box = std::make_unique<CurlPop3Mailbox>(account);
    } else {
      box = std::make_unique<CurlImapMailbox>(account);
    }
    poller = std::make_unique<MailboxPoller>(*box, ingest, history_, settings_.poller);
  } catch (const std::exception& e) {
    util::logError(kLog) << "mailbox poller not started: " << e.what();
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const PollReport report = poller->pollOnce();
    lock.lock();
    // A full round means more is waiting: go on at once.
    const bool more = !report.mailboxFailed && report.deferred == 0 &&
                      report.stored + report.duplicates + report.quarantined >=
                          settings_.poller.maxMessagesPerPoll;
    if (!more) wake_.wait_for(lock, settings_.pollInterval, [this] { return stopping_; });
  }
}

}  // namespace openmps::server::mailbox
