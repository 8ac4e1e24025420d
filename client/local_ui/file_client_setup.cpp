#include <utility>

#include "client/local_ui/client_setup.hpp"

namespace openmps::client::local_ui {

FileClientSetup::FileClientSetup(std::filesystem::path configFile,
                                 std::shared_ptr<const config::ClientConfig> running)
    : editor_(std::move(configFile)), running_(std::move(running)) {}

config::EnrollResult FileClientSetup::enroll(std::string_view text) {
  return config::enroll(*running_, text);
}

}  // namespace openmps::client::local_ui
