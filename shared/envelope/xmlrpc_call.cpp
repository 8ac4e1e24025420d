#include "shared/envelope/xmlrpc_call.hpp"

#include <map>
#include <mutex>

#include <xmlrpc-c/base.h>
#include <xmlrpc-c/girerr.hpp>
#include <xmlrpc-c/xml.hpp>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/seal.hpp"
#include "shared/envelope/xmlrpc_guard.hpp"
#include "shared/envelope/xmlrpc_params.hpp"

namespace openmps::envelope {
namespace {

[[noreturn]] void badCall(const std::string& message) {
  throw EnvelopeError(EnvelopeErrorKind::kBadCall, "mps.submit: " + message);
}

const char* typeName(xmlrpc_c::value::type_t type) {
  switch (type) {
    case xmlrpc_c::value::TYPE_INT: return "int";
    case xmlrpc_c::value::TYPE_BOOLEAN: return "boolean";
    case xmlrpc_c::value::TYPE_DOUBLE: return "double";
    case xmlrpc_c::value::TYPE_DATETIME: return "dateTime";
    case xmlrpc_c::value::TYPE_STRING: return "string";
    case xmlrpc_c::value::TYPE_BYTESTRING: return "base64";
    case xmlrpc_c::value::TYPE_ARRAY: return "array";
    case xmlrpc_c::value::TYPE_STRUCT: return "struct";
    case xmlrpc_c::value::TYPE_NIL: return "nil";
    case xmlrpc_c::value::TYPE_I8: return "i8";
    default: return "unknown";
  }
}

}  // namespace

void configureXmlRpcLimits() {
  static std::once_flag once;
  std::call_once(once, [] { xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, kMaxCallBytes); });
}

std::string envelopeFromParams(const xmlrpc_c::paramList& params) {
  if (params.size() != 1) {
    badCall("expects exactly one parameter (base64 envelope), got " +
            std::to_string(params.size()));
  }
  const xmlrpc_c::value& v = params[0];
  if (v.type() != xmlrpc_c::value::TYPE_BYTESTRING) {
    badCall(std::string("parameter 1 must be base64, got ") + typeName(v.type()));
  }
  // No size check of its own: the call limit (kMaxCallBytes) bounds what
  // reaches here, and peekHeader applies the envelope limit the receiver
  // is configured with (EnvelopeLimits).
  const std::vector<unsigned char> bytes = xmlrpc_c::value_bytestring(v).vectorUcharValue();
  return std::string(bytes.begin(), bytes.end());
}

xmlrpc_c::value ackToValue(const SubmitAck& ack) {
  std::map<std::string, xmlrpc_c::value> fields;
  fields["status"] = xmlrpc_c::value_string(ack.status);
  fields["client_id"] = xmlrpc_c::value_string(std::to_string(ack.clientId));
  fields["batch_seq"] = xmlrpc_c::value_i8(static_cast<xmlrpc_int64>(ack.batchSeq));
  fields["items"] = xmlrpc_c::value_int(static_cast<int>(ack.items));
  return xmlrpc_c::value_struct(fields);
}

std::string encodeSubmitCall(std::string_view sealedEnvelope) {
  xmlrpc_c::paramList params;
  params.add(xmlrpc_c::value_bytestring(
      std::vector<unsigned char>(sealedEnvelope.begin(), sealedEnvelope.end())));
  std::string xml;
  xmlrpc_c::xml::generateCall(kSubmitMethod, params, &xml);
  return xml;
}

std::string decodeSubmitCall(std::string_view callXml) {
  if (callXml.size() > kMaxCallBytes) {
    throw EnvelopeError(EnvelopeErrorKind::kOversize,
                        "mps.submit: call of " + std::to_string(callXml.size()) +
                            " bytes exceeds the limit of " + std::to_string(kMaxCallBytes));
  }
  rejectUnsafeXmlRpc(callXml);
  configureXmlRpcLimits();
  std::string method;
  xmlrpc_c::paramList params;
  try {
    xmlrpc_c::xml::parseCall(std::string(callXml), &method, &params);
  } catch (const girerr::error& e) {
    badCall(std::string("not a well-formed XML-RPC call: ") + e.what());
  }
  if (method != kSubmitMethod) badCall("unknown method '" + method.substr(0, 100) + "'");
  return envelopeFromParams(params);
}

