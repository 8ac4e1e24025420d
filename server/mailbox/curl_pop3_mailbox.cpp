#include "server/mailbox/curl_pop3_mailbox.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "shared/util/args.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::mailbox {
namespace {

constexpr std::string_view kLog = "mailbox";
constexpr std::size_t kMaxListingBytes = 16u << 20;

bool allDigits(const std::string& s) {
  return !s.empty() && s.size() <= 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::map<std::uint64_t, std::string> parsePop3Listing(const std::string& text) {
  std::map<std::uint64_t, std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string number;
    std::string value;
    std::string rest;
    // RFC 1939: a UIDL is 1-70 printable characters (0x21-0x7E).
    if (!(words >> number >> value) || (words >> rest) || !allDigits(number) || value.size() > 70) {
      continue;
    }
    out[std::stoull(number)] = value;
  }
  return out;
}

CurlPop3Mailbox::CurlPop3Mailbox(MailAccount account) : account_(std::move(account)) {
  if (!account_.isPop3()) {
    throw std::invalid_argument("mailbox url must start with pop3s:// or pop3://");
  }
  session_ = std::make_unique<CurlMailSession>(account_, "pop3,pop3s");
}

std::vector<MessageInfo> CurlPop3Mailbox::list(std::size_t max) {
  // A new session for every round: its message numbers are the ones
  // fetch() and remove() use.
  session_->close();
  round_.clear();
  const auto uidls = parsePop3Listing(session_->perform("", "UIDL", kMaxListingBytes));
  const auto sizes = parsePop3Listing(inSession("", "LIST", kMaxListingBytes, false));
  // Forget what is no longer in the mailbox (deleted by a person, say).
  std::set<std::string> present;
  for (const auto& entry : uidls) present.insert(entry.second);
  std::erase_if(kept_, [&](const std::string& u) { return !present.contains(u); });
  std::erase_if(ids_, [&](const auto& entry) { return !present.contains(entry.first); });
  std::vector<MessageInfo> out;
  for (const auto& [number, uidl] : uidls) {
    if (kept_.contains(uidl)) continue;
    auto [it, fresh] = ids_.try_emplace(uidl, nextId_);
    if (fresh) ++nextId_;
    MessageInfo info;
    info.uid = it->second;
    const auto size = sizes.find(number);
    if (size != sizes.end()) {
      if (const auto n = util::parseInt(size->second); n && *n >= 0) {
        info.size = static_cast<std::size_t>(*n);
      }
    }
    round_[info.uid] = {number, uidl};
    out.push_back(info);
  }
  std::sort(out.begin(), out.end(),
            [](const MessageInfo& a, const MessageInfo& b) { return a.uid < b.uid; });
  if (out.size() > max) out.resize(max);
  return out;
}

const CurlPop3Mailbox::Listed& CurlPop3Mailbox::listed(std::uint64_t uid) const {
  const auto it = round_.find(uid);
  if (it == round_.end()) {
    throw MailboxError("POP3: message " + std::to_string(uid) + " is not in this session's list");
  }
  return it->second;
}

std::string CurlPop3Mailbox::inSession(const std::string& path, const std::string& command,
                                       std::size_t limit, bool noBody) {
  std::string answer = session_->perform(path, command, limit, noBody);
  if (session_->connections() > 0) {
    // libcurl reconnected: this is another session, with numbers of its
    // own. Undo whatever the command marked there and start over.
    try {
      session_->perform("", "RSET", 1u << 12, true);
    } catch (const MailboxError&) {
      // A session that ends without QUIT deletes nothing either.
    }
    round_.clear();
    throw MailboxError("POP3 connection to " + account_.url +
                       " was lost during the round; listed again at the next one");
  }
  return answer;
}

std::string CurlPop3Mailbox::fetch(std::uint64_t uid, std::size_t maxBytes) {
  return inSession(std::to_string(listed(uid).number), "", maxBytes, false);
}

void CurlPop3Mailbox::remove(std::uint64_t uid) {
  const Listed message = listed(uid);
  inSession(std::to_string(message.number), "DELE", 1u << 12, true);
  round_.erase(uid);
  ids_.erase(message.uidl);
}

void CurlPop3Mailbox::quarantine(std::uint64_t uid) {
  const Listed message = listed(uid);
  kept_.insert(message.uidl);
  util::logWarning(kLog) << "POP3 has no folders: the mail with UIDL " << message.uidl
                         << " stays in the mailbox of " << account_.user
                         << " and is skipped from now on";
}

void CurlPop3Mailbox::endRound() {
  // QUIT: the server deletes the messages marked in this session now.
  session_->close();
  round_.clear();
}

}  // namespace openmps::server::mailbox
