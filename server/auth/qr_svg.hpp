#pragma once

#include <string>
#include <string_view>

namespace openmps::server::auth {

// The text as a QR code (libqrencode, error correction level M) drawn as a
// self-contained SVG: one path of dark modules inside a four-module quiet
// zone, scalable, no scripts. Throws std::runtime_error when the text does
// not fit a QR code.
std::string qrSvg(std::string_view text);

}  // namespace openmps::server::auth
