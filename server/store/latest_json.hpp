#pragma once

#include <string_view>
#include <vector>

#include "server/events/conditions.hpp"
#include "shared/model/reading.hpp"

// device_latest's JSON columns read back for ingest's planner: the latest
// counters, supplies and status the database holds. They were written by
// ingest itself (row_text.cpp), so reading is lenient: what is missing or
// unreadable counts as unknown, never as an error that would stop a batch.
namespace openmps::server::store {

model::Counters countersFromLatest(std::string_view json);
std::vector<model::Supply> suppliesFromLatest(std::string_view json);
// Only what ingest's planner compares (index, level, state, serial), trays
// left out: cheaper than whole supplies.
std::vector<events::SupplyLevel> levelsFromLatest(std::string_view json);
model::Status statusFromLatest(std::string_view json);

}  // namespace openmps::server::store
