#pragma once

#include <string_view>

#include "server/auth/oidc.hpp"

namespace openmps::server::auth {

// Whether `signature` is `alg`'s signature of `signingInput` under `key`
// (RS256/384/512: RSASSA-PKCS1-v1_5; ES256: P-256 with r||s as JWS writes
// it). OpenSSL; false for a key that does not fit the algorithm.
bool verifyJws(std::string_view signingInput, std::string_view signature, std::string_view alg,
               const Jwk& key);

}  // namespace openmps::server::auth
