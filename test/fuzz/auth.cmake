# OpenID Connect: ID tokens, JWKS, discovery and token responses (server/auth/oidc.cpp, openssl_jws.cpp).
if(TARGET openmps_server_auth)
  openmps_fuzz_target(fuzz_oidc_token oidc_token_fuzz.cpp openmps_server_auth)
endif()
