#pragma once

// The one TLS policy of every listener the server opens (the receivers and
// the portal/API listener alike, all through PocoHttpListener): TLS 1.2 or
// newer; for TLS 1.2 only ECDHE key exchange with AEAD ciphers (AES-GCM,
// ChaCha20-Poly1305), no CBC and no SHA-1 MAC. TLS 1.3's own suites are all
// AEAD and stay OpenSSL's defaults.
namespace openmps::server::receiver {

inline constexpr const char* kTls12CipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL";

}  // namespace openmps::server::receiver
