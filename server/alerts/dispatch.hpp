#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/alerts/lifecycle.hpp"
#include "server/alerts/rules.hpp"
#include "server/notify/notification.hpp"
#include "server/notify/templates.hpp"

// Who hears of an alert, when, and in which words. Pure: subscriptions
// and facts in, outbox messages out.
namespace openmps::server::alerts {

// A subscription: the alerts of an organisation's subtree (a dealer's: all
// its customers'), to one user, every user of a role there, an address, or
// a webhook; from a severity on, for some conditions or all.
struct Subscription {
  std::int64_t id = 0;
  std::int64_t organisationId = 0;
  notify::Channel channel = notify::Channel::kEmail;
  std::int64_t userId = 0;  // 0: none
  std::string role;         // every user of the organisation with this role
  std::string address;      // an address without a user
  std::string url;          // webhook
  std::string sealedSecret;
  std::string locale;  // empty: the user's, or the organisation's
  Severity minSeverity = Severity::kWarning;
  std::vector<std::string> conditions;  // empty: all
  bool includeClears = false;
  bool enabled = true;
};

// Whether the subscription wants this news of this alert. customerPath:
// the alert's customer and its ancestors (root first).
bool wants(const Subscription& s, const std::vector<std::int64_t>& customerPath, const Alert& alert,
           AlertEvent event);

// Where a subscription's messages go: one per address (a role's users each
// get their own, in their own language).
struct Recipient {
  std::int64_t subscriptionId = 0;
  notify::Channel channel = notify::Channel::kEmail;
  std::string target;  // address or URL
  std::string locale;
  std::string sealedSecret;
};

// A person a user or role subscription reaches.
struct Person {
  std::int64_t userId = 0;
  std::string email;
  std::string locale;
  std::string role;
};

// people: the users of the subscription's organisation (enabled, with an
// address). organisationLocale: the language of addresses without a user.
std::vector<Recipient> recipients(const Subscription& s, const std::vector<Person>& people,
                                  const std::string& organisationLocale);

// Why a message waits, and until when (then one digest per recipient).
struct Hold {
  std::string reason;  // quiet_hours or storm
  TimePoint releaseAt;
};

// The customer's quiet hours in its time zone: when `now` is inside them,
// when they end.
std::optional<TimePoint> quietUntil(const QuietHours& quiet, const std::string& timeZone,
                                    TimePoint now);

// The storm guard: when `raisedInWindow` alerts of the same condition and
// customer were raised in the current window (this one included) and
// that is more than the threshold, messages wait for the window's end:
// windows are fixed slices of `storm.window`, so a storm's alerts leave
// in one digest.
std::optional<Hold> stormHold(const StormGuard& storm, int raisedInWindow, TimePoint now);
TimePoint stormWindowStart(const StormGuard& storm, TimePoint now);

// Quiet hours first (the whole night waits), then the storm guard.
std::optional<Hold> holdFor(const RuleSet& customerRules, const std::string& timeZone,
                            int raisedInWindow, AlertEvent event, TimePoint now);

// What the texts say about an alert, and the alert as JSON (the mail's
// attachment, the webhook's `alert`).
struct AlertContext {
  Alert alert;
  std::int64_t customerId = 0;
  std::string customer;
  std::string dealer;
  std::int64_t deviceId = 0;  // 0: a collector's alert
  std::string deviceModel;
  std::string deviceSerial;
  std::string deviceLocation;
  std::string deviceAddress;
  std::int64_t collectorId = 0;
  std::string timeZone = "UTC";
};

notify::AlertFacts factsOf(const AlertContext& context, AlertEvent event);
std::string alertJson(const AlertContext& context, AlertEvent event);

notify::OutgoingMail alertMail(const AlertContext& context, AlertEvent event,
                               const Recipient& recipient, std::int64_t organisationId);
notify::OutgoingWebhook alertWebhook(const AlertContext& context, AlertEvent event,
                                     const Recipient& recipient, std::int64_t organisationId);

// Held messages of one recipient, together.
notify::OutgoingMail digestMail(const std::vector<std::pair<AlertContext, AlertEvent>>& alerts,
                                const std::string& reason, const Recipient& recipient,
                                std::int64_t organisationId);
notify::OutgoingWebhook digestWebhook(
    const std::vector<std::pair<AlertContext, AlertEvent>>& alerts, const std::string& reason,
    const Recipient& recipient, std::int64_t organisationId);

// "2026-03-04 14:05 Europe/Berlin": a time as the customer reads it.
std::string localTimeText(const std::string& timeZone, TimePoint t);

}  // namespace openmps::server::alerts
