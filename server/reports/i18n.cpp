#include "server/reports/i18n.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace openmps::server::reports {
namespace {

using Texts = std::array<std::string, 4>;  // en, de, fr, it

// Every text a report shows. Keys: title.*, col.*, meter.*, note.*,
// state.*, forecast.*, word.*.
const std::map<std::string, Texts, std::less<>>& table() {
  static const std::map<std::string, Texts, std::less<>> kTexts = {
      // report titles
      {"title.billing",
       {"Billing meters", "Zählerstände für die Abrechnung",
        "Relevés de compteurs pour la facturation", "Letture dei contatori per la fatturazione"}},
      {"title.billing-erp",
       {"Meter readings for import", "Zählerstände für den Import",
        "Relevés de compteurs pour l'import", "Letture dei contatori per l'importazione"}},
      {"title.supplies",
       {"Supplies and forecasts", "Verbrauchsmaterial und Prognosen", "Consommables et prévisions",
        "Materiali di consumo e previsioni"}},
      {"title.replacements",
       {"Cartridges replaced in the period", "Im Zeitraum ersetzte Kartuschen",
        "Cartouches remplacées dans la période", "Cartucce sostituite nel periodo"}},
      {"title.inventory",
       {"Fleet inventory", "Geräteinventar", "Inventaire du parc", "Inventario del parco"}},
      {"title.usage",
       {"Usage and utilisation", "Nutzung und Auslastung", "Utilisation et charge",
        "Utilizzo e carico"}},
      {"title.status",
       {"Status history", "Statusverlauf", "Historique des états", "Cronologia degli stati"}},
      {"title.alerts",
       {"Alert history", "Alarmverlauf", "Historique des alertes", "Cronologia degli allarmi"}},
      {"title.collectors",
       {"Collector health", "Zustand der Kollektoren", "État des collecteurs",
        "Stato dei collettori"}},
      // document words
      {"word.period", {"Period", "Zeitraum", "Période", "Periodo"}},
      {"word.generated", {"Generated", "Erstellt", "Généré le", "Generato il"}},
      {"word.time-zone", {"Time zone", "Zeitzone", "Fuseau horaire", "Fuso orario"}},
      {"word.page",
       {"Page {1} of {2}", "Seite {1} von {2}", "Page {1} sur {2}", "Pagina {1} di {2}"}},
      {"word.yes", {"yes", "ja", "oui", "sì"}},
      {"word.no", {"no", "nein", "non", "no"}},
      {"word.devices", {"Devices", "Geräte", "Appareils", "Dispositivi"}},
      {"word.no-rows",
       {"Nothing to report for this period.", "Für diesen Zeitraum liegt nichts vor.",
        "Rien à signaler pour cette période.", "Nulla da segnalare per questo periodo."}},
      {"word.all",
       {"all organisations", "alle Organisationen", "toutes les organisations",
        "tutte le organizzazioni"}},
      {"chart.usage-by-meter",
       {"Pages by meter", "Seiten nach Zähler", "Pages par compteur", "Pagine per contatore"}},
      {"chart.top-devices",
       {"Devices with the most pages", "Geräte mit den meisten Seiten",
        "Appareils avec le plus de pages", "Dispositivi con più pagine"}},
      {"chart.lowest-supplies",
       {"Lowest supply levels", "Niedrigste Füllstände", "Niveaux de consommables les plus bas",
        "Livelli di consumo più bassi"}},
      {"chart.pages-per-month",
       {"Pages per month", "Seiten pro Monat", "Pages par mois", "Pagine al mese"}},
      {"chart.alerts-per-device",
       {"Devices with the most alerts", "Geräte mit den meisten Alarmen",
        "Appareils avec le plus d'alertes", "Dispositivi con più allarmi"}},
      {"chart.level-distribution",
       {"Supplies by level", "Verbrauchsmaterial nach Füllstand", "Consommables par niveau",
        "Materiali per livello"}},
      // columns
      {"col.customer", {"Customer", "Kunde", "Client", "Cliente"}},
      {"col.serial", {"Serial number", "Seriennummer", "Numéro de série", "Numero di serie"}},
      {"col.manufacturer", {"Manufacturer", "Hersteller", "Fabricant", "Produttore"}},
      {"col.model", {"Model", "Modell", "Modèle", "Modello"}},
      {"col.location", {"Location", "Standort", "Emplacement", "Ubicazione"}},
      {"col.meter", {"Meter", "Zähler", "Compteur", "Contatore"}},
      {"col.start-date", {"Start date", "Anfangsdatum", "Date de début", "Data iniziale"}},
      {"col.start-reading",
       {"Start reading", "Anfangsstand", "Relevé de début", "Lettura iniziale"}},
      {"col.end-date", {"End date", "Enddatum", "Date de fin", "Data finale"}},
      {"col.end-reading", {"End reading", "Endstand", "Relevé de fin", "Lettura finale"}},
      {"col.usage", {"Pages", "Seiten", "Pages", "Pagine"}},
      {"col.estimated", {"Estimated", "Geschätzt", "Estimé", "Stimato"}},
      {"col.notes", {"Notes", "Hinweise", "Remarques", "Note"}},
      {"col.reading", {"Reading", "Zählerstand", "Relevé", "Lettura"}},
      {"col.date", {"Date", "Datum", "Date", "Data"}},
      {"col.supply", {"Supply", "Verbrauchsmaterial", "Consommable", "Materiale"}},
      {"col.color", {"Colour", "Farbe", "Couleur", "Colore"}},
      {"col.part-number", {"Part number", "Artikelnummer", "Référence", "Codice articolo"}},
      {"col.level", {"Level", "Füllstand", "Niveau", "Livello"}},
      {"col.state", {"State", "Zustand", "État", "Stato"}},
      {"col.empty-date", {"Empty on", "Leer am", "Vide le", "Vuoto il"}},
      {"col.empty-earliest", {"Earliest", "Frühestens", "Au plus tôt", "Al più presto"}},
      {"col.empty-latest", {"Latest", "Spätestens", "Au plus tard", "Al più tardi"}},
      {"col.order-by", {"Order by", "Bestellen bis", "Commander avant", "Ordinare entro"}},
      {"col.days-left", {"Days left", "Tage übrig", "Jours restants", "Giorni rimanenti"}},
      {"col.points", {"Points", "Messpunkte", "Points", "Punti"}},
      {"col.forecast", {"Forecast", "Prognose", "Prévision", "Previsione"}},
      {"col.installed", {"Installed", "Eingesetzt", "Installée", "Installata"}},
      {"col.replaced", {"Replaced", "Ersetzt", "Remplacée", "Sostituita"}},
      {"col.level-at-replacement",
       {"Level when replaced", "Füllstand beim Ersetzen", "Niveau au remplacement",
        "Livello alla sostituzione"}},
      {"col.pages", {"Pages printed", "Gedruckte Seiten", "Pages imprimées", "Pagine stampate"}},
      {"col.firmware", {"Firmware", "Firmware", "Micrologiciel", "Firmware"}},
      {"col.ip", {"IP address", "IP-Adresse", "Adresse IP", "Indirizzo IP"}},
      {"col.mac", {"MAC address", "MAC-Adresse", "Adresse MAC", "Indirizzo MAC"}},
      {"col.host", {"Host name", "Hostname", "Nom d'hôte", "Nome host"}},
      {"col.collector", {"Collector", "Kollektor", "Collecteur", "Collettore"}},
      {"col.first-seen",
       {"First seen", "Zuerst gesehen", "Vu la première fois", "Visto la prima volta"}},
      {"col.last-seen",
       {"Last seen", "Zuletzt gesehen", "Vu la dernière fois", "Visto l'ultima volta"}},
      {"col.status", {"Status", "Status", "Statut", "Stato"}},
      {"col.month", {"Month", "Monat", "Mois", "Mese"}},
      {"col.duty-cycle",
       {"Duty cycle (pages/month)", "Maximale Monatsleistung", "Cycle de service (pages/mois)",
        "Ciclo di lavoro (pagine/mese)"}},
      {"col.utilisation", {"Utilisation", "Auslastung", "Taux d'utilisation", "Utilizzo"}},
      {"col.assessment", {"Assessment", "Bewertung", "Appréciation", "Valutazione"}},
      {"col.condition", {"Condition", "Zustand", "Condition", "Condizione"}},
      {"col.from", {"From", "Von", "Du", "Dal"}},
      {"col.until",
       {"Last seen with it", "Zuletzt damit gesehen", "Vu en dernier avec",
        "Visto l'ultima volta con"}},
      {"col.reads", {"Reads", "Abfragen", "Relevés", "Letture"}},
      {"col.collector-id", {"Collector ID", "Kollektor-ID", "ID du collecteur", "ID collettore"}},
      {"col.name", {"Name", "Name", "Nom", "Nome"}},
      {"col.carrier", {"Carrier", "Übertragungsweg", "Transport", "Trasporto"}},
      {"col.peer", {"Sent from", "Gesendet von", "Envoyé de", "Inviato da"}},
      {"col.batches", {"Batches", "Sendungen", "Envois", "Invii"}},
      {"col.readings", {"Readings", "Messwerte", "Relevés", "Letture"}},
      {"col.missing-batches",
       {"Missing batches", "Fehlende Sendungen", "Envois manquants", "Invii mancanti"}},
      {"col.missing-numbers",
       {"Missing numbers", "Fehlende Nummern", "Numéros manquants", "Numeri mancanti"}},
      {"col.days-without",
       {"Days without a batch", "Tage ohne Sendung", "Jours sans envoi", "Giorni senza invio"}},
      {"col.revoked", {"Revoked", "Gesperrt", "Révoqué", "Revocato"}},
      {"col.devices", {"Devices", "Geräte", "Appareils", "Dispositivi"}},
      {"col.alert-id", {"Alert no.", "Alarm-Nr.", "N° d'alerte", "N. allarme"}},
      {"col.alert", {"Alert", "Alarm", "Alerte", "Allarme"}},
      {"col.occurrences", {"Occurrences", "Vorkommen", "Occurrences", "Occorrenze"}},
      {"col.severity", {"Severity", "Schwere", "Gravité", "Gravità"}},
      {"col.since", {"Since", "Seit", "Depuis", "Dal"}},
      {"col.cleared", {"Cleared", "Behoben", "Résolue", "Risolto"}},
      {"col.acknowledged", {"Acknowledged", "Bestätigt", "Acquittée", "Confermato"}},
      {"severity.info", {"info", "Hinweis", "info", "info"}},
      {"severity.warning", {"warning", "Warnung", "avertissement", "avviso"}},
      {"severity.critical", {"critical", "kritisch", "critique", "critico"}},
      {"alert-state.open", {"open", "offen", "ouverte", "aperto"}},
      {"alert-state.cleared", {"cleared", "behoben", "résolue", "risolto"}},
      {"alert-state.cancelled", {"cancelled", "verworfen", "annulée", "annullato"}},
      // meters
      {"meter.total", {"Total", "Gesamt", "Total", "Totale"}},
      {"meter.mono", {"Black & white", "Schwarzweiß", "Noir et blanc", "Bianco e nero"}},
      {"meter.color", {"Colour", "Farbe", "Couleur", "Colore"}},
      {"meter.print", {"Print", "Druck", "Impression", "Stampa"}},
      {"meter.copy", {"Copy", "Kopie", "Copie", "Copia"}},
      {"meter.fax", {"Fax", "Fax", "Fax", "Fax"}},
      {"meter.scan", {"Scan", "Scan", "Numérisation", "Scansione"}},
      {"meter.duplex", {"Duplex", "Duplex", "Recto verso", "Fronte retro"}},
      {"meter.large", {"Large format", "Großformat", "Grand format", "Grande formato"}},
      // notes of the billing arithmetic; {n} are dates and readings
      {"note.no-readings", {"no readings", "keine Messwerte", "aucun relevé", "nessuna lettura"}},
      {"note.start-interpolated",
       {"start estimated between the readings of {1} ({2}) and {3} ({4})",
        "Anfang geschätzt zwischen den Ständen vom {1} ({2}) und {3} ({4})",
        "début estimé entre les relevés du {1} ({2}) et du {3} ({4})",
        "inizio stimato tra le letture del {1} ({2}) e del {3} ({4})"}},
      {"note.end-interpolated",
       {"end estimated between the readings of {1} ({2}) and {3} ({4})",
        "Ende geschätzt zwischen den Ständen vom {1} ({2}) und {3} ({4})",
        "fin estimée entre les relevés du {1} ({2}) et du {3} ({4})",
        "fine stimata tra le letture del {1} ({2}) e del {3} ({4})"}},
      {"note.start-across-reset",
       {"counter restarted between {1} ({2}) and {3} ({4}): start taken from {3}",
        "Zähler zwischen {1} ({2}) und {3} ({4}) neu gestartet: Anfang vom {3}",
        "compteur redémarré entre le {1} ({2}) et le {3} ({4}) : début pris le {3}",
        "contatore ripartito tra il {1} ({2}) e il {3} ({4}): inizio preso il {3}"}},
      {"note.end-across-reset",
       {"counter restarted between {1} ({2}) and {3} ({4}): end taken from {3}",
        "Zähler zwischen {1} ({2}) und {3} ({4}) neu gestartet: Ende vom {3}",
        "compteur redémarré entre le {1} ({2}) et le {3} ({4}) : fin prise le {3}",
        "contatore ripartito tra il {1} ({2}) e il {3} ({4}): fine presa il {3}"}},
      {"note.first-reading",
       {"first read on {1}", "erstmals gelesen am {1}", "premier relevé le {1}",
        "prima lettura il {1}"}},
      {"note.no-reading-since",
       {"no reading since {1}: end is that reading",
        "kein Messwert seit {1}: Ende ist dieser Stand",
        "aucun relevé depuis le {1} : la fin est ce relevé",
        "nessuna lettura dal {1}: la fine è quella lettura"}},
      {"note.ignored-low-reading",
       {"reading of {1} ({2}, below {3}) ignored as a misreading",
        "Stand vom {1} ({2}, unter {3}) als Fehllesung übergangen",
        "relevé du {1} ({2}, inférieur à {3}) ignoré comme erroné",
        "lettura del {1} ({2}, sotto {3}) ignorata come errata"}},
      {"note.counter-restarted",
       {"counter went from {1} to {2} on {3} (reset or controller replaced): counted from {2}",
        "Zähler am {3} von {1} auf {2} (Rücksetzung oder Controllertausch): ab {2} gezählt",
        "compteur passé de {1} à {2} le {3} (remise à zéro ou contrôleur remplacé) : compté à "
        "partir de {2}",
        "contatore passato da {1} a {2} il {3} (azzeramento o controller sostituito): contato da "
        "{2}"}},
      {"note.replaced-by",
       {"replaced by {1} (first read on {2})", "ersetzt durch {1} (erstmals gelesen am {2})",
        "remplacé par {1} (premier relevé le {2})", "sostituito da {1} (prima lettura il {2})"}},
      {"note.replaces",
       {"replaces {1} (last read on {2})", "ersetzt {1} (zuletzt gelesen am {2})",
        "remplace {1} (dernier relevé le {2})", "sostituisce {1} (ultima lettura il {2})"}},
      // supply states and forecasts
      {"state.ok", {"ok", "ok", "ok", "ok"}},
      {"state.low", {"low", "niedrig", "bas", "basso"}},
      {"state.empty", {"empty", "leer", "vide", "vuoto"}},
      {"state.some_remaining",
       {"some remaining", "Rest vorhanden", "reste un peu", "residuo presente"}},
      {"state.unknown", {"unknown", "unbekannt", "inconnu", "sconosciuto"}},
      {"state.other", {"other", "sonstig", "autre", "altro"}},
      {"state.full", {"full", "voll", "plein", "pieno"}},
      {"forecast.forecast", {"forecast", "Prognose", "prévision", "previsione"}},
      {"forecast.coarse",
       {"coarse levels (steps of {1} %)", "grobe Füllstände ({1}-%-Schritte)",
        "niveaux grossiers (pas de {1} %)", "livelli approssimativi (passi del {1} %)"}},
      {"forecast.not_enough_data",
       {"not enough data", "zu wenig Daten", "pas assez de données", "dati insufficienti"}},
      {"forecast.not_falling",
       {"level not falling", "Füllstand sinkt nicht", "le niveau ne baisse pas",
        "il livello non scende"}},
      {"forecast.empty", {"empty", "leer", "vide", "vuoto"}},
      {"forecast.level_unknown",
       {"device reports only \"some remaining\"", "Gerät meldet nur „Rest vorhanden“",
        "l'appareil indique seulement « reste un peu »",
        "il dispositivo indica solo «residuo presente»"}},
      {"forecast.no_data", {"no levels", "keine Füllstände", "aucun niveau", "nessun livello"}},
      {"forecast.order-now",
       {"order now", "jetzt bestellen", "commander maintenant", "ordinare ora"}},
      // colours of supplies
      {"color.black", {"black", "schwarz", "noir", "nero"}},
      {"color.cyan", {"cyan", "cyan", "cyan", "ciano"}},
      {"color.magenta", {"magenta", "magenta", "magenta", "magenta"}},
      {"color.yellow", {"yellow", "gelb", "jaune", "giallo"}},
      // printer conditions (hrPrinterDetectedErrorState)
      {"error.lowPaper", {"paper low", "Papier knapp", "papier bas", "carta in esaurimento"}},
      {"error.noPaper", {"out of paper", "kein Papier", "plus de papier", "carta esaurita"}},
      {"error.lowToner", {"toner low", "Toner knapp", "toner bas", "toner in esaurimento"}},
      {"error.noToner", {"out of toner", "kein Toner", "plus de toner", "toner esaurito"}},
      {"error.doorOpen", {"door open", "Klappe offen", "porte ouverte", "sportello aperto"}},
      {"error.jammed", {"paper jam", "Papierstau", "bourrage papier", "inceppamento carta"}},
      {"error.offline", {"offline", "offline", "hors ligne", "non in linea"}},
      {"error.serviceRequested",
       {"service requested", "Service angefordert", "intervention demandée",
        "assistenza richiesta"}},
      {"error.inputTrayMissing",
       {"input tray missing", "Papierfach fehlt", "bac d'entrée absent", "cassetto mancante"}},
      {"error.outputTrayMissing",
       {"output tray missing", "Ausgabefach fehlt", "bac de sortie absent",
        "vassoio di uscita mancante"}},
      {"error.markerSupplyMissing",
       {"supply missing", "Verbrauchsmaterial fehlt", "consommable absent", "materiale mancante"}},
      {"error.outputNearFull",
       {"output nearly full", "Ausgabe fast voll", "sortie presque pleine", "uscita quasi piena"}},
      {"error.outputFull", {"output full", "Ausgabe voll", "sortie pleine", "uscita piena"}},
      {"error.inputTrayEmpty",
       {"input tray empty", "Papierfach leer", "bac d'entrée vide", "cassetto vuoto"}},
      {"error.overduePreventMaint",
       {"maintenance overdue", "Wartung überfällig", "maintenance en retard",
        "manutenzione scaduta"}},
      // mails of scheduled reports: {1} report, {2} organisation, {3} period
      {"mail.subject", {"{1}: {2}, {3}", "{1}: {2}, {3}", "{1} : {2}, {3}", "{1}: {2}, {3}"}},
      {"mail.text",
       {"Attached: {1} for {2}, {3} ({4}).\n\nThe file can be downloaded until {5} (report run "
        "{6}).\n",
        "Im Anhang: {1} für {2}, {3} ({4}).\n\nDie Datei kann bis {5} heruntergeladen werden "
        "(Berichtslauf {6}).\n",
        "Ci-joint : {1} pour {2}, {3} ({4}).\n\nLe fichier peut être téléchargé jusqu'au {5} "
        "(rapport n° {6}).\n",
        "In allegato: {1} per {2}, {3} ({4}).\n\nIl file si può scaricare fino al {5} (rapporto n. "
        "{6}).\n"}},
      {"mail.failed-subject",
       {"Report not made: {1}, {2}", "Bericht nicht erstellt: {1}, {2}",
        "Rapport non créé : {1}, {2}", "Rapporto non creato: {1}, {2}"}},
      {"mail.failed-text",
       {"The scheduled report {1} for {2} could not be made after {3} attempts: {4}\n\n"
        "It is recorded as report run {5}; the server's log has the details.\n",
        "Der geplante Bericht {1} für {2} konnte nach {3} Versuchen nicht erstellt werden: {4}\n\n"
        "Er ist als Berichtslauf {5} vermerkt; das Protokoll des Servers nennt die Einzelheiten.\n",
        "Le rapport planifié {1} pour {2} n'a pas pu être créé après {3} tentatives : {4}\n\n"
        "Il est enregistré comme rapport n° {5} ; le journal du serveur donne les détails.\n",
        "Il rapporto pianificato {1} per {2} non è stato creato dopo {3} tentativi: {4}\n\n"
        "È registrato come rapporto n. {5}; il registro del server riporta i dettagli.\n"}},
      // usage assessments
      {"usage.under", {"under-used", "unterausgelastet", "sous-utilisé", "sottoutilizzato"}},
      {"usage.over", {"over-used", "überlastet", "surutilisé", "sovrautilizzato"}},
      {"usage.ok", {"ok", "ok", "ok", "ok"}},
      {"usage.unknown-duty",
       {"duty cycle unknown", "Monatsleistung unbekannt", "cycle de service inconnu",
        "ciclo di lavoro sconosciuto"}},
  };
  return kTexts;
}

std::size_t column(Locale locale) {
  return static_cast<std::size_t>(locale);
}

std::string groupDigits(std::int64_t value, const char* separator) {
  const bool negative = value < 0;
  std::string digits = std::to_string(negative ? -value : value);
  std::string out;
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out += digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) {
    out += separator;
    out += digits.substr(i, 3);
  }
  return negative ? "-" + out : out;
}

