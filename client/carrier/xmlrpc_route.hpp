#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "client/carrier/carrier.hpp"

// The pure half of the XML-RPC carrier: which URL a server address of the
// enrollment means, and what the server's answer means for the batch. No
// sockets here; curl_xmlrpc_carrier does the I/O.
namespace openmps::client::carrier {

struct XmlRpcRoute {
  std::string server;      // as in the enrollment, for logs
  std::string requestUrl;  // what is POSTed to
  bool tls = true;
  // Only https:// goes through a proxy (customer networks that allow
  // nothing but their web proxy); xmlrpcs:// is a direct connection to
  // port 52004 by definition.
  bool proxyAllowed = false;
};

// xmlrpcs://host[:port][/path]  → https://host:port/RPC2 (default port 52004)
// xmlrpc://host[:port][/path]   → http://host:port/RPC2 (plain, only when enrolled so)
// https://host[:port]/path      → as written (default path /RPC2)
// Throws std::invalid_argument naming the address for anything else
// (mailto: goes to the e-mail carrier).
XmlRpcRoute parseXmlRpcRoute(std::string_view server);

// What an HTTP answer to mps.submit means. httpStatus 200 with an
// mps.submit answer for exactly this client and batch counts as delivered;
// faults are sorted by fault_codes.hpp into retryable, refused batch and
// broken enrollment.
SendResult interpretSubmitAnswer(long httpStatus, std::string_view body, std::uint64_t clientId,
                                 std::uint64_t batchSeq);

SendResult interpretSubmitFault(int code, const std::string& message);

}  // namespace openmps::client::carrier
