#include "server/notify/templates.hpp"

#include <array>

namespace openmps::server::notify {
namespace {

// en, de, fr, it
using Phrase = std::array<const char*, 4>;

std::size_t column(std::string_view locale) {
  if (locale == "de") return 1;
  if (locale == "fr") return 2;
  if (locale == "it") return 3;
  return 0;
}

const std::map<std::string, Phrase, std::less<>>& phrases() {
  static const std::map<std::string, Phrase, std::less<>> kPhrases = {
      // Supplies: one alert per supply, its stage rising low → very low → empty.
      {"supply.low",
       {"{supply} low ({level})", "{supply} niedrig ({level})", "{supply} bas ({level})",
        "{supply} in esaurimento ({level})"}},
      {"supply.very_low",
       {"{supply} very low ({level})", "{supply} sehr niedrig ({level})",
        "{supply} très bas ({level})", "{supply} quasi esaurito ({level})"}},
      {"supply.empty", {"{supply} empty", "{supply} leer", "{supply} vide", "{supply} esaurito"}},
      {"waste_toner.low",
       {"{supply} almost full", "{supply} fast voll", "{supply} presque plein",
        "{supply} quasi pieno"}},
      {"waste_toner.very_low",
       {"{supply} nearly full", "{supply} beinahe voll", "{supply} pratiquement plein",
        "{supply} praticamente pieno"}},
      {"waste_toner.empty", {"{supply} full", "{supply} voll", "{supply} plein", "{supply} pieno"}},
      {"runs_out",
       {"{supply} runs out before a new one can arrive (empty around {date})",
        "{supply} ist leer, bevor Ersatz eintreffen kann (leer um den {date})",
        "{supply} sera vide avant l'arrivée d'une recharge (vers le {date})",
        "{supply} si esaurirà prima dell'arrivo del ricambio (verso il {date})"}},
      // Service.
      {"jam", {"Paper jam", "Papierstau", "Bourrage papier", "Inceppamento carta"}},
      {"door_open",
       {"Door or cover open", "Klappe oder Abdeckung offen", "Porte ou capot ouvert",
        "Sportello o coperchio aperto"}},
      {"paper_out", {"Out of paper", "Kein Papier", "Plus de papier", "Carta esaurita"}},
      {"service_requested",
       {"Service requested", "Service angefordert", "Intervention requise",
        "Richiesta di assistenza"}},
      {"offline",
       {"Device offline", "Gerät offline", "Appareil hors ligne", "Dispositivo non raggiungibile"}},
      {"vendor_error",
       {"Error code {code}", "Fehlercode {code}", "Code d'erreur {code}",
        "Codice di errore {code}"}},
      {"printer_alert",
       {"Printer alert: {text}", "Druckermeldung: {text}", "Alerte de l'imprimante : {text}",
        "Avviso della stampante: {text}"}},
      // Silence.
      {"device_silent",
       {"Device not reporting since {since}", "Gerät meldet sich nicht seit {since}",
        "L'appareil ne répond plus depuis le {since}", "Il dispositivo non risponde dal {since}"}},
      {"collector_silent",
       {"Collector not reporting since {since}", "Collector meldet sich nicht seit {since}",
        "Le collecteur ne transmet plus depuis le {since}",
        "Il collettore non trasmette dal {since}"}},
      {"meter_missing",
       {"No meter reading for billing day {date}", "Kein Zählerstand für den Abrechnungstag {date}",
        "Aucun relevé de compteur pour la facturation du {date}",
        "Nessuna lettura dei contatori per la fatturazione del {date}"}},
      // Data quality.
      {"counter_backwards",
       {"Counter went backwards ({counter})", "Zähler rückwärts ({counter})",
        "Compteur en recul ({counter})", "Contatore tornato indietro ({counter})"}},
      {"counter_reset",
       {"Counter reset ({counter})", "Zähler zurückgesetzt ({counter})",
        "Compteur remis à zéro ({counter})", "Contatore azzerato ({counter})"}},
      {"counter_jump",
       {"Implausible counter jump ({counter})", "Unplausibler Zählersprung ({counter})",
        "Saut de compteur invraisemblable ({counter})",
        "Salto del contatore non plausibile ({counter})"}},
      {"device_swapped",
       {"Device swapped at {address} (was serial {previous})",
        "Gerät an {address} getauscht (vorher Seriennummer {previous})",
        "Appareil remplacé à {address} (numéro de série précédent {previous})",
        "Dispositivo sostituito a {address} (numero di serie precedente "
        "{previous})"}},
      // Events, severities, labels.
      {"event.cleared", {"Resolved: ", "Erledigt: ", "Résolu : ", "Risolto: "}},
      {"event.escalated", {"Escalated: ", "Eskaliert: ", "Escaladé : ", "Escalation: "}},
      {"event.repeat", {"Reminder: ", "Erinnerung: ", "Rappel : ", "Promemoria: "}},
      {"event.worse", {"", "", "", ""}},
      {"event.raised", {"", "", "", ""}},
      {"severity.info", {"Info", "Info", "Info", "Info"}},
      {"severity.warning", {"Warning", "Warnung", "Avertissement", "Avviso"}},
      {"severity.critical", {"Critical", "Kritisch", "Critique", "Critico"}},
      {"label.device", {"Device", "Gerät", "Appareil", "Dispositivo"}},
      {"label.serial", {"serial", "Seriennummer", "numéro de série", "numero di serie"}},
      {"label.customer", {"Customer", "Kunde", "Client", "Cliente"}},
      {"label.location", {"Location", "Standort", "Emplacement", "Posizione"}},
      {"label.address", {"Address", "Adresse", "Adresse", "Indirizzo"}},
      {"label.since", {"Since", "Seit", "Depuis", "Dal"}},
      {"label.severity", {"Severity", "Schweregrad", "Gravité", "Gravità"}},
      {"label.alert", {"Alert", "Alarm", "Alerte", "Allarme"}},
      {"text.cleared",
       {"The condition has ended.", "Der Zustand ist behoben.", "La condition a pris fin.",
        "La condizione è terminata."}},
      {"text.attached",
       {"The alert is attached as JSON ({file}).", "Der Alarm liegt als JSON bei ({file}).",
        "L'alerte est jointe au format JSON ({file}).",
        "L'allarme è allegato in formato JSON ({file})."}},
      {"text.footer",
       {"Sent by OpenMPS. Acknowledge it in the portal or with: "
        "openmps-server alert ack {id} --note TEXT",
        "Gesendet von OpenMPS. Bestätigen Sie ihn im Portal oder mit: "
        "openmps-server alert ack {id} --note TEXT",
        "Envoyé par OpenMPS. Acquittez-la dans le portail ou avec : "
        "openmps-server alert ack {id} --note TEXT",
        "Inviato da OpenMPS. Confermalo nel portale o con: "
        "openmps-server alert ack {id} --note TEXT"}},
      {"digest.quiet_hours",
       {"{count} alerts during the quiet hours", "{count} Alarme während der Ruhezeit",
        "{count} alertes pendant les heures de silence",
        "{count} allarmi durante le ore di silenzio"}},
      {"digest.storm",
       {"{count} alerts of one kind at once", "{count} gleichartige Alarme auf einmal",
        "{count} alertes du même type à la fois",
        "{count} allarmi dello stesso tipo contemporaneamente"}},
      {"digest.intro",
       {"These alerts were held back and are sent together:",
        "Diese Alarme wurden zurückgehalten und kommen gesammelt:",
        "Ces alertes ont été retenues et sont envoyées ensemble :",
        "Questi allarmi sono stati trattenuti e vengono inviati insieme:"}},
      {"test.subject",
       {"[OpenMPS] Test notification for {organisation}",
        "[OpenMPS] Testbenachrichtigung für {organisation}",
        "[OpenMPS] Notification de test pour {organisation}",
        "[OpenMPS] Notifica di prova per {organisation}"}},
      {"test.body",
       {"This is a test notification from OpenMPS ({when}).\n\n"
        "Alerts for {organisation} will reach you this way.\n",
        "Dies ist eine Testbenachrichtigung von OpenMPS ({when}).\n\n"
        "Alarme für {organisation} erreichen Sie auf diesem Weg.\n",
        "Ceci est une notification de test d'OpenMPS ({when}).\n\n"
        "Les alertes de {organisation} vous parviendront ainsi.\n",
        "Questa è una notifica di prova di OpenMPS ({when}).\n\n"
        "Gli allarmi per {organisation} ti raggiungeranno così.\n"}},
  };
  return kPhrases;
}

using Values = std::map<std::string, std::string>;

std::string fill(std::string_view pattern, const Values& values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      const auto end = pattern.find('}', i);
      if (end != std::string_view::npos) {
        const std::string key(pattern.substr(i + 1, end - i - 1));
        if (const auto it = values.find(key); it != values.end()) {
          out += it->second;
          i = end;
          continue;
        }
      }
    }
    out += pattern[i];
  }
  return out;
}