const char* thousands(Locale locale) {
  switch (locale) {
    case Locale::kEn: return ",";
    case Locale::kDe: return ".";
    case Locale::kFr: return "\u202f";  // narrow no-break space
    case Locale::kIt: return ".";
  }
  return ",";
}

}  // namespace

std::optional<Locale> parseLocale(std::string_view text) {
  const std::string_view lang = text.substr(0, std::min<std::size_t>(text.size(), 2));
  if (text.size() > 2 && text[2] != '-' && text[2] != '_') {
    return std::nullopt;
  }
  if (lang == "en") return Locale::kEn;
  if (lang == "de") return Locale::kDe;
  if (lang == "fr") return Locale::kFr;
  if (lang == "it") return Locale::kIt;
  return std::nullopt;
}

const char* toString(Locale locale) {
  switch (locale) {
    case Locale::kEn: return "en";
    case Locale::kDe: return "de";
    case Locale::kFr: return "fr";
    case Locale::kIt: return "it";
  }
  return "en";
}

bool hasText(std::string_view key) {
  return table().find(key) != table().end();
}

const std::string& text(Locale locale, std::string_view key) {
  const auto it = table().find(key);
  if (it == table().end()) {
    throw std::out_of_range("no report text '" + std::string(key) + "'");
  }
  return it->second[column(locale)];
}

