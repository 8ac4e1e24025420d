#pragma once

#include <cstdint>
#include <string>

#include "shared/envelope/seal.hpp"
#include "shared/util/base64.hpp"
#include "unit/shared/envelope/envelope_test_support.hpp"

// Batch mails written out by hand (not by the client's composer), so the
// parser is tested against the format itself.
namespace openmps::server::mailbox::test {

inline std::string sealedEnvelope(std::uint64_t clientId, std::uint64_t batchSeq) {
  return envelope::sealBatch(envelope::test::sampleBatch(clientId, batchSeq, 2),
                             envelope::test::keyFilledWith(0x22));
}

inline std::string wrapBase64(const std::string& data) {
  const std::string b64 = util::toBase64(data);
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

struct MailParts {
  std::string clientHeader;  // value of X-OpenMPS-Client, empty: leave out
  std::string batchHeader;
  bool marked = true;
  std::string attachment;  // already encoded body of the envelope part
  std::string attachmentName = "openmps-17-42.omps";
  std::string extraParts;  // more MIME parts, verbatim
};

inline std::string batchMail(const MailParts& p) {
  std::string m;
  m += "From: client@customer.example\r\n";
  m += "To: openmps@server.example\r\n";
  m += "Subject: OpenMPS batch 17/42\r\n";
  m += "Message-ID: <test-1@customer.example>\r\n";
  m += "MIME-Version: 1.0\r\n";
  if (p.marked) m += "X-OpenMPS-Envelope: 1\r\n";
  if (!p.clientHeader.empty()) m += "X-OpenMPS-Client: " + p.clientHeader + "\r\n";
  if (!p.batchHeader.empty()) m += "X-OpenMPS-Batch: " + p.batchHeader + "\r\n";
  m += "Content-Type: multipart/mixed; boundary=\"XYZ-boundary\"\r\n\r\n";
  m += "--XYZ-boundary\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  m += "An encrypted OpenMPS report.\r\n";
  if (!p.attachment.empty()) {
    m += "--XYZ-boundary\r\n";
    m += "Content-Type: application/octet-stream; name=\"" + p.attachmentName + "\"\r\n";
    m += "Content-Transfer-Encoding: base64\r\n";
    m += "Content-Disposition: attachment; filename=\"" + p.attachmentName + "\"\r\n\r\n";
    m += p.attachment;
  }
  m += p.extraParts;
  m += "--XYZ-boundary--\r\n";
  return m;
}

inline std::string validBatchMail(const std::string& sealed) {
  MailParts p;
  p.clientHeader = "17";
  p.batchHeader = "42";
  p.attachment = wrapBase64(sealed);
  return batchMail(p);
}

}  // namespace openmps::server::mailbox::test
