#include "server/reports/pg_report_admin.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/auth/pg_audit_log.hpp"
#include "shared/model/counter_names.hpp"

namespace openmps::server::reports {
namespace {

struct Statement {
  const char* name;
  const char* sql;
};

constexpr Statement kMeterNames = {
    "report_admin_meter_names",
    "SELECT counter, erp_name FROM erp_meter_names WHERE dealer_id = $1"};
constexpr Statement kSetMeterName = {
    "report_admin_set_meter_name",
    "INSERT INTO erp_meter_names (dealer_id, counter, erp_name) VALUES ($1, $2, $3) "
    "ON CONFLICT (dealer_id, counter) DO UPDATE SET erp_name = excluded.erp_name"};
constexpr Statement kRemoveMeterName = {
    "report_admin_remove_meter_name",
    "DELETE FROM erp_meter_names WHERE dealer_id = $1 AND counter = $2 RETURNING erp_name"};
constexpr Statement kDutyCycles = {
    "report_admin_duty_cycles",
    "SELECT model, monthly_pages FROM model_duty_cycles ORDER BY lower(model)"};
constexpr Statement kSetDutyCycle = {
    "report_admin_set_duty_cycle",
    "INSERT INTO model_duty_cycles (model, monthly_pages) VALUES ($1, $2) "
    "ON CONFLICT ((lower(model))) DO UPDATE SET monthly_pages = excluded.monthly_pages, model = "
    "excluded.model"};
constexpr Statement kRemoveDutyCycle = {
    "report_admin_remove_duty_cycle",
    "DELETE FROM model_duty_cycles WHERE lower(model) = lower($1)"};

template <typename... Args>
pqxx::result run(pqxx::transaction_base& txn, const Statement& s, Args&&... args) {
  txn.conn().prepare(s.name, s.sql);
  return txn.exec_prepared(s.name, std::forward<Args>(args)...);
}

std::string printableProblem(const std::string& text, std::size_t max) {
  if (text.empty()) return "is empty";
  if (text.size() > max) return "is longer than " + std::to_string(max) + " characters";
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "contains a control character";
  }
  return {};
}

}  // namespace

PgReportAdmin::PgReportAdmin(pqxx::transaction_base& txn, auth::AuditActor actor)
    : txn_(txn), actor_(std::move(actor)) {}

std::map<std::string, std::string> PgReportAdmin::meterNames(std::int64_t dealerId) {
  std::map<std::string, std::string> out;
  for (const auto& r : run(txn_, kMeterNames, dealerId)) {
    out[r[0].as<std::string>()] = r[1].as<std::string>();
  }
  return out;
}

void PgReportAdmin::setMeterName(std::int64_t dealerId, const std::string& counter,
                                 const std::string& name) {
  if (const auto problem = model::counterNameProblem(counter); !problem.empty()) {
    throw ReportSettingsError("meter '" + counter + "': " + problem);
  }
  if (const auto problem = printableProblem(name, 64); !problem.empty()) {
    throw ReportSettingsError("ERP name for '" + counter + "' " + problem);
  }
  const auto before = meterNames(dealerId);
  run(txn_, kSetMeterName, dealerId, counter, name);
  const auto old = before.find(counter);
  auth::writeAudit(txn_, actor_,
                   {dealerId, "erp_meter_name.set", "erp_meter_name", counter,
                    old == before.end() ? "" : nlohmann::json{{"erp_name", old->second}}.dump(),
                    nlohmann::json{{"erp_name", name}}.dump(), ""});
}

void PgReportAdmin::removeMeterName(std::int64_t dealerId, const std::string& counter) {
  const auto r = run(txn_, kRemoveMeterName, dealerId, counter);
  if (r.empty()) {
    throw ReportSettingsError("no ERP name is set for meter '" + counter + "'");
  }
  auth::writeAudit(txn_, actor_,
                   {dealerId, "erp_meter_name.delete", "erp_meter_name", counter,
                    nlohmann::json{{"erp_name", r[0][0].as<std::string>()}}.dump(), "", ""});
}

std::vector<std::pair<std::string, std::int64_t>> PgReportAdmin::dutyCycles() {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r : run(txn_, kDutyCycles)) {
    out.emplace_back(r[0].as<std::string>(), r[1].as<std::int64_t>());
  }
  return out;
}

void PgReportAdmin::setDutyCycle(const std::string& model, std::int64_t pages) {
  if (const auto problem = printableProblem(model, 200); !problem.empty()) {
    throw ReportSettingsError("model name " + problem);
  }
  if (pages < 0 || pages > 10'000'000) {
    throw ReportSettingsError("duty cycle: expected 1 to 10000000 pages a month (0 removes it)");
  }
  if (pages == 0) {
    run(txn_, kRemoveDutyCycle, model);
  } else {
    run(txn_, kSetDutyCycle, model, pages);
  }
  auth::writeAudit(txn_, actor_,
                   {0, pages == 0 ? "duty_cycle.delete" : "duty_cycle.set", "model", model, "",
                    pages == 0 ? "" : nlohmann::json{{"monthly_pages", pages}}.dump(), ""});
}

}  // namespace openmps::server::reports
