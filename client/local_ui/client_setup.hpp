#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "client/config/client_config.hpp"
#include "client/config/config_editor.hpp"
#include "client/config/enroll.hpp"

// What the local UI changes on disk: the configuration file and the
// enrollment. An interface so the API's tests need no files
// (test/unit/client/mock_client_setup.hpp); the daemon is told of a change
// by the API, after it was stored.
namespace openmps::client::local_ui {

class ClientSetup {
 public:
  virtual ~ClientSetup() = default;
  // The file as it is now; throws config::ConfigError when it does not load.
  virtual config::ConfigView view() = 0;
  // Applies, validates and saves; on any error the file is not touched.
  virtual config::EditResult apply(const config::ConfigChange& change) = 0;
  // Decodes and stores an enrollment string (as `openmps-client enroll`).
  virtual config::EnrollResult enroll(std::string_view text) = 0;
};

// The real one: config::ConfigEditor on the file the daemon was started
// with, and config::enroll into the data directory it runs with.
class FileClientSetup final : public ClientSetup {
 public:
  FileClientSetup(std::filesystem::path configFile,
                  std::shared_ptr<const config::ClientConfig> running);

  config::ConfigView view() override { return editor_.view(); }
  config::EditResult apply(const config::ConfigChange& change) override {
    return editor_.apply(change);
  }
  config::EnrollResult enroll(std::string_view text) override;

 private:
  config::ConfigEditor editor_;
  // data_dir changes only with a restart: enroll where the daemon runs.
  std::shared_ptr<const config::ClientConfig> running_;
};

}  // namespace openmps::client::local_ui
