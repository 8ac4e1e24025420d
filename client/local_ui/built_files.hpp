#pragma once

#include "client/local_ui/local_ui_api.hpp"

namespace openmps::client::local_ui {

// The built web app (web/local-ui), embedded at build time; empty when the
// client was built without the web project.
const StaticFiles& builtFiles();

}  // namespace openmps::client::local_ui
