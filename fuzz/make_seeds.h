// The seed writer of fuzz_make_seeds (make_seeds.cc): Seed frames inputs as the fuzz
// targets read them (fuzz_support.h FuzzInput: bytes, two-byte-length chunks; a service
// call is a method byte, a caller byte and the request), Write puts one seed file under
// the output folder. A tool, not linked into any service.
#pragma once

#include <cstdint>
#include <string>

#include "google/protobuf/message.h"
#include "services/content/core/content_types.h"

namespace bulletin::fuzz {

// The message's bytes, maps in key order (the same seed bytes on every run).
std::string Encode(const google::protobuf::Message& message);

// The bytes of one seed, framed as fuzz_support.h's FuzzInput reads them.
class Seed {
 public:
  Seed& Byte(uint8_t b) {
    bytes_.push_back(static_cast<char>(b));
    return *this;
  }
  Seed& Chunk(const std::string& s) {
    Byte(s.size() & 0xff).Byte((s.size() >> 8) & 0xff);
    bytes_ += s;
    return *this;
  }
  Seed& Raw(const std::string& s) {
    bytes_ += s;
    return *this;
  }
  // One call of a service target: method, caller, request.
  Seed& Call(uint8_t method, uint8_t caller, const google::protobuf::Message& request) {
    return Byte(method).Byte(caller).Chunk(Encode(request));
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// Callers as fuzz_support.h CallerOf numbers them.
enum : uint8_t { kAnonymous = 0, kAdmin = 1, kEditor = 2, kFrontend = 3, kPartner = 4 };

// Writes DIR/<target>/<name> (DIR: the tool's argument).
void Write(const std::string& target, const std::string& name, const std::string& bytes);

// `s` repeated `n` times.
std::string Repeat(const std::string& s, int n);

// The seeds of content_service, analytics_service, notify_service, webhook_url and
// cloudevents (make_service_seeds.cc).
void ServiceSeeds(const content::Article& demo);

}  // namespace bulletin::fuzz
