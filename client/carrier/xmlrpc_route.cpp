#include "client/carrier/xmlrpc_route.hpp"

#include <stdexcept>
#include <variant>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/fault_codes.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

namespace openmps::client::carrier {
namespace {

constexpr std::string_view kDefaultPath = "/RPC2";
constexpr std::string_view kDefaultXmlRpcPort = "52004";

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string quoted(std::string_view server) {
  return "'" + std::string(server) + "'";
}

// Splits "host[:port][/path]"; brackets keep an IPv6 literal's colons.
void splitAuthority(std::string_view rest, std::string_view server, std::string& hostPort,
                    std::string& path, std::string_view defaultPort) {
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  path =
      slash == std::string_view::npos ? std::string(kDefaultPath) : std::string(rest.substr(slash));
  if (path == "/") {
    path = kDefaultPath;
  }
  if (authority.empty()) {
    throw std::invalid_argument("server address " + quoted(server) + " names no host");
  }
  if (authority.find_first_of(" \t\r\n@?#") != std::string_view::npos) {
    throw std::invalid_argument("server address " + quoted(server) +
                                " has characters a host name cannot have");
  }
  const auto closing = authority.rfind(']');
  const auto colon = authority.rfind(':');
  const bool hasPort =
      colon != std::string_view::npos && (closing == std::string_view::npos || colon > closing);
  if (hasPort) {
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535) {
      throw std::invalid_argument("server address " + quoted(server) + " has a bad port '" +
                                  std::string(port) + "'");
    }
    hostPort = authority;
  } else {
    // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict for
    // the one-expression form.
    hostPort = authority;
    if (!defaultPort.empty()) {
      hostPort += ':';
      hostPort += defaultPort;
    }
  }
}

}  // namespace

XmlRpcRoute parseXmlRpcRoute(std::string_view server) {
  XmlRpcRoute route;
  route.server = server;
  std::string hostPort;
  std::string path;
  if (startsWith(server, "xmlrpcs://")) {
    splitAuthority(server.substr(10), server, hostPort, path, kDefaultXmlRpcPort);
    route.requestUrl = "https://" + hostPort + path;
    route.tls = true;
  } else if (startsWith(server, "xmlrpc://")) {
    splitAuthority(server.substr(9), server, hostPort, path, kDefaultXmlRpcPort);
    route.requestUrl = "http://" + hostPort + path;
    route.tls = false;
  } else if (startsWith(server, "https://")) {
    splitAuthority(server.substr(8), server, hostPort, path, "");
    route.requestUrl = "https://" + hostPort + path;
    route.tls = true;
    route.proxyAllowed = true;
  } else {
    throw std::invalid_argument("server address " + quoted(server) +
                                " is not for XML-RPC (expected xmlrpcs://, xmlrpc:// or https://)");
  }
  return route;
}

SendResult interpretSubmitFault(int code, const std::string& message) {
  SendResult r;
  r.detail = "server fault " + std::to_string(code) + ": " + message;
  if (envelope::isRetryableFault(code)) {
    r.status = SendStatus::kRetryable;
    return r;
  }
  switch (code) {
    case envelope::kFaultBadCall:
    case envelope::kFaultGarbage:
    case envelope::kFaultUnsupportedVersion:
    case envelope::kFaultTruncated:
    case envelope::kFaultOversize:
    case envelope::kFaultTampered:
    case envelope::kFaultReplayed:
    case envelope::kFaultBadPayload:
      r.status = SendStatus::kPermanent;
      r.batchRefused = true;
      return r;
    case envelope::kFaultUnknownClient:
    case envelope::kFaultWrongKey:
      r.status = SendStatus::kPermanent;
      r.detail += " (check the enrollment of this client)";
      return r;
    default:
      // A code this client does not know yet: keep the batch and try later
      // rather than set it aside on a guess.
      r.status = SendStatus::kRetryable;
      return r;
  }
}

SendResult interpretSubmitAnswer(long httpStatus, std::string_view body, std::uint64_t clientId,
                                 std::uint64_t batchSeq) {
  SendResult r;
  if (httpStatus != 200) {
    r.detail = "HTTP status " + std::to_string(httpStatus);
    if (httpStatus == 413) {
      r.status = SendStatus::kPermanent;
      r.batchRefused = true;
      r.detail += " (request too large)";
    } else if (httpStatus == 408 || httpStatus == 429 || httpStatus >= 500) {
      r.status = SendStatus::kRetryable;
    } else {
      // 404, 405, 401...: the address or a proxy in between is set up
      // wrong; the batch is fine and waits for the fix.
      r.status = SendStatus::kPermanent;
      r.detail += " (is the server address right?)";
    }
    return r;
  }
  envelope::SubmitResult answer;
  try {
    answer = envelope::decodeSubmitResponse(body);
  } catch (const envelope::EnvelopeError& e) {
    // A captive portal or a proxy's error page: not an answer of ours.
    r.status = SendStatus::kRetryable;
    r.detail = std::string("the answer is not an mps.submit answer: ") + e.what();
    return r;
  }
  if (const auto* fault = std::get_if<envelope::SubmitFault>(&answer)) {
    return interpretSubmitFault(fault->code, fault->message);
  }
  const auto& ack = std::get<envelope::SubmitAck>(answer);
  if (ack.clientId != clientId || ack.batchSeq != batchSeq) {
    r.status = SendStatus::kRetryable;
    r.detail = "the answer acknowledges batch " + std::to_string(ack.clientId) + "/" +
               std::to_string(ack.batchSeq) + ", not the batch sent (" + std::to_string(clientId) +
               "/" + std::to_string(batchSeq) + ")";
    return r;
  }
  if (ack.status == "stored") {
    r.status = SendStatus::kStored;
  } else if (ack.status == "duplicate") {
    r.status = SendStatus::kDuplicate;
  } else {
    r.status = SendStatus::kRetryable;
    r.detail = "unknown acknowledgement status '" + ack.status + "'";
    return r;
  }
  r.detail = std::to_string(ack.items) + " readings " + ack.status;
  return r;
}

}  // namespace openmps::client::carrier
