#include "server/reports/notify_run_delivery.hpp"

#include <pqxx/pqxx>

#include "server/notify/pg_outbox.hpp"

namespace openmps::server::reports {
namespace {

Locale localeOf(const ClaimedRun& run) {
  return parseLocale(run.locale).value_or(Locale::kEn);
}

std::string reportTitle(Locale l, const std::string& report) {
  return textOr(l, "title." + report, report);
}

}  // namespace

RunMail deliveredMail(const ClaimedRun& run, const ReportFile& file, Locale l,
                      const std::string& timeZone) {
  const std::string period = formatDate(l, file.from) + " – " + formatDate(l, file.to);
  RunMail m;
  m.subject =
      format(l, "mail.subject", {reportTitle(l, run.run.report), run.run.organisation, period});
  const auto kept = meters::addDays(meters::localDate(timeZone, run.run.dueAt), run.keepDays);
  m.text = format(l, "mail.text",
                  {reportTitle(l, run.run.report), run.run.organisation, period, file.fileName,
                   formatDate(l, kept), std::to_string(run.run.id)});
  return m;
}

RunMail failedMail(const ClaimedRun& run, const std::string& error, Locale l) {
  RunMail m;
  m.subject =
      format(l, "mail.failed-subject", {reportTitle(l, run.run.report), run.run.organisation});
  m.text = format(
      l, "mail.failed-text",
      {reportTitle(l, run.run.report), run.run.organisation, std::to_string(run.run.attempts + 1),
       error.substr(0, 500), std::to_string(run.run.id)});
  return m;
}

void NotifyRunDelivery::delivered(pqxx::transaction_base& txn, const ClaimedRun& run,
                                  const ReportFile& file) {
  const Locale l = localeOf(run);
  const RunMail m = deliveredMail(run, file, l, "UTC");
  for (const auto& to : run.recipients) {
    notify::OutgoingMail mail;
    mail.organisationId = run.run.organisationId;
    mail.kind = "report";
    mail.to = to;
    mail.locale = toString(l);
    mail.subject = m.subject;
    mail.text = m.text;
    // A mail part's type without parameters (text/csv, not "text/csv; charset=...").
    const std::string type = file.contentType.substr(0, file.contentType.find(';'));
    mail.attachments.push_back({file.fileName, type, "", kRunAttachmentSource, run.run.id});
    notify::enqueueMail(txn, mail);
  }
}

void NotifyRunDelivery::failed(pqxx::transaction_base& txn, const ClaimedRun& run,
                               const std::string& error) {
  const Locale l = localeOf(run);
  const RunMail m = failedMail(run, error, l);
  for (const auto& to : run.recipients) {
    notify::OutgoingMail mail;
    mail.organisationId = run.run.organisationId;
    mail.kind = "report.failed";
    mail.to = to;
    mail.locale = toString(l);
    mail.subject = m.subject;
    mail.text = m.text;
    notify::enqueueMail(txn, mail);
  }
}

std::string loadRunFile(pqxx::transaction_base& txn, std::int64_t runId) {
  auto file = PgReportRuns(txn, auth::AuditActor::server()).file(runId);
  if (!file) {
    throw std::runtime_error("report run " + std::to_string(runId) + " has no file any more");
  }
  return std::move(*file);
}

}  // namespace openmps::server::reports