std::string format(Locale locale, std::string_view key, std::initializer_list<std::string> args) {
  const std::string& pattern = text(locale, key);
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' &&
        pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
      const auto index = static_cast<std::size_t>(pattern[i + 1] - '1');
      if (index < args.size()) {
        out += *(args.begin() + static_cast<std::ptrdiff_t>(index));
      }
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string meterName(Locale locale, std::string_view counter) {
  if (counter.starts_with("custom.")) {
    return std::string(counter.substr(7));
  }
  const auto dot = counter.find('.');
  const std::string_view head = counter.substr(0, dot);
  const std::string_view tail = dot == std::string_view::npos ? "" : counter.substr(dot + 1);
  if (head == "total" || head == "mono" || head == "color" || head == "duplex") {
    return text(locale, "meter." + std::string(head));
  }
  const std::string key = "meter." + std::string(head);
  if (!hasText(key)) {
    return std::string(counter);
  }
  std::string name = text(locale, key);
  if (tail == "mono" || tail == "color") {
    name += " " + text(locale, "meter." + std::string(tail));
  }
  return name;
}

std::string textOr(Locale locale, const std::string& key, std::string_view fallback) {
  return hasText(key) ? text(locale, key) : std::string(fallback);
}

std::string formatDate(Locale locale, meters::LocalDate d) {
  char buf[16];
  switch (locale) {
    case Locale::kEn: return meters::formatDate(d);
    case Locale::kDe:
      std::snprintf(buf, sizeof buf, "%02u.%02u.%04d", d.day, d.month, d.year);
      return buf;
    case Locale::kFr:
    case Locale::kIt:
      std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", d.day, d.month, d.year);
      return buf;
  }
  return meters::formatDate(d);
}

std::string formatDateTime(Locale locale, const meters::LocalTime& t) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.hour, t.minute);
  return formatDate(locale, t.date) + " " + buf;
}

