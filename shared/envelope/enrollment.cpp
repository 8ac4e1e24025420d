#include "shared/envelope/enrollment.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>
#include <sodium.h>
#include <zlib.h>

#include "shared/util/base64.hpp"
#include "shared/util/json_fields.hpp"

namespace openmps::envelope {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "omps1:";
constexpr std::int64_t kMaxId = (std::int64_t{1} << 53) - 1;
constexpr std::size_t kMaxServers = 8;
constexpr std::size_t kMaxUrlLength = 512;
constexpr std::size_t kMaxEncodedLength = 8192;

[[noreturn]] void fail(EnrollmentErrorKind kind, const std::string& message) {
  throw EnrollmentError(kind, "enrollment string: " + message);
}

std::uint32_t crc32Of(std::string_view data) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

std::string trim(const std::string& text) {
  const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  auto begin = std::find_if_not(text.begin(), text.end(), isSpace);
  auto end = std::find_if_not(text.rbegin(), text.rend(), isSpace).base();
  return begin < end ? std::string(begin, end) : std::string();
}

// Accepts the carriers shared/README.md names (Enrollment string); the host
// part must be present.
std::string serverUrlProblem(const std::string& url) {
  if (url.size() > kMaxUrlLength) return "longer than 512 characters";
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      return "contains spaces or control characters";
  }
  static constexpr std::string_view kSchemes[] = {"xmlrpcs://", "xmlrpc://", "https://", "http://"};
  for (const auto scheme : kSchemes) {
    if (url.starts_with(scheme)) {
      const std::string rest = url.substr(scheme.size());
      if (rest.empty() || rest[0] == '/' || rest[0] == ':') return "has no host";
      return {};
    }
  }
  if (url.starts_with("mailto:")) {
    const std::string address = url.substr(7);
    const auto at = address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size())
      return "is not a mail address";
    return {};
  }
  return "has an unknown scheme (xmlrpcs, xmlrpc, https, http or mailto)";
}

}  // namespace

std::string formatFingerprint(const std::array<unsigned char, 32>& fingerprint) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < fingerprint.size(); ++i) {
    std::snprintf(buf, sizeof buf, i == 0 ? "%02X" : ":%02X", fingerprint[i]);
    out += buf;
  }
  return out;
}

std::string encodeEnrollment(const Enrollment& e) {
  const std::string key(reinterpret_cast<const char*>(e.key.bytes().data()), Key::kSize);
  const std::string fingerprint(reinterpret_cast<const char*>(e.certFingerprint.data()),
                                e.certFingerprint.size());
  std::string body = json{{"v", 1},
                          {"servers", e.servers},
                          {"client_id", e.clientId},
                          {"key", util::toBase64(key)},
                          {"fingerprint", util::toHex(fingerprint)}}
                         .dump();
  const std::uint32_t crc = crc32Of(body);
  for (int shift = 24; shift >= 0; shift -= 8)
    body.push_back(static_cast<char>((crc >> shift) & 0xff));
  std::string out = std::string(kPrefix) + util::toBase64Url(body);
  sodium_memzero(body.data(), body.size());
  return out;
}

Enrollment decodeEnrollment(const std::string& input) {
  const std::string text = trim(input);
  if (!text.starts_with(kPrefix))
    fail(EnrollmentErrorKind::kBadPrefix, "does not start with 'omps1:'");
  if (text.size() > kMaxEncodedLength) fail(EnrollmentErrorKind::kBadEncoding, "too long");
  auto raw = util::fromBase64Url(std::string_view(text).substr(kPrefix.size()));
  if (!raw)
    fail(EnrollmentErrorKind::kBadEncoding, "is not base64url after 'omps1:' (copied completely?)");
  if (raw->size() < 5) fail(EnrollmentErrorKind::kBadEncoding, "too short (copied completely?)");
  const std::string_view body(raw->data(), raw->size() - 4);
  std::uint32_t crc = 0;
  for (std::size_t i = raw->size() - 4; i < raw->size(); ++i) {
    crc = (crc << 8) | static_cast<unsigned char>((*raw)[i]);
  }
  if (crc != crc32Of(body)) {
    sodium_memzero(raw->data(), raw->size());
    fail(EnrollmentErrorKind::kBadChecksum,
         "checksum does not match (a character was changed or lost)");
  }
  // The parsed document points into raw, which holds the key: wiped when
  // this function is left, however it is left.
  struct Wipe {
    std::string& text;
    ~Wipe() { sodium_memzero(text.data(), text.size()); }
  } wipe{*raw};
  Enrollment e;
  try {
    std::optional<util::JsonDocument> doc;
    try {
      doc.emplace(body, "enrollment");
    } catch (const util::JsonFieldError&) {
      fail(EnrollmentErrorKind::kBadEncoding, "content is not JSON");
    }
    const util::JsonPath root;
    const util::JsonFields o(doc->root(), root);
    for (const char* key : {"v", "servers", "client_id", "key", "fingerprint"}) {
      if (!o.find(key))
        fail(EnrollmentErrorKind::kMissingField, std::string("field '") + key + "' missing");
    }
    if (o.requireInt("v", 0, INT32_MAX) != 1) {
      fail(EnrollmentErrorKind::kBadField, "version is not 1 (made by a newer server?)");
    }
    const util::JsonValue servers = o.requireArray("servers", kMaxServers);
    if (servers.size() == 0) fail(EnrollmentErrorKind::kBadField, "field 'servers' is empty");
    const util::JsonPath serversPath(root, "servers");
    std::size_t i = 0;
    for (const util::JsonValue server : servers) {
      // Bounded by the whole string only: serverUrlProblem refuses long URLs
      // with the URL limit in its message.
      std::string url = util::stringAt(server, util::JsonPath(serversPath, i++), kMaxEncodedLength);
      if (const auto problem = serverUrlProblem(url); !problem.empty()) {
        // An over-long URL is named by its start, not repeated whole.
        const std::string shown = url.size() > 80 ? url.substr(0, 80) + "..." : url;
        fail(EnrollmentErrorKind::kBadField, "server '" + shown + "' " + problem);
      }
      e.servers.push_back(std::move(url));
    }
    e.clientId = static_cast<std::uint64_t>(o.requireInt("client_id", 1, kMaxId));
    std::string keyText = o.requireString("key", 128);
    try {
      e.key = keyFromBase64(keyText);
    } catch (const std::invalid_argument& err) {
      sodium_memzero(keyText.data(), keyText.size());
      fail(EnrollmentErrorKind::kBadField, std::string("field 'key': ") + err.what());
    }
    sodium_memzero(keyText.data(), keyText.size());
    const auto fingerprint = util::fromHex(o.requireString("fingerprint", 128));
    if (!fingerprint || fingerprint->size() != e.certFingerprint.size()) {
      fail(EnrollmentErrorKind::kBadField, "field 'fingerprint' is not 64 hex digits");
    }
    std::copy(fingerprint->begin(), fingerprint->end(), e.certFingerprint.begin());
  } catch (const util::JsonFieldError& err) {
    fail(EnrollmentErrorKind::kBadField, err.what());
  }
  return e;
}

}  // namespace openmps::envelope
