#pragma once

#include <cstdint>
#include <string>

#include "server/reports/report_scheduler.hpp"

namespace pqxx {
class transaction_base;
}

// Scheduled reports leave through the server's notification outbox
// (server/notify): one mail per recipient, the file attached by reference
// to its run (loaded when the mail is sent, so the outbox does not copy
// it), queued in the transaction that records the run done. A run whose
// attempts are used up is mailed as a failure to the same recipients.
namespace openmps::server::reports {

// The attachment source name the outbox resolves through loadRunFile.
inline constexpr const char* kRunAttachmentSource = "report_run";

class NotifyRunDelivery final : public RunDelivery {
 public:
  void delivered(pqxx::transaction_base& txn, const ClaimedRun& run,
                 const ReportFile& file) override;
  void failed(pqxx::transaction_base& txn, const ClaimedRun& run,
              const std::string& error) override;
};

// The bytes of a run's file, for the outbox's attachment loader.
// std::runtime_error when the file is gone (expired).
std::string loadRunFile(pqxx::transaction_base& txn, std::int64_t runId);

// Subject and text of the mails, in the run's language (pure).
struct RunMail {
  std::string subject;
  std::string text;
};
RunMail deliveredMail(const ClaimedRun& run, const ReportFile& file, Locale locale,
                      const std::string& timeZone);
RunMail failedMail(const ClaimedRun& run, const std::string& error, Locale locale);

}  // namespace openmps::server::reports
