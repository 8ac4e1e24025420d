#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace openmps::util {

// Reads a whole file, refusing anything larger than maxBytes. Errors name
// the path and the reason (std::runtime_error).
std::string readFile(const std::filesystem::path& path, std::size_t maxBytes = 16u << 20);

// Writes through a temporary file, fsync and rename, so a crash leaves the
// old content or the new one, never half. mode applies to the new file
// (0600 for keys).
void writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                         unsigned mode = 0644);

}  // namespace openmps::util
