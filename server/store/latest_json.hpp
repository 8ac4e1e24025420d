#pragma once

#include <string_view>
#include <vector>

#include "shared/model/reading.hpp"

// device_latest's JSON columns read back for ingest's planner: the latest
// counters, supplies and status the database holds. They were written by
// ingest itself (row_text.cpp), so reading is lenient: what is missing or
// unreadable counts as unknown, never as an error that would stop a batch.
namespace openmps::server::store {

model::Counters countersFromLatest(std::string_view json);
std::vector<model::Supply> suppliesFromLatest(std::string_view json);
model::Status statusFromLatest(std::string_view json);

}  // namespace openmps::server::store
