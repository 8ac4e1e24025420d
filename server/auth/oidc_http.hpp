#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "shared/util/secret.hpp"

// HTTPS to the OpenID Connect provider: the discovery document, its keys
// and the token endpoint. An interface for the sign-in's unit tests;
// CurlOidcHttp is the real one.
namespace openmps::server::auth {

class OidcHttp {
 public:
  virtual ~OidcHttp() = default;
  // The body of a 200 answer; OidcError for anything else.
  virtual std::string get(const std::string& url) = 0;
  // POST application/x-www-form-urlencoded with HTTP Basic client
  // authentication (client_secret_basic); the body of a 200 answer.
  virtual std::string postForm(const std::string& url, const std::string& body,
                               const std::string& clientId, const util::Secret& secret) = 0;
};

struct OidcHttpOptions {
  std::filesystem::path caFile;  // empty: the system's trusted CAs
  std::chrono::seconds timeout{10};
  std::size_t maxBytes = 1u << 20;
};

// libcurl: https only, TLS 1.2 or later, the peer's certificate and name
// verified, no redirects, answers larger than maxBytes refused.
std::unique_ptr<OidcHttp> makeCurlOidcHttp(OidcHttpOptions options);

}  // namespace openmps::server::auth
