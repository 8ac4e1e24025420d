#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "shared/util/secret.hpp"

namespace openmps::util {

// Reads a whole file, refusing anything larger than maxBytes. Errors name
// the path and the reason (std::runtime_error).
std::string readFile(const std::filesystem::path& path, std::size_t maxBytes = 16u << 20);

// A secret kept in a file of its own (a password, a client secret): the
// whole file without its trailing line breaks. The one reader of every
// `*_file` secret key in configuration files. Throws std::runtime_error
// naming the file when it is missing, larger than maxBytes or empty.
Secret readSecretFile(const std::filesystem::path& path, std::size_t maxBytes = 4096);

// Writes through a temporary file, fsync and rename, so a crash leaves the
// old content or the new one, never half. mode applies to the new file
// (0600 for keys).
void writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                         unsigned mode = 0644);

}  // namespace openmps::util
