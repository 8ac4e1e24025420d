#pragma once

// The one temporary directory of the unit tests: a fresh path per instance
// under the system's temporary directory, removed with everything in it
// when the instance goes.

#include <filesystem>
#include <string>
#include <string_view>

#include <unistd.h>

namespace openmps::test {

class TempDir {
 public:
  // `name` tells whose directory it is; `create` false leaves the path
  // absent, for code under test that must create it itself.
  explicit TempDir(std::string_view name, bool create = true) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("openmps-" + std::string(name) + "-" + std::to_string(::getpid()) + "-" +
             std::to_string(++counter));
    std::filesystem::remove_all(path_);
    if (create) std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace openmps::test
