#include "server/alerts/dispatch.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "server/meters/calendar.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::alerts {
namespace {

using nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json timeOrNull(const std::optional<TimePoint>& t) {
  return t ? json(util::formatRfc3339(*t)) : json();
}

std::string text(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return "";
}

// The words a supply goes by: its description, else its colour and family.
std::string supplyName(const json& d) {
  std::string name = text(d, "description");
  if (name.empty()) name = text(d, "color") + " " + text(d, "family");
  return name;
}

json alertObject(const AlertContext& c, AlertEvent event) {
  const Alert& a = c.alert;
  json device;
  if (c.deviceId != 0) {
    device = {{"id", c.deviceId},
              {"model", c.deviceModel},
              {"serial", c.deviceSerial},
              {"location", c.deviceLocation},
              {"address", c.deviceAddress}};
  }
  json detail = json::parse(a.detail, nullptr, false);
  if (detail.is_discarded()) detail = json::object();
  return {{"id", a.id},
          {"condition", a.condition},
          {"subject", a.subject},
          {"stage", a.stage},
          {"severity", toString(a.severity)},
          {"state", toString(a.state)},
          {"event", toString(event)},
          {"since", util::formatRfc3339(a.since)},
          {"raised_at", timeOrNull(a.raisedAt)},
          {"acknowledged_at", timeOrNull(a.acknowledgedAt)},
          {"customer", {{"id", c.customerId}, {"name", c.customer}}},
          {"dealer", c.dealer},
          {"device", device},
          {"collector_id", c.collectorId == 0 ? json() : json(c.collectorId)},
          {"detail", detail}};
}

std::string kindOf(AlertEvent event) {
  return std::string("alert.") + toString(event);
}

}  // namespace

bool wants(const Subscription& s, const std::vector<std::int64_t>& customerPath, const Alert& alert,
           AlertEvent event) {
  if (!s.enabled) return false;
  if (std::find(customerPath.begin(), customerPath.end(), s.organisationId) == customerPath.end()) {
    return false;
  }
  if (alert.severity < s.minSeverity) return false;
  if (!s.conditions.empty() &&
      std::find(s.conditions.begin(), s.conditions.end(), alert.condition) == s.conditions.end()) {
    return false;
  }
  return event != AlertEvent::kCleared || s.includeClears;
}

std::vector<Recipient> recipients(const Subscription& s, const std::vector<Person>& people,
                                  const std::string& organisationLocale) {
  std::vector<Recipient> out;
  const std::string fallback = notify::localeOrDefault(organisationLocale);
  if (s.channel == notify::Channel::kWebhook) {
    out.push_back({s.id, s.channel, s.url, s.locale.empty() ? fallback : s.locale, s.sealedSecret});
    return out;
  }
  if (!s.address.empty()) {
    out.push_back({s.id, s.channel, s.address, s.locale.empty() ? fallback : s.locale, ""});
    return out;
  }
  for (const auto& p : people) {
    const bool chosen =
        s.userId != 0 ? p.userId == s.userId : (!s.role.empty() && p.role == s.role);
    if (!chosen || !notify::plausibleAddress(p.email)) continue;
    const std::string locale = !s.locale.empty() ? s.locale : notify::localeOrDefault(p.locale);
    out.push_back({s.id, s.channel, p.email, locale, ""});
  }
  return out;
}

std::optional<TimePoint> quietUntil(const QuietHours& quiet, const std::string& timeZone,
                                    TimePoint now) {
  meters::LocalTime local;
  try {
    local = meters::localTime(timeZone, now);
  } catch (const meters::CalendarError&) {
    local = meters::localTime("UTC", now);
  }
  const int minute = local.hour * 60 + local.minute;
  if (!inQuietHours(quiet, minute)) return std::nullopt;
  const meters::LocalDate endDay =
      quiet.toMinute > minute ? local.date : meters::addDays(local.date, 1);
  try {
    return meters::atLocalTime(timeZone, endDay, quiet.toMinute / 60, quiet.toMinute % 60);
  } catch (const meters::CalendarError&) {
    return meters::atLocalTime("UTC", endDay, quiet.toMinute / 60, quiet.toMinute % 60);
  }
}

TimePoint stormWindowStart(const StormGuard& storm, TimePoint now) {
  const auto window = std::chrono::duration_cast<TimePoint::duration>(storm.window);
  const auto since = now.time_since_epoch();
  return TimePoint(since - since % window);
}

std::optional<Hold> stormHold(const StormGuard& storm, int raisedInWindow, TimePoint now) {
  if (raisedInWindow <= storm.threshold) return std::nullopt;
  return Hold{"storm", stormWindowStart(storm, now) + storm.window};
}

