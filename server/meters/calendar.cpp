#include "server/meters/calendar.hpp"

#include <cstdio>

#include <date/tz.h>

namespace openmps::server::meters {
namespace {

const date::time_zone* zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    throw CalendarError("unknown time zone '" + std::string(name) + "'");
  }
}

date::local_days toLocalDays(LocalDate d) {
  return date::local_days{date::year{d.year} / date::month{d.month} / date::day{d.day}};
}

LocalDate fromDays(std::chrono::sys_days days) {
  const std::chrono::year_month_day ymd{days};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

std::chrono::sys_days toSysDays(LocalDate d) {
  return std::chrono::sys_days{std::chrono::year{d.year} / std::chrono::month{d.month} /
                               std::chrono::day{d.day}};
}

TimePoint toSys(const date::time_zone* z, date::local_seconds t) {
  const auto info = z->get_info(t);
  if (info.result == date::local_info::nonexistent) {
    // The clock jumps over it: the first instant after the gap.
    return TimePoint{info.second.begin};
  }
  return TimePoint{z->to_sys(t, date::choose::earliest)};
}

}  // namespace

bool isKnownTimeZone(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  try {
    date::locate_zone(name);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

TimePoint startOfDay(std::string_view timeZone, LocalDate d) {
  return toSys(zone(timeZone), date::local_seconds{toLocalDays(d)});
}

TimePoint atLocalTime(std::string_view timeZone, LocalDate d, int hour, int minute) {
  return toSys(zone(timeZone), date::local_seconds{toLocalDays(d)} + std::chrono::hours{hour} +
                                   std::chrono::minutes{minute});
}

LocalTime localTime(std::string_view timeZone, TimePoint t) {
  const auto local = zone(timeZone)->to_local(std::chrono::floor<std::chrono::seconds>(t));
  const auto day = std::chrono::floor<date::days>(local);
  const std::chrono::hh_mm_ss<std::chrono::seconds> hms{local - day};
  LocalTime out;
  out.date = fromDays(std::chrono::sys_days{day.time_since_epoch()});
  out.hour = static_cast<int>(hms.hours().count());
  out.minute = static_cast<int>(hms.minutes().count());
  out.second = static_cast<int>(hms.seconds().count());
  return out;
}

LocalDate localDate(std::string_view timeZone, TimePoint t) {
  return localTime(timeZone, t).date;
}

unsigned daysInMonth(int year, unsigned month) {
  const std::chrono::year_month_day_last last{std::chrono::year{year} / std::chrono::month{month} /
                                              std::chrono::last};
  return static_cast<unsigned>(last.day());
}

LocalDate addDays(LocalDate d, int days) {
  return fromDays(toSysDays(d) + std::chrono::days{days});
}

LocalDate addMonths(LocalDate d, int months) {
  const int index = d.year * 12 + static_cast<int>(d.month) - 1 + months;
  const int year = index >= 0 ? index / 12 : (index - 11) / 12;
  const auto month = static_cast<unsigned>(index - year * 12 + 1);
  const unsigned day = std::min(d.day, daysInMonth(year, month));
  return {year, month, day};
}

int weekday(LocalDate d) {
  const std::chrono::weekday wd{toSysDays(d)};
  return static_cast<int>(wd.iso_encoding()) - 1;
}

std::string formatDate(LocalDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  return buf;
}

std::optional<LocalDate> parseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) {
      continue;
    }
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    const auto digit = static_cast<unsigned>(text[i] - '0');
    if (i < 4) {
      year = year * 10 + static_cast<int>(digit);
    } else if (i < 7) {
      month = month * 10 + digit;
    } else {
      day = day * 10 + digit;
    }
  }
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 ||
      day > daysInMonth(year, month)) {
    return std::nullopt;
  }
  return LocalDate{year, month, day};
}

Period localPeriod(std::string_view timeZone, LocalDate first, LocalDate last) {
  return {startOfDay(timeZone, first), startOfDay(timeZone, addDays(last, 1)), first, last};
}

Period billingPeriod(std::string_view timeZone, int billingDay, int year, unsigned month) {
  const auto day = [&](LocalDate monthStart) {
    return LocalDate{monthStart.year, monthStart.month,
                     std::min(static_cast<unsigned>(billingDay),
                              daysInMonth(monthStart.year, monthStart.month))};
  };
  const LocalDate first = day({year, month, 1});
  const LocalDate next = day(addMonths({year, month, 1}, 1));
  return localPeriod(timeZone, first, addDays(next, -1));
}

Period lastBillingPeriod(std::string_view timeZone, int billingDay, TimePoint now) {
  const LocalDate today = localDate(timeZone, now);
  Period p = billingPeriod(timeZone, billingDay, today.year, today.month);
  // This month's period may not have started, and has surely not ended:
  // step back until one has ended.
  while (p.end > now) {
    const LocalDate earlier = addMonths({p.first.year, p.first.month, 1}, -1);
    p = billingPeriod(timeZone, billingDay, earlier.year, earlier.month);
  }
  return p;
}

}  // namespace openmps::server::meters
