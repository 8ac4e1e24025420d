# util::JsonDocument against nlohmann's parser (json_document_fuzz.cpp).
openmps_fuzz_target(fuzz_json_document json_document_fuzz.cpp openmps_util)
