#pragma once

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "client/config/config_editor.hpp"

// The settings page's JSON (client/local_ui/api.md) to and from the
// configuration editor's types, in the configuration file's own names.
// Pure: the body is untrusted and every wrong part is named by its path.
namespace openmps::client::local_ui {

nlohmann::json settingsJson(const config::ConfigView& view);

struct ParsedChange {
  std::optional<config::ConfigChange> change;
  std::string field;   // the body's path of the first wrong part ("networks[0].ranges")
  std::string reason;  // what is wrong with it
};

// A PATCH /api/settings body: any of networks, credentials, intervals.
ParsedChange parseSettingsChange(const nlohmann::json& body);

// "networks, credentials (public), intervals": what a change touches,
// without any secret, for the log.
std::string describeChange(const config::ConfigChange& change);

}  // namespace openmps::client::local_ui
