#pragma once

#include "server/api/router.hpp"
#include "shared/util/clock.hpp"

// report_routes.cpp: reports on demand, runs kept for download, schedules,
// a dealer's ERP meter names (server/reports behind them).
namespace openmps::server::api {

void registerReportRoutes(Router& router, const util::Clock& clock);

}  // namespace openmps::server::api
