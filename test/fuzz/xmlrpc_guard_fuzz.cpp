// The pre-scan every XML-RPC document from the network passes: whatever it
// accepts must be safe for xmlrpc-c to parse as a call and as a response
// (no crash, no deep recursion, no entity expansion), and the scan itself
// must stay linear (libFuzzer's -timeout catches a slow input).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <xmlrpc-c/base.hpp>
#include <xmlrpc-c/girerr.hpp>
#include <xmlrpc-c/xml.hpp>

#include "shared/envelope/envelope_error.hpp"
#include "shared/envelope/xmlrpc_guard.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::envelope;
  const std::string xml(reinterpret_cast<const char*>(data), size);
  try {
    rejectUnsafeXmlRpc(xml);
  } catch (const EnvelopeError&) {
    return 0;
  }
  try {
    std::string method;
    xmlrpc_c::paramList params;
    xmlrpc_c::xml::parseCall(xml, &method, &params);
  } catch (const girerr::error&) {
  }
  try {
    xmlrpc_c::rpcOutcome outcome;
    xmlrpc_c::xml::parseResponse(xml, &outcome);
  } catch (const girerr::error&) {
  }
  return 0;
}