std::string formatInteger(Locale locale, std::int64_t value) {
  return groupDigits(value, thousands(locale));
}

std::string formatDecimal(Locale locale, double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const double rounded = std::round(value * scale) / scale;
  const auto whole = static_cast<std::int64_t>(std::trunc(rounded));
  std::string out = groupDigits(whole, thousands(locale));
  if (rounded < 0 && whole == 0) {
    out = "-" + out;
  }
  if (decimals > 0) {
    const auto fraction = static_cast<std::int64_t>(
        std::llround(std::fabs(rounded - static_cast<double>(whole)) * scale));
    std::string digits = std::to_string(fraction);
    digits.insert(0,
                  static_cast<std::size_t>(decimals) -
                      std::min<std::size_t>(digits.size(), static_cast<std::size_t>(decimals)),
                  '0');
    out += locale == Locale::kEn ? "." : ",";
    out += digits;
  }
  return out;
}

std::string formatPercent(Locale locale, double value) {
  const std::string number = formatDecimal(locale, value, 0);
  return locale == Locale::kEn || locale == Locale::kIt ? number + "%" : number + "\u00a0%";
}

const char* excelDateFormat(Locale locale) {
  switch (locale) {
    case Locale::kEn: return "yyyy-mm-dd";
    case Locale::kDe: return "dd.mm.yyyy";
    case Locale::kFr:
    case Locale::kIt: return "dd/mm/yyyy";
  }
  return "yyyy-mm-dd";
}

const char* excelDateTimeFormat(Locale locale) {
  switch (locale) {
    case Locale::kEn: return "yyyy-mm-dd hh:mm";
    case Locale::kDe: return "dd.mm.yyyy hh:mm";
    case Locale::kFr:
    case Locale::kIt: return "dd/mm/yyyy hh:mm";
  }
  return "yyyy-mm-dd hh:mm";
}

}  // namespace openmps::server::reports
