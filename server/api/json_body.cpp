#include "server/api/json_body.hpp"

#include <algorithm>

#include "server/api/problem.hpp"

namespace openmps::server::api {

JsonBody::JsonBody(const ApiRequest& request, std::initializer_list<std::string_view> allowed) {
  const std::string type = request.header("content-type");
  if (!type.starts_with("application/json")) {
    throw ApiError(415, "unsupported-media-type",
                   "send the body as application/json (got '" + type.substr(0, 60) + "')");
  }
  try {
    doc_ = std::make_unique<util::JsonDocument>(request.body, "body", 16);
  } catch (const util::JsonFieldError& e) {
    throw ApiError(400, "invalid-json", e.what());
  }
  if (!doc_->root().isObject()) {
    throw ApiError(422, "invalid-body",
                   std::string("the body must be a JSON object, not ") + doc_->root().typeName(),
                   {{"body", "expected an object"}});
  }
  fields_ = std::make_unique<util::JsonFields>(doc_->root(), path_);
  for (const auto member : doc_->root()) {
    const std::string_view key = member.key();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      invalidField(std::string(key), "unknown field");
    }
  }
}

JsonBody::~JsonBody() = default;

bool JsonBody::isNull(std::string_view key) const {
  bool null = false;
  for (const auto member : doc_->root()) {
    if (member.key() == key) null = member.isNull();  // the last one counts, as in find()
  }
  return null;
}

std::optional<std::vector<std::int64_t>> JsonBody::idList(std::string_view key,
                                                          std::size_t max) const {
  const auto array = fields_->optionalArray(key, max);
  if (!array) return std::nullopt;
  std::vector<std::int64_t> out;
  const util::JsonPath path(path_, key);
  std::size_t i = 0;
  for (const auto v : *array) {
    out.push_back(util::intAt(v, util::JsonPath(path, i++), 1, INT64_MAX));
  }
  return out;
}

}  // namespace openmps::server::api
