#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>

#include "client/carrier/carrier.hpp"
#include "client/carrier/xmlrpc_route.hpp"

// mps.submit over HTTP(S) with libcurl: XML-RPC over TLS to port 52004
// (xmlrpcs://) and the same call as an HTTPS POST to /RPC2 (https://,
// proxies allowed).
namespace openmps::client::carrier {

struct XmlRpcCarrierSettings {
  std::string server;  // an xmlrpcs://, xmlrpc:// or https:// address of the enrollment
  // SHA-256 of the server certificate (DER) from the enrollment. When set,
  // the certificate must be exactly this one (self-signed is fine) and no
  // CA is consulted; all zero: the system's CAs and the host name decide.
  std::array<unsigned char, 32> fingerprint{};
  // https:// only; empty: libcurl's usual environment (https_proxy, no_proxy).
  std::string proxy;
  std::chrono::seconds connectTimeout{15};
  std::chrono::seconds requestTimeout{120};
  std::string userAgent = "openmps-client";
};

class CurlXmlRpcCarrier final : public Carrier {
 public:
  // Throws std::invalid_argument when the address is not an XML-RPC one.
  explicit CurlXmlRpcCarrier(XmlRpcCarrierSettings settings);
  ~CurlXmlRpcCarrier() override;
  CurlXmlRpcCarrier(const CurlXmlRpcCarrier&) = delete;
  CurlXmlRpcCarrier& operator=(const CurlXmlRpcCarrier&) = delete;

  std::string name() const override { return route_.server; }
  SendResult send(std::uint64_t clientId, std::uint64_t batchSeq, std::string_view sealed) override;

 private:
  struct Impl;
  XmlRpcCarrierSettings settings_;
  XmlRpcRoute route_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::client::carrier