std::optional<Hold> holdFor(const RuleSet& customerRules, const std::string& timeZone,
                            int raisedInWindow, AlertEvent event, TimePoint now) {
  if (customerRules.quietHours) {
    if (const auto until = quietUntil(*customerRules.quietHours, timeZone, now)) {
      return Hold{"quiet_hours", *until};
    }
  }
  if (event == AlertEvent::kRaised) return stormHold(customerRules.storm, raisedInWindow, now);
  return std::nullopt;
}

std::string localTimeText(const std::string& timeZone, TimePoint t) {
  meters::LocalTime l;
  std::string zone = timeZone;
  try {
    l = meters::localTime(timeZone, t);
  } catch (const meters::CalendarError&) {
    zone = "UTC";
    l = meters::localTime(zone, t);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", l.date.year, l.date.month, l.date.day,
                l.hour, l.minute);
  return std::string(buf) + " " + zone;
}

notify::AlertFacts factsOf(const AlertContext& c, AlertEvent event) {
  const Alert& a = c.alert;
  notify::AlertFacts f;
  f.id = a.id;
  f.condition = a.condition;
  f.stage = isSupplyCondition(a.condition) ? a.stage : "";
  f.event = toString(event);
  f.severity = toString(a.severity);
  f.customer = c.customer;
  f.deviceModel = c.deviceModel;
  f.deviceSerial = c.deviceSerial;
  f.deviceLocation = c.deviceLocation;
  f.deviceAddress = c.deviceAddress;
  f.since = localTimeText(c.timeZone, a.since);
  json d = json::parse(a.detail, nullptr, false);
  if (!d.is_object()) d = json::object();
  f.values["supply"] = supplyName(d);
  f.values["level"] = text(d, "after");
  f.values["code"] = a.subject;
  f.values["text"] = text(d, "text").empty() ? a.subject : text(d, "text");
  std::string counter = text(d, "counter");
  if (const auto it = d.find("counters");
      counter.empty() && it != d.end() && it->is_array() && !it->empty()) {
    counter = text((*it)[0], "counter");
  }
  f.values["counter"] = counter;
  f.values["date"] = text(d, "date");
  f.values["address"] = text(d, "address").empty() ? c.deviceAddress : text(d, "address");
  f.values["previous"] = text(d, "previous_serial");
  if (c.deviceId == 0) f.deviceModel = "collector " + std::to_string(c.collectorId);
  return f;
}

std::string alertJson(const AlertContext& context, AlertEvent event) {
  return dump(alertObject(context, event));
}

notify::OutgoingMail alertMail(const AlertContext& context, AlertEvent event,
                               const Recipient& recipient, std::int64_t organisationId) {
  const auto text = notify::alertMail(recipient.locale, factsOf(context, event));
  notify::OutgoingMail m;
  m.organisationId = organisationId;
  m.kind = kindOf(event);
  m.to = recipient.target;
  m.locale = recipient.locale;
  m.subject = text.subject;
  m.text = text.body;
  m.attachments.push_back({"alert-" + std::to_string(context.alert.id) + ".json",
                           "application/json", alertJson(context, event), "", 0});
  return m;
}

notify::OutgoingWebhook alertWebhook(const AlertContext& context, AlertEvent event,
                                     const Recipient& recipient, std::int64_t organisationId) {
  const json body{{"event", kindOf(event)},
                  {"title", notify::alertTitle(recipient.locale, factsOf(context, event))},
                  {"alert", alertObject(context, event)}};
  return {organisationId, kindOf(event), recipient.target, dump(body), recipient.sealedSecret};
}

notify::OutgoingMail digestMail(const std::vector<std::pair<AlertContext, AlertEvent>>& alerts,
                                const std::string& reason, const Recipient& recipient,
                                std::int64_t organisationId) {
  std::vector<notify::AlertFacts> facts;
  json all = json::array();
  for (const auto& [c, e] : alerts) {
    facts.push_back(factsOf(c, e));
    all.push_back(alertObject(c, e));
  }
  const auto text = notify::digestMail(recipient.locale, reason, facts);
  notify::OutgoingMail m;
  m.organisationId = organisationId;
  m.kind = "alert.digest";
  m.to = recipient.target;
  m.locale = recipient.locale;
  m.subject = text.subject;
  m.text = text.body;
  m.attachments.push_back({"alerts.json", "application/json", dump(all), "", 0});
  return m;
}

notify::OutgoingWebhook digestWebhook(
    const std::vector<std::pair<AlertContext, AlertEvent>>& alerts, const std::string& reason,
    const Recipient& recipient, std::int64_t organisationId) {
  json all = json::array();
  for (const auto& [c, e] : alerts) all.push_back(alertObject(c, e));
  const json body{{"event", "alert.digest"}, {"reason", reason}, {"alerts", all}};
  return {organisationId, "alert.digest", recipient.target, dump(body), recipient.sealedSecret};
}

}  // namespace openmps::server::alerts
