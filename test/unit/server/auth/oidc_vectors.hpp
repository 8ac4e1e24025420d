#pragma once

#include <string_view>

// Made with python3-jwt and python3-cryptography: an RSA-2048 and a P-256
// key of a provider (https://id.example.com), and one ID token signed by
// each for client "openmps" (sub u-123, email anna@example.com, verified),
// issued at 1800000000 and valid five minutes.
namespace openmps::server::auth::testing {

inline constexpr std::string_view kJwks =
    R"({"keys": [{"kty": "RSA", "kid": "r1", "use": "sig", "alg": "RS256", "n": "yb23oL5MzFiOOzkb5WuO5uKpAOiCfvciO-8QE-ZPIW0smlBW4wP77AkCmh-FMXzshAg0HzonU9sw5Hoha05DjMiHm6jn4uDBNQNcIc1PApbDXK-f7YO7R9UWl2NPcpGT5yyrzKDyvPDlnmJSMYkdLMfs2y3egMbcBru5fpl7590NF0RuzyF3iKcMncDLfeN16UUguoK1Nw52HwzCyTbS2EYmzsphb7HyinpO1hQs7DMaEqLF5vbNVtnsIzmKNu6P_Bki0LtvSz9qRKqPyBmpsCfOo_NSbosYxEtJVKrWXLOfOv_mM9vLKuhLNFKSuUujHsipH4BBws_345yJrVMjvw", "e": "AQAB"}, {"kty": "EC", "kid": "e1", "use": "sig", "crv": "P-256", "x": "fyC6ryNhcwXI2QzqWF0w5ZgID-29YzHKbZ0xF3-1WxM", "y": "qxlykfTD4KJ8idQUS-hHdWhywUwZqyvCo3Jl8EnQbsA"}, {"kty": "RSA", "kid": "enc", "use": "enc", "n": "yb23oL5MzFiOOzkb5WuO5uKpAOiCfvciO-8QE-ZPIW0smlBW4wP77AkCmh-FMXzshAg0HzonU9sw5Hoha05DjMiHm6jn4uDBNQNcIc1PApbDXK-f7YO7R9UWl2NPcpGT5yyrzKDyvPDlnmJSMYkdLMfs2y3egMbcBru5fpl7590NF0RuzyF3iKcMncDLfeN16UUguoK1Nw52HwzCyTbS2EYmzsphb7HyinpO1hQs7DMaEqLF5vbNVtnsIzmKNu6P_Bki0LtvSz9qRKqPyBmpsCfOo_NSbosYxEtJVKrWXLOfOv_mM9vLKuhLNFKSuUujHsipH4BBws_345yJrVMjvw", "e": "AQAB"}]})";
inline constexpr std::string_view kRs256 =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InIxIiwidHlwIjoiSldUIn0."
    "eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tIiwiYXVkIjoib3Blbm1wcyIsInN1YiI6InUtMTIzIiwiZW1haWwi"
    "OiJhbm5hQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsIm5vbmNlIjoibi0wUzZfV3pBMk1qIiwiaWF0"
    "IjoxODAwMDAwMDAwLCJleHAiOjE4MDAwMDAzMDAsIm5hbWUiOiJBbm5hIn0."
    "lpHFIF-pu6oT6HYdl6kmv92OnIBuLMT9RvUTFP5lp4jML01vZWCyLSIQ2WzRgLvVpHhDKqPRZTkPuysOPapZnRUaw7QJ"
    "HprMAUf338Bt5rJjRqiwa5rLmwf5yBmsmcwAwHBL4mz5PT-APtLqRn9rur5BsuVRE4h8gqiluFlqiM-yh9rbdX7pHqbi"
    "KWXSvrk7quwKFQSlpwonwLmZ58A571be36FucNbOCUs7ti_nGZxLhoTJgYS7qE-xY8nF0RdJz40KWd7CFOiTyo8_IOj4"
    "Ul0mq-EozVQ-SHsIO33aof21bjoUcragygDGBKYyT0hhLsGw2EbZIb1IFxsV-NYEsg";
inline constexpr std::string_view kEs256 =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImUxIiwidHlwIjoiSldUIn0."
    "eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUuY29tIiwiYXVkIjoib3Blbm1wcyIsInN1YiI6InUtMTIzIiwiZW1haWwi"
    "OiJhbm5hQGV4YW1wbGUuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsIm5vbmNlIjoibi0wUzZfV3pBMk1qIiwiaWF0"
    "IjoxODAwMDAwMDAwLCJleHAiOjE4MDAwMDAzMDAsIm5hbWUiOiJBbm5hIn0."
    "91VTX-zeFh_4yh2Lw3fLsRop8qQeOQux2zZLZf_jxfxQ1c6MZwF_iJ54JMN1Y7o8K9D8nqcZrcan181DLvQm0g";
inline constexpr std::string_view kNonce = "n-0S6_WzA2Mj";

}  // namespace openmps::server::auth::testing
