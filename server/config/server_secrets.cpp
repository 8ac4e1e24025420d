#include "server/config/server_secrets.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "shared/util/files.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::config {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("TLS certificate: " + what);
}

std::string bioToString(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return {data, static_cast<std::size_t>(size)};
}

bool isIpAddress(const std::string& name) {
  std::array<unsigned char, 16> buffer{};
  return inet_pton(AF_INET, name.c_str(), buffer.data()) == 1 ||
         inet_pton(AF_INET6, name.c_str(), buffer.data()) == 1;
}

}  // namespace

void writeSelfSignedCertificate(const std::filesystem::path& certificate,
                                const std::filesystem::path& key,
                                const std::vector<std::string>& names) {
  PKey pkey(EVP_EC_gen("P-256"));
  if (!pkey) {
    fail("cannot generate an EC key");
  }
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  std::array<unsigned char, 16> serial{};
  if (RAND_bytes(serial.data(), serial.size()) != 1) {
    fail("no randomness for the serial number");
  }
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 3650);
  X509_set_pubkey(cert.get(), pkey.get());
  const std::string cn = names.empty() ? std::string("openmps-server") : names.front();
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("OpenMPS"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  std::string san;
  for (const auto& name : names) {
    san += (san.empty() ? "" : ",") + std::string(isIpAddress(name) ? "IP:" : "DNS:") + name;
  }
  if (!san.empty()) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
    if (ext == nullptr) {
      fail("bad certificate names '" + san + "'");
    }
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), pkey.get(), EVP_sha256()) == 0) {
    fail("cannot sign the certificate");
  }
  Bio keyBio(BIO_new(BIO_s_mem()));
  Bio certBio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(keyBio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(certBio.get(), cert.get()) != 1) {
    fail("cannot write PEM");
  }
  util::writeFileAtomically(key, bioToString(keyBio.get()), 0600);
  util::writeFileAtomically(certificate, bioToString(certBio.get()), 0644);
}

SecretsReport ensureServerSecrets(const ServerConfig& config) {
  SecretsReport report;
  if (!std::filesystem::exists(config.masterKeyFile)) {
    envelope::writeKeyFile(config.masterKeyFile, envelope::generateMasterKey());
    report.createdMasterKey = true;
    util::logInfo("server") << "created the master key " << config.masterKeyFile.string()
                            << " (back it up: every client key is derived from it)";
  }
  if (config.needsTls()) {
    const bool haveCert = std::filesystem::exists(config.tls.certificate);
    const bool haveKey = std::filesystem::exists(config.tls.key);
    if (haveCert != haveKey) {
      throw std::runtime_error(
          "TLS: " + (haveCert ? config.tls.key : config.tls.certificate).string() +
          " is missing while its partner exists; restore it, or remove "
          "both to have a new self-signed pair made");
    }
    if (!haveCert) {
      std::vector<std::string> names = config.certificateNames;
      if (names.empty()) {
        names = {"localhost", "127.0.0.1"};
      }
      writeSelfSignedCertificate(config.tls.certificate, config.tls.key, names);
      report.createdCertificate = true;
      util::logInfo("server") << "created a self-signed certificate "
                              << config.tls.certificate.string();
    }
  }
  return report;
}

envelope::MasterKey loadMasterKey(const ServerConfig& config) {
  if (!std::filesystem::exists(config.masterKeyFile)) {
    throw std::runtime_error("master key " + config.masterKeyFile.string() +
                             " does not exist (run 'openmps-server migrate --config FILE' once "
                             "to create it)");
  }
  return envelope::readKeyFile(config.masterKeyFile);
}

std::array<unsigned char, 32> certificateFingerprint(const std::filesystem::path& path) {
  const std::string pem = util::readFile(path, 1u << 20);
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    fail(path.string() + " holds no PEM certificate");
  }
  std::array<unsigned char, 32> out{};
  unsigned int size = 0;
  if (X509_digest(cert.get(), EVP_sha256(), out.data(), &size) != 1 || size != out.size()) {
    fail("cannot compute the fingerprint of " + path.string());
  }
  return out;
}

envelope::Enrollment enrollmentFor(const ServerConfig& config, const envelope::MasterKey& masterKey,
                                   std::uint64_t clientId) {
  envelope::Enrollment enrollment;
  enrollment.servers = enrollmentAddresses(config);
  if (enrollment.servers.empty()) {
    throw std::runtime_error(
        "no address to give clients: set public_addresses in the configuration");
  }
  if (config.needsTls())
    enrollment.certFingerprint = certificateFingerprint(config.tls.certificate);
  enrollment.clientId = clientId;
  enrollment.key = envelope::deriveClientKey(masterKey, clientId);
  return enrollment;
}

}  // namespace openmps::server::config
