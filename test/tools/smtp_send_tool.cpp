// smtp_send_tool: seals a batch of synthetic readings for an enrolled
// client and sends it through the real SMTP carrier (client/carrier). The
// e-mail end-to-end tests use it to produce exactly the mails they need
// (a given batch number, a key of another client) while the client's own
// `run` covers the everyday path.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "client/carrier/smtp_carrier.hpp"
#include "client/carrier/smtp_message.hpp"
#include "shared/envelope/batch.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/envelope/seal.hpp"
#include "shared/util/args.hpp"
#include "shared/util/files.hpp"

using namespace openmps;

int main(int argc, char** argv) {
  const std::vector<util::OptionSpec> specs = {
      {"enrollment", true, "STRING", "client id and key (omps1:...)"},
      {"key-from", true, "STRING", "seal with the key of this enrollment instead"},
      {"server", true, "HOST", "SMTP server"},
      {"port", true, "N", "SMTP port"},
      {"tls", true, "starttls|implicit", ""},
      {"user", true, "U", ""},
      {"password-file", true, "FILE", ""},
      {"from", true, "ADDR", ""},
      {"to", true, "ADDR", ""},
      {"ca-file", true, "FILE", ""},
      {"batch-seq", true, "N", ""},
      {"items", true, "N", "readings in the batch (default 2)"},
      {"first-item-seq", true, "N", "item sequence number of the first reading"},
      {"serial-prefix", true, "S", "device serials are S0, S1, ..."},
      {"total", true, "N", "total page counter of the first device"},
      {"write-mail", true, "FILE", "write the mail to FILE instead of sending it"},
  };
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto parsed = util::parseArgs(args, specs);
    const auto enrollment = envelope::decodeEnrollment(parsed.get("enrollment").value());
    const auto key = parsed.has("key-from")
                         ? envelope::decodeEnrollment(*parsed.get("key-from")).key
                         : enrollment.key;

    envelope::Batch batch;
    batch.clientId = enrollment.clientId;
    batch.batchSeq = static_cast<std::uint64_t>(parsed.intOr("batch-seq", 1, 1, 1'000'000'000));
    batch.clientVersion = "smtp_send_tool";
    batch.createdAt =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto items = parsed.intOr("items", 2, 1, 10'000);
    const auto firstItem = parsed.intOr("first-item-seq", 1, 1, 1'000'000'000'000);
    const auto total = parsed.intOr("total", 1000, 0, 1'000'000'000);
    const std::string prefix = parsed.getOr("serial-prefix", "MAIL");
    for (std::int64_t i = 0; i < items; ++i) {
      envelope::BatchItem item;
      item.seq = static_cast<std::uint64_t>(firstItem + i);
      // Distinct per batch, so two batches read in the same second are
      // still two readings of each device.
      item.reading.readAt = batch.createdAt - std::chrono::hours{1} +
                            std::chrono::seconds{static_cast<std::int64_t>(batch.batchSeq)};
      item.reading.origin.clientId = std::to_string(enrollment.clientId);
      item.reading.origin.address = "127.0.0.1";
      item.reading.identity.manufacturer = "OpenMPS";
      item.reading.identity.model = "Mail Test Printer";
      item.reading.identity.serial = prefix + std::to_string(i);
      item.reading.counters = {{"total", total + i}, {"mono", total + i}};
      batch.items.push_back(item);
    }
    const std::string sealed = envelope::sealBatch(batch, key);

    if (parsed.has("write-mail")) {
      client::carrier::BatchMailFields fields;
      fields.from = parsed.getOr("from", "client@localhost");
      fields.to = parsed.get("to").value();
      fields.clientId = batch.clientId;
      fields.batchSeq = batch.batchSeq;
      fields.date = std::chrono::system_clock::now();
      fields.clientVersion = "smtp_send_tool";
      util::writeFileAtomically(*parsed.get("write-mail"),
                                client::carrier::composeBatchMail(fields, sealed));
      return 0;
    }

    client::carrier::SmtpSettings s;
    s.server = parsed.getOr("server", "127.0.0.1");
    s.port = static_cast<std::uint16_t>(parsed.intOr("port", 587, 1, 65535));
    s.tls = parsed.getOr("tls", "starttls") == "implicit" ? client::carrier::SmtpTls::kImplicit
                                                          : client::carrier::SmtpTls::kStartTls;
    s.user = parsed.getOr("user", "");
    if (parsed.has("password-file")) {
      std::string pw = util::readFile(*parsed.get("password-file"), 4096);
      while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
      s.password = util::Secret(pw);
    }
    s.from = parsed.getOr("from", "client@localhost");
    s.to = parsed.get("to").value();
    s.caFile = parsed.getOr("ca-file", "");
    s.connectTimeout = std::chrono::seconds{5};
    s.timeout = std::chrono::seconds{20};
    s.clientVersion = "smtp_send_tool";
    client::carrier::SmtpCarrier carrier(s);
    const auto result = carrier.send(batch.clientId, batch.batchSeq, sealed);
    const bool sent = result.status == client::carrier::SendStatus::kStored;
    const bool retry = result.status == client::carrier::SendStatus::kRetryable;
    std::cout << (sent    ? "sent"
                  : retry ? "retryable"
                          : "permanent")
              << " " << result.detail << "\n";
    return sent ? 0 : retry ? 2 : 3;
  } catch (const std::exception& e) {
    std::cerr << "smtp_send_tool: " << e.what() << "\n";
    return 1;
  }
}