// The phrase in the locale's language, or `fallback` when there is none.
std::string say(std::string_view locale, std::string_view key, const Values& values = {},
                std::string_view fallback = "") {
  const auto& all = phrases();
  const auto it = all.find(key);
  if (it == all.end()) return std::string(fallback);
  return fill(it->second[column(locale)], values);
}

std::string titleKey(const AlertFacts& f) {
  if (f.stage.empty()) return f.condition;
  const std::string own = f.condition + "." + f.stage;
  return phrases().contains(own) ? own : "supply." + f.stage;
}

Values titleValues(const AlertFacts& f) {
  Values v = f.values;
  v.emplace("since", f.since);
  if (const auto it = v.find("level"); it != v.end() && !it->second.empty()) {
    it->second += " %";
  } else {
    v["level"] = "?";
  }
  v.emplace("supply", f.condition);
  v.emplace("code", "?");
  v.emplace("text", "?");
  v.emplace("counter", "?");
  return v;
}

std::string deviceName(const AlertFacts& f) {
  std::string name = f.deviceModel.empty() ? "?" : f.deviceModel;
  if (!f.deviceSerial.empty()) name += " (" + f.deviceSerial + ")";
  return name;
}

// Characters, not bytes: "Gerät:" is six wide.
std::size_t width(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
  return n;
}

