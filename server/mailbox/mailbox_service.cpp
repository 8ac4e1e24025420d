#include "server/mailbox/mailbox_service.hpp"

#include <utility>
#include <variant>

#include <yaml-cpp/yaml.h>

#include "shared/envelope/fault_codes.hpp"
#include "shared/util/args.hpp"
#include "shared/util/files.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::mailbox {
namespace {

constexpr std::string_view kLog = "mailbox";

struct Reader {
  std::string sourceName;
  std::filesystem::path baseDir;

  [[noreturn]] void fail(const YAML::Node& node, const std::string& path,
                         const std::string& problem) const {
    std::string where = sourceName;
    const YAML::Mark mark = node.Mark();
    if (!mark.is_null()) {
      where += ':' + std::to_string(mark.line + 1) + ':' + std::to_string(mark.column + 1);
    }
    throw MailboxConfigError(where + ": mailbox." + path + ": " + problem);
  }
  std::string text(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) fail(node, path, "expected a single value");
    if (node.Scalar().size() > 4096) fail(node, path, "longer than 4096 characters");
    return node.Scalar();
  }
  std::int64_t integer(const YAML::Node& node, const std::string& path, std::int64_t min,
                       std::int64_t max) const {
    const std::string value = text(node, path);
    const auto n = util::parseInt(value);
    if (!n || *n < min || *n > max) {
      fail(node, path,
           "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
               ", got '" + value + "'");
    }
    return *n;
  }
  // "90", "90s", "5m", "1h".
  std::chrono::seconds seconds(const YAML::Node& node, const std::string& path, std::int64_t min,
                               std::int64_t max) const {
    std::string value = text(node, path);
    std::int64_t unit = 1;
    if (!value.empty() && (value.back() == 's' || value.back() == 'm' || value.back() == 'h')) {
      unit = value.back() == 'h' ? 3600 : value.back() == 'm' ? 60 : 1;
      value.pop_back();
    }
    const auto n = util::parseInt(value);
    if (!n || *n < 0 || *n > max || *n * unit < min || *n * unit > max) {
      fail(node, path,
           "expected a duration from " + std::to_string(min) + "s to " + std::to_string(max) +
               "s (such as 30s, 5m or 1h)");
    }
    return std::chrono::seconds{*n * unit};
  }
  std::filesystem::path file(const YAML::Node& node, const std::string& path) const {
    const std::filesystem::path p(text(node, path));
    return p.is_absolute() ? p : baseDir / p;
  }
};

}  // namespace

MailboxSettings parseMailboxSettings(const std::string& configText, const std::string& sourceName,
                                     const std::filesystem::path& baseDir) {
  const Reader r{sourceName, baseDir};
  YAML::Node root;
  try {
    root = YAML::Load(configText);
  } catch (const YAML::Exception& e) {
    throw MailboxConfigError(sourceName + ": not valid YAML: " + e.msg);
  }
  const YAML::Node section = root["mailbox"];
  if (!section || !section.IsMap()) {
    throw MailboxConfigError(sourceName + ": mailbox: expected a mapping");
  }
  MailboxSettings out;
  bool havePassword = false;
  for (const auto& kv : section) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "url") {
      out.imap.url = r.text(v, key);
      if (!out.imap.url.starts_with("imaps://") && !out.imap.url.starts_with("imap://")) {
        r.fail(v, key,
               "expected imaps://host[:port] (TLS) or imap://host[:port] (STARTTLS, required)");
      }
    } else if (key == "user") {
      out.imap.user = r.text(v, key);
    } else if (key == "password" || key == "password_file") {
      if (havePassword) r.fail(v, key, "give either password or password_file, not both");
      havePassword = true;
      if (key == "password") {
        out.imap.password = util::Secret(r.text(v, key));
      } else {
        std::string content;
        try {
          content = util::readFile(r.file(v, key), 4096);
        } catch (const std::exception& e) {
          r.fail(v, key, e.what());
        }
        while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
          content.pop_back();
        }
        if (content.empty()) r.fail(v, key, "the file is empty");
        out.imap.password = util::Secret(std::move(content));
      }
    } else if (key == "folder" || key == "quarantine_folder") {
      const std::string name = r.text(v, key);
      if (!isSafeFolderName(name)) {
        r.fail(v, key, "folder names may hold letters, digits and . _ - / (got '" + name + "')");
      }
      (key == "folder" ? out.imap.folder : out.imap.quarantineFolder) = name;
    } else if (key == "ca_file") {
      out.imap.caFile = r.file(v, key);
    } else if (key == "poll_interval") {
      out.pollInterval = r.seconds(v, key, 1, std::int64_t{24} * 3600);
    } else if (key == "max_message_bytes") {
      out.poller.limits.maxMessageBytes =
          static_cast<std::size_t>(r.integer(v, key, 4096, std::int64_t{64} << 20));
      out.poller.limits.maxEnvelopeBytes =
          std::min(out.poller.limits.maxEnvelopeBytes, out.poller.limits.maxMessageBytes);
    } else if (key == "max_messages_per_poll") {
      out.poller.maxMessagesPerPoll = static_cast<std::size_t>(r.integer(v, key, 1, 100'000));
    } else {
      r.fail(kv.first, key,
             "unknown key (known here: url, user, password, password_file, folder, "
             "quarantine_folder, ca_file, poll_interval, max_message_bytes, "
             "max_messages_per_poll)");
    }
  }
  if (out.imap.url.empty()) r.fail(section, "url", "missing (imaps://host:993)");
  if (out.imap.user.empty()) r.fail(section, "user", "missing");
  if (!havePassword) r.fail(section, "password", "missing (password or password_file)");
  if (out.imap.folder == out.imap.quarantineFolder) {
    r.fail(section, "quarantine_folder", "must differ from folder");
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

MailboxService::MailboxService(MailboxSettings settings, IngestFunction ingest)
    : settings_(std::move(settings)), ingest_(std::move(ingest)) {}

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
  util::logInfo(kLog) << "polling " << settings_.imap.url << " folder " << settings_.imap.folder
                      << " every " << settings_.pollInterval.count()
                      << "s (quarantine: " << settings_.imap.quarantineFolder << ")";
  std::unique_ptr<CurlImapMailbox> box;
  FunctionIngest ingest(ingest_);
  std::unique_ptr<MailboxPoller> poller;
  try {
    box = std::make_unique<CurlImapMailbox>(settings_.imap);
    poller = std::make_unique<MailboxPoller>(*box, ingest, settings_.poller);
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
