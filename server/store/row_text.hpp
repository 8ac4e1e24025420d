#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "shared/model/reading.hpp"

// Text the ingest store sends to PostgreSQL, written straight into one
// buffer per batch: COPY text fields and the JSON of the latest state.
// Building nlohmann objects and dumping them cost more server CPU per batch
// than the database spent on the rows (server/README.md, benchmark).
// Pure functions; each JSON writer parses back equal to model::toJsonValue.
namespace openmps::server::store {

// One COPY text field: backslash, tab, newline and carriage return escaped;
// NUL dropped (PostgreSQL text cannot hold it; device strings are untrusted).
void appendCopyField(std::string& out, std::string_view text);
void appendCopyField(std::string& out, std::int64_t number);

// A JSON string literal (quotes included). The batch decoder only yields
// valid UTF-8, so only quotes, backslashes and control characters need
// escaping.
void appendJsonString(std::string& out, std::string_view text);

void appendJson(std::string& out, const model::Supply& supply);
void appendJson(std::string& out, const model::Status& status);
void appendJson(std::string& out, const model::Counters& counters);

}  // namespace openmps::server::store
