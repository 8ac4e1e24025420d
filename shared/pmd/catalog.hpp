#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "shared/pmd/definition.hpp"

namespace openmps::pmd {

// The definitions of one folder with inheritance applied: each one holds
// everything it inherits, so the engine never looks at a parent.
class Catalog {
 public:
  // Resolves and validates; throws PmdError on the first problem.
  static Catalog build(const std::vector<Definition>& raw);
  // Every *.yaml file in dir (not recursive).
  static Catalog loadDirectory(const std::filesystem::path& dir);

  const std::vector<Definition>& definitions() const { return resolved_; }
  const Definition* find(std::string_view id) const;
  const Definition& generic() const;

 private:
  std::vector<Definition> resolved_;
};

// child on top of an already resolved parent.
Definition applyInheritance(const Definition& parent, const Definition& child);

// `pmd check`: every problem of every file, not only the first.
struct CheckReport {
  std::size_t files = 0;
  std::vector<std::string> errors;  // "file:line:col: field: problem"
  bool ok() const { return errors.empty(); }
};
CheckReport checkDirectory(const std::filesystem::path& dir);

}  // namespace openmps::pmd
