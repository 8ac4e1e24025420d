#pragma once

#include <string>
#include <vector>

#include "client/local_ui/client_setup.hpp"

// THE stand-in for local_ui::ClientSetup in unit tests: answers what the
// test put in its public fields and records what it was asked.
namespace openmps::client::test {

class MockClientSetup final : public local_ui::ClientSetup {
 public:
  config::ConfigView viewToReturn;
  config::EditResult applyToReturn;
  config::EnrollResult enrollToReturn;
  std::vector<config::ConfigChange> changes;
  std::vector<std::string> enrolled;

  config::ConfigView view() override { return viewToReturn; }
  config::EditResult apply(const config::ConfigChange& change) override {
    changes.push_back(change);
    return applyToReturn;
  }
  config::EnrollResult enroll(std::string_view text) override {
    enrolled.emplace_back(text);
    return enrollToReturn;
  }
};

}  // namespace openmps::client::test