void line(std::string& body, std::string_view locale, std::string_view label,
          const std::string& value) {
  if (value.empty()) return;
  std::string name = say(locale, label) + ":";
  name.append(std::max<std::size_t>(1, 14 - std::min<std::size_t>(14, width(name))), ' ');
  body += name + value + "\n";
}

}  // namespace

bool supportedLocale(std::string_view locale) {
  return locale == "en" || locale == "de" || locale == "fr" || locale == "it";
}

std::string localeOrDefault(std::string_view locale) {
  return supportedLocale(locale) ? std::string(locale) : "en";
}

std::string alertTitle(std::string_view locale, const AlertFacts& facts) {
  return say(locale, titleKey(facts), titleValues(facts), facts.condition);
}

MailText alertMail(std::string_view locale, const AlertFacts& f) {
  const std::string title = alertTitle(locale, f);
  const std::string severity = say(locale, "severity." + f.severity, {}, f.severity);
  MailText out;
  out.subject = "[OpenMPS] " + say(locale, "event." + f.event) + severity + ": " + title + " – " +
                deviceName(f);
  if (!f.customer.empty()) out.subject += ", " + f.customer;
  out.body = say(locale, "event." + f.event) + title + "\n\n";
  if (f.event == "cleared") out.body += say(locale, "text.cleared") + "\n\n";
  std::string device = f.deviceModel;
  if (!f.deviceSerial.empty()) {
    device += (device.empty() ? "" : ", ") + say(locale, "label.serial") + " " + f.deviceSerial;
  }
  line(out.body, locale, "label.device", device);
  line(out.body, locale, "label.customer", f.customer);
  line(out.body, locale, "label.location", f.deviceLocation);
  line(out.body, locale, "label.address", f.deviceAddress);
  line(out.body, locale, "label.since", f.since);
  line(out.body, locale, "label.severity", severity);
  line(out.body, locale, "label.alert", "#" + std::to_string(f.id));
  const Values ids{{"id", std::to_string(f.id)},
                   {"file", "alert-" + std::to_string(f.id) + ".json"}};
  out.body += "\n" + say(locale, "text.attached", ids) + "\n";
  out.body += say(locale, "text.footer", ids) + "\n";
  return out;
}

MailText digestMail(std::string_view locale, std::string_view reason,
                    const std::vector<AlertFacts>& alerts) {
  const Values count{{"count", std::to_string(alerts.size())}};
  MailText out;
  out.subject = "[OpenMPS] " + say(locale, "digest." + std::string(reason), count,
                                   std::to_string(alerts.size()) + " alerts");
  out.body = say(locale, "digest.intro") + "\n\n";
  for (const auto& f : alerts) {
    out.body += "- #" + std::to_string(f.id) + " " + say(locale, "event." + f.event) +
                say(locale, "severity." + f.severity, {}, f.severity) + ": " +
                alertTitle(locale, f) + " – " + deviceName(f);
    if (!f.customer.empty()) out.body += ", " + f.customer;
    if (!f.since.empty()) out.body += " (" + say(locale, "label.since") + " " + f.since + ")";
    out.body += "\n";
  }
  return out;
}

MailText testMail(std::string_view locale, std::string_view organisation, std::string_view when) {
  const Values v{{"organisation", std::string(organisation)}, {"when", std::string(when)}};
  return {say(locale, "test.subject", v), say(locale, "test.body", v)};
}

}  // namespace openmps::server::notify
