#include "server/notify/notification.hpp"

#include <algorithm>

namespace openmps::server::notify {
namespace {

constexpr std::size_t kMaxBodyBytes = 1u << 20;
constexpr std::size_t kMaxAttachmentBytes = 16u << 20;
constexpr std::size_t kMaxAttachments = 16;

bool validKind(std::string_view kind) {
  if (kind.empty() || kind.size() > 64 || kind.front() < 'a' || kind.front() > 'z') {
    return false;
  }
  char previous = 0;
  for (const char c : kind) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && previous == '.')) {
      return false;
    }
    previous = c;
  }
  return kind.back() != '.';
}

bool validLocale(std::string_view locale) {
  return locale == "en" || locale == "de" || locale == "fr" || locale == "it";
}

bool hasLineBreak(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

bool validContentType(std::string_view type) {
  const auto slash = type.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size() ||
      type.size() > 100) {
    return false;
  }
  return std::all_of(type.begin(), type.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' ||
           c == '/';
  });
}

std::string attachmentProblem(const Attachment& a, std::size_t index) {
  const std::string where = "attachments[" + std::to_string(index) + "]";
  if (a.fileName.empty() || a.fileName.size() > 200 ||
      a.fileName.find_first_of("/\\\r\n") != std::string::npos) {
    return where + ".file_name: 1 to 200 characters without / \\ or line breaks";
  }
  if (!validContentType(a.contentType)) {
    return where + ".content_type: expected type/subtype in lower case, got '" + a.contentType +
           "'";
  }
  if (a.source.empty()) {
    if (a.content.size() > kMaxAttachmentBytes) {
      return where + ".content: larger than 16 MiB";
    }
    return "";
  }
  if (!a.content.empty()) {
    return where + ": either content or a source, not both";
  }
  if (!validKind(a.source) || a.source.find('.') != std::string::npos) {
    return where + ".source: expected a lower-case name, got '" + a.source + "'";
  }
  return "";
}

}  // namespace

const char* toString(Channel channel) {
  return channel == Channel::kEmail ? "email" : "webhook";
}

std::optional<Channel> channelFromString(std::string_view text) {
  if (text == "email") return Channel::kEmail;
  if (text == "webhook") return Channel::kWebhook;
  return std::nullopt;
}

bool plausibleAddress(std::string_view address) {
  if (address.size() < 3 || address.size() > 254) {
    return false;
  }
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@') != at) {
    return false;
  }
  return std::all_of(address.begin(), address.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 && c != '<' && c != '>' && c != ',' && c != ';' && c != '"' &&
           c != '(' && c != ')' && c != '\\';
  });
}

std::string mailProblem(const OutgoingMail& mail) {
  if (mail.organisationId <= 0) return "organisation_id: missing";
  if (!validKind(mail.kind))
    return "kind: expected words like alert.raised, got '" + mail.kind + "'";
  if (!plausibleAddress(mail.to)) return "to: not an e-mail address: '" + mail.to + "'";
  if (!validLocale(mail.locale))
    return "locale: expected en, de, fr or it, got '" + mail.locale + "'";
  if (mail.subject.empty() || mail.subject.size() > 900 || hasLineBreak(mail.subject)) {
    return "subject: 1 to 900 bytes on one line";
  }
  if (mail.text.size() > kMaxBodyBytes) return "text: larger than 1 MiB";
  if (mail.attachments.size() > kMaxAttachments) return "attachments: more than 16";
  for (std::size_t i = 0; i < mail.attachments.size(); ++i) {
    if (auto p = attachmentProblem(mail.attachments[i], i); !p.empty()) return p;
  }
  return "";
}

std::string webhookProblem(const OutgoingWebhook& hook) {
  if (hook.organisationId <= 0) return "organisation_id: missing";
  if (!validKind(hook.kind))
    return "kind: expected words like alert.raised, got '" + hook.kind + "'";
  if (!hook.url.starts_with("https://") || hook.url.size() > 2048 || hasLineBreak(hook.url) ||
      hook.url.find(' ') != std::string::npos) {
    return "url: expected an https:// URL of at most 2048 characters";
  }
  if (hook.body.size() > kMaxBodyBytes) return "body: larger than 1 MiB";
  if (hook.sealedSecret.empty()) return "secret: missing";
  return "";
}

}  // namespace openmps::server::notify
