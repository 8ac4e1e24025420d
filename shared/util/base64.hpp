#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace openmps::util {

// Standard base64 with padding (RFC 4648 section 4).
std::string toBase64(std::string_view bytes);
// Strict: nullopt on any character outside the alphabet or bad padding.
std::optional<std::string> fromBase64(std::string_view text);
// URL-safe alphabet, no padding (RFC 4648 section 5).
std::string toBase64Url(std::string_view bytes);
std::optional<std::string> fromBase64Url(std::string_view text);
// Lower-case hex.
std::string toHex(std::string_view bytes);
std::optional<std::string> fromHex(std::string_view text);

}  // namespace openmps::util