std::string encodeSubmitResponse(const SubmitAck& ack) {
  std::string xml;
  xmlrpc_c::xml::generateResponse(xmlrpc_c::rpcOutcome(ackToValue(ack)), &xml);
  return xml;
}

std::string encodeFaultResponse(const SubmitFault& fault) {
  std::string xml;
  xmlrpc_c::xml::generateResponse(
      xmlrpc_c::rpcOutcome(
          xmlrpc_c::fault(fault.message, static_cast<xmlrpc_c::fault::code_t>(fault.code))),
      &xml);
  return xml;
}

SubmitResult decodeSubmitResponse(std::string_view responseXml) {
  if (responseXml.size() > kMaxCallBytes) {
    throw EnvelopeError(EnvelopeErrorKind::kOversize, "mps.submit answer too large");
  }
  rejectUnsafeXmlRpc(responseXml);
  configureXmlRpcLimits();
  xmlrpc_c::rpcOutcome outcome;
  try {
    xmlrpc_c::xml::parseResponse(std::string(responseXml), &outcome);
  } catch (const girerr::error& e) {
    throw EnvelopeError(
        EnvelopeErrorKind::kBadCall,
        std::string("mps.submit answer is not a well-formed XML-RPC response: ") + e.what());
  }
  if (!outcome.succeeded()) {
    const xmlrpc_c::fault f = outcome.getFault();
    return SubmitFault{static_cast<int>(f.getCode()), f.getDescription()};
  }
  try {
    const xmlrpc_c::value result = outcome.getResult();
    if (result.type() != xmlrpc_c::value::TYPE_STRUCT) {
      throw EnvelopeError(EnvelopeErrorKind::kBadCall, "mps.submit answer is not a struct");
    }
    const auto fields = xmlrpc_c::value_struct(result).cvalue();
    auto field = [&](const char* name, xmlrpc_c::value::type_t type) -> const xmlrpc_c::value& {
      const auto it = fields.find(name);
      if (it == fields.end() || it->second.type() != type) {
        throw EnvelopeError(EnvelopeErrorKind::kBadCall,
                            std::string("mps.submit answer: field '") + name +
                                "' missing or of type other than " + typeName(type));
      }
      return it->second;
    };
    SubmitAck ack;
    ack.status = xmlrpc_c::value_string(field("status", xmlrpc_c::value::TYPE_STRING)).cvalue();
    if (ack.status != "stored" && ack.status != "duplicate") {
      throw EnvelopeError(EnvelopeErrorKind::kBadCall,
                          "mps.submit answer: unknown status '" + ack.status.substr(0, 40) + "'");
    }
    const std::string clientId =
        xmlrpc_c::value_string(field("client_id", xmlrpc_c::value::TYPE_STRING)).cvalue();
    try {
      std::size_t used = 0;
      ack.clientId = std::stoull(clientId, &used);
      if (used != clientId.size()) throw std::invalid_argument(clientId);
    } catch (const std::logic_error&) {
      throw EnvelopeError(EnvelopeErrorKind::kBadCall,
                          "mps.submit answer: client_id is not a number");
    }
    const auto seq = xmlrpc_c::value_i8(field("batch_seq", xmlrpc_c::value::TYPE_I8)).cvalue();
    if (seq < 1)
      throw EnvelopeError(EnvelopeErrorKind::kBadCall, "mps.submit answer: batch_seq below 1");
    ack.batchSeq = static_cast<std::uint64_t>(seq);
    ack.items = xmlrpc_c::value_int(field("items", xmlrpc_c::value::TYPE_INT)).cvalue();
    return ack;
  } catch (const girerr::error& e) {
    throw EnvelopeError(EnvelopeErrorKind::kBadCall, std::string("mps.submit answer: ") + e.what());
  }
}

}  // namespace openmps::envelope
