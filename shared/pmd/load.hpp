#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "shared/pmd/definition.hpp"

namespace openmps::pmd {

// Files larger than this are refused before parsing.
inline constexpr std::size_t kMaxDefinitionBytes = 1u << 20;

// Parses one definition as written (inheritance not applied). Throws
// PmdError naming fileName, the line and the field of the first problem.
Definition parseDefinition(std::string_view yamlText, const std::string& fileName,
                           const std::string& id);
// Reads and parses one file; its id is the file name without ".yaml".
Definition loadDefinitionFile(const std::filesystem::path& path);

}  // namespace openmps::pmd
