#include "server/api/static_files.hpp"

#include <array>
#include <utility>

#include "server/api/problem.hpp"
#include "shared/util/files.hpp"

namespace openmps::server::api {
namespace {

constexpr std::size_t kMaxFileBytes = 32u << 20;

constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
}};

std::string_view mimeType(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

void secure(ApiResponse& r) {
  r.set("Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
  r.set("X-Frame-Options", "DENY");
}

bool safeSegments(const std::filesystem::path& relative) {
  for (const auto& part : relative) {
    const std::string s = part.string();
    if (s == ".." || (!s.empty() && s.front() == '.')) return false;
  }
  return true;
}

}  // namespace

ApiResponse serveStatic(const std::filesystem::path& root, const ApiRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    ApiResponse r = problem(405, "method-not-allowed", "the portal's files are read with GET");
    r.set("Allow", "GET, HEAD");
    return r;
  }
  if (root.empty()) {
    ApiResponse r;
    r.contentType = "text/plain; charset=utf-8";
    r.body =
        "OpenMPS: the API is at /api/v1 (its description at /api/v1/openapi.json); the "
        "portal's files are not installed (portal.static_dir).\n";
    secure(r);
    return r;
  }
  const std::filesystem::path relative = std::filesystem::path(request.path).relative_path();
  if (!safeSegments(relative)) return problem(404, "not-found", "no such file");
  std::filesystem::path file = root / relative;
  std::error_code ec;
  if (relative.empty() || std::filesystem::is_directory(file, ec)) file = root / "index.html";
  if (!std::filesystem::is_regular_file(file, ec)) {
    if (relative.has_extension()) return problem(404, "not-found", "no such file");
    file = root / "index.html";  // a route of the portal itself
  }
  ApiResponse r;
  try {
    r.body = util::readFile(file, kMaxFileBytes);
  } catch (const std::exception&) {
    return problem(404, "not-found", "no such file");
  }
  r.contentType = std::string(mimeType(file));
  r.set("Cache-Control", file.filename() == "index.html" ? "no-cache" : "public, max-age=3600");
  secure(r);
  if (request.method == "HEAD") r.body.clear();
  return r;
}

}  // namespace openmps::server::api
