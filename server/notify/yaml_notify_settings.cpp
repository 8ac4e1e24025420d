// The YAML side of notify_settings.hpp, read with shared/yaml.
#include "server/notify/notification.hpp"
#include "server/notify/notify_settings.hpp"
#include "shared/util/duration.hpp"
#include "shared/util/files.hpp"
#include "shared/yaml/yaml_field.hpp"

namespace openmps::server::notify {
namespace {

using yaml::Field;

std::chrono::seconds duration(const Field& field, std::chrono::seconds min,
                              std::chrono::seconds max) {
  const std::string text = field.text(32);
  const auto parsed = util::parseDuration(text);
  if (!parsed || *parsed < min || *parsed > max) {
    field.fail("expected a duration from " + util::formatDuration(min) + " to " +
               util::formatDuration(max) + " (such as 30s, 5m or 1h), got '" + text + "'");
  }
  return *parsed;
}

void parseSmtp(const Field& section, SmtpSettings& s) {
  s.configured = true;
  bool havePassword = false;
  bool havePort = false;
  for (const auto& [key, f] :
       section.entries({"host", "port", "tls", "user", "password", "password_file", "from",
                        "from_name", "ca_file", "timeout"})) {
    if (key == "host") {
      s.host = f.text(253);
    } else if (key == "port") {
      s.port = static_cast<std::uint16_t>(f.integer(1, 65535));
      havePort = true;
    } else if (key == "tls") {
      const std::string mode = f.text(16);
      if (mode == "starttls") {
        s.tls = SmtpTls::kStartTls;
      } else if (mode == "implicit") {
        s.tls = SmtpTls::kImplicit;
      } else {
        // Mail carries customers' fleet data and the SMTP password: never in clear.
        f.fail("expected starttls or implicit (mail is never sent without TLS), got '" + mode +
               "'");
      }
    } else if (key == "user") {
      s.user = f.text(254);
    } else if (key == "password" || key == "password_file") {
      if (havePassword) f.fail("give either password or password_file, not both");
      havePassword = true;
      if (key == "password") {
        s.password = util::Secret(f.text(1024));
      } else {
        try {
          s.password = util::readSecretFile(f.context().resolve(f.text()));
        } catch (const std::exception& e) {
          f.fail(e.what());
        }
      }
    } else if (key == "from") {
      s.from = f.text(254);
      if (!plausibleAddress(s.from)) f.fail("expected an e-mail address, got '" + s.from + "'");
    } else if (key == "from_name") {
      s.fromName = f.text(100);
      if (s.fromName.find_first_of("\r\n<>\"") != std::string::npos) {
        f.fail("a name without line breaks, quotes or angle brackets");
      }
    } else if (key == "ca_file") {
      s.caFile = f.context().resolve(f.text());
    } else {
      s.timeout = duration(f, std::chrono::seconds(1), std::chrono::seconds(600));
    }
  }
  if (s.host.empty()) section.fail("missing host (the SMTP server's name)");
  if (s.from.empty()) section.fail("missing from (the sender address)");
  if (!s.user.empty() && !havePassword) section.fail("user without password or password_file");
  if (!havePort && s.tls == SmtpTls::kImplicit) s.port = 465;
}

void parseWebhooks(const Field& section, WebhookSettings& w) {
  for (const auto& [key, f] : section.entries({"ca_file", "timeout"})) {
    if (key == "ca_file") {
      w.caFile = f.context().resolve(f.text());
    } else {
      w.timeout = duration(f, std::chrono::seconds(1), std::chrono::seconds(300));
    }
  }
}

}  // namespace

NotifySettings parseNotifySettings(const std::string& configText, const std::string& sourceName,
                                   const std::filesystem::path& baseDir) {
  yaml::Options options;
  options.emptyDocumentIsMapping = true;
  const yaml::Context ctx(sourceName, baseDir, yaml::throwFormatted<NotifyConfigError>, options);
  const Field top = ctx.load(configText);
  NotifySettings out;
  if (!top.isMap() || !top.has("notify")) return out;
  for (const auto& [name, section] : top.entries()) {
    if (name != "notify") continue;
    if (section.isNull()) return out;
    for (const auto& [key, f] : section.entries({"smtp", "webhooks", "workers", "max_attempts",
                                                 "retry_first", "retry_max", "poll_interval"})) {
      if (key == "smtp") {
        parseSmtp(f, out.smtp);
      } else if (key == "webhooks") {
        parseWebhooks(f, out.webhooks);
      } else if (key == "workers") {
        out.workers = static_cast<int>(f.integer(1, 32));
      } else if (key == "max_attempts") {
        out.retry.maxAttempts = static_cast<int>(f.integer(1, 100));
      } else if (key == "retry_first") {
        out.retry.firstDelay = duration(f, std::chrono::seconds(1), std::chrono::hours(24));
      } else if (key == "retry_max") {
        out.retry.maxDelay = duration(f, std::chrono::seconds(1), std::chrono::hours(24 * 7));
      } else {
        out.pollInterval = duration(f, std::chrono::seconds(1), std::chrono::hours(1));
      }
    }
  }
  if (out.retry.maxDelay < out.retry.firstDelay) out.retry.maxDelay = out.retry.firstDelay;
  return out;
}

}  // namespace openmps::server::notify
