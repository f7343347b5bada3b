// Fuzz target cloudevents: what a webhook POST carries (services/notifications/core/
// deliveries/webhook_message.h): the CloudEvents envelope of an ArticleEvent and of a
// ping, the Standard Webhooks signature and headers, and the subscription filter applied to
// the event (event_filter.h). Besides not crashing: every envelope is JSON that parses,
// with the event's id and type, and its `data` parses back to the same event; a signature
// is "v1,<base64>"; headers hold no line break. Input: a byte (options), chunks (source,
// subscription id, signing secret, a filter's locale), then an ArticleEvent (protobuf).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"
#include "fuzz/fuzz_support.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/notifications/core/deliveries/webhook_message.h"
#include "services/notifications/core/subscriptions/event_filter.h"

namespace bulletin::fuzz {
namespace {

namespace pb = google::protobuf;

// The parsed envelope; aborts when `body` is not JSON.
pb::Struct ParseEnvelope(const std::string& body) {
  pb::Struct envelope;
  FUZZ_CHECK(pb::util::JsonStringToMessage(body, &envelope).ok(),
             "envelope is not JSON: " + Excerpt(body, 300));
  FUZZ_CHECK(envelope.fields().at("specversion").string_value() == "1.0", "specversion");
  FUZZ_CHECK(!envelope.fields().at("time").string_value().empty(), "no time");
  return envelope;
}

void CheckArticleEnvelope(const events::v1::ArticleEvent& event, const std::string& source) {
  const std::string body = notify::ArticleEventBody(event, source);
  const pb::Struct envelope = ParseEnvelope(body);
  FUZZ_CHECK(envelope.fields().at("id").string_value() == event.event_id(), "id");
  FUZZ_CHECK(envelope.fields().at("source").string_value() == source, "source");
  FUZZ_CHECK(envelope.fields().at("type").string_value() == notify::CloudEventType(event.type()),
             "type");
  std::string data_json;
  if (!pb::util::MessageToJsonString(event, &data_json).ok()) return;  // sent as "{}"
  std::string data_back;
  FUZZ_CHECK(pb::util::MessageToJsonString(envelope.fields().at("data"), &data_back).ok(), "data");
  events::v1::ArticleEvent back;
  FUZZ_CHECK(pb::util::JsonStringToMessage(data_back, &back).ok(),
             "data does not parse as an ArticleEvent: " + Excerpt(data_back, 300));
  FUZZ_CHECK(pb::util::MessageDifferencer::Equivalent(back, event),
             "data is another event: " + Excerpt(data_back, 300));
}

void CheckSigning(const std::string& secret, const std::string& id, const std::string& body) {
  absl::StatusOr<std::string> sig = notify::SignWebhook(secret, id, 1700000000, body);
  if (sig.ok()) FUZZ_CHECK(absl::StartsWith(*sig, "v1,"), "signature form");
  notify::SigningSecrets secrets;
  secrets.current = secret;
  secrets.previous = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  secrets.previous_expire_time = absl::FromUnixSeconds(1800000000);
  absl::StatusOr<std::vector<std::string>> headers =
      notify::WebhookHeaders(secrets, id, absl::FromUnixSeconds(1700000000), body);
  FUZZ_CHECK(headers.ok() == sig.ok(), "WebhookHeaders disagrees with SignWebhook");
  if (!headers.ok() || !IsValidId(id)) return;
  for (const std::string& h : *headers) {
    FUZZ_CHECK(h.find_first_of("\r\n") == std::string::npos, "a header has a line break");
  }
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;        // NOLINT
  using namespace bulletin::fuzz;  // NOLINT
  Quiet();
  FuzzInput in(data, size);
  const uint8_t options = in.Byte();
  const std::string source(in.Chunk());
  const std::string subscription_id(in.Chunk());
  const std::string secret(in.Chunk());
  const std::string locale(in.Chunk());
  events::v1::ArticleEvent event;
  const absl::string_view rest = in.Rest();
  if (!event.ParseFromArray(rest.data(), static_cast<int>(rest.size()))) return 0;
  event.DiscardUnknownFields();  // JSON has no place for them

  if (IsValidUtf8(source)) CheckArticleEnvelope(event, source);
  if (IsValidUtf8(source) && IsValidUtf8(subscription_id)) {
    const std::string ping = notify::PingBody(event.event_id(), subscription_id,
                                              absl::FromUnixSeconds(1700000000), source);
    ParseEnvelope(ping);
    CheckSigning(secret, event.event_id(), ping);
  }

  notify::SubscriptionFilter filter;
  if (options & 1) filter.event_types.push_back(event.type());
  // An article without a category matches no category filter.
  if ((options & 2) && !event.article().category_id().empty()) {
    filter.category_ids.push_back(event.article().category_id());
  }
  filter.include_subcategories = (options & 4) != 0;
  if (!locale.empty()) filter.locales.push_back(locale);
  const bool matches = notify::Matches(filter, event);
  if (filter.locales.empty()) {
    FUZZ_CHECK(matches, "an event does not match a filter made from it");
  }
  return 0;
}
