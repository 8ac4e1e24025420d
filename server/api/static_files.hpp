#pragma once

#include <filesystem>

#include "server/api/http_types.hpp"

namespace openmps::server::api {

// The portal's built files from `root` (GET and HEAD): a path that names a
// file gets it with its MIME type; any other path without a file extension
// gets index.html (the portal routes in the browser); ".." and hidden
// files are never served. Security headers (CSP, frame denial) on every
// answer. Without a root: a short text saying where the API is.
ApiResponse serveStatic(const std::filesystem::path& root, const ApiRequest& request);

}  // namespace openmps::server::api
