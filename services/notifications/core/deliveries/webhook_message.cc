#include "services/notifications/core/deliveries/webhook_message.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/base/crypto.h"
#include "common/base/log.h"  // JsonEscape
#include "common/base/status_macros.h"
#include "common/proto/time.h"

namespace bulletin::notify {
namespace {

constexpr char kSecretPrefix[] = "whsec_";

// A JSON string literal, quotes included.
std::string JsonString(absl::string_view s) {
  return "\"" + JsonEscape(std::string_view(s.data(), s.size())) + "\"";
}

std::string Envelope(const std::string& id, const std::string& source, const std::string& type,
                     absl::Time time, const std::string& data_json) {
  return absl::StrCat(
      "{\"specversion\":\"1.0\",\"id\":", JsonString(id), ",\"source\":", JsonString(source),
      ",\"type\":", JsonString(type),
      ",\"time\":", JsonString(absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone())),
      ",\"datacontenttype\":\"application/json\",\"data\":", data_json, "}");
}

}  // namespace

std::string CloudEventType(EventType type) {
  switch (type) {
    case events::v1::ARTICLE_EVENT_TYPE_PUBLISHED:
      return "org.bulletin.article.published";
    case events::v1::ARTICLE_EVENT_TYPE_UPDATED:
      return "org.bulletin.article.updated";
    case events::v1::ARTICLE_EVENT_TYPE_UNPUBLISHED:
      return "org.bulletin.article.unpublished";
    case events::v1::ARTICLE_EVENT_TYPE_DELETED:
      return "org.bulletin.article.deleted";
    default:
      return "org.bulletin.article.unspecified";
  }
}

std::string ArticleEventBody(const events::v1::ArticleEvent& event, const std::string& source) {
  std::string data;
  if (!google::protobuf::util::MessageToJsonString(event, &data).ok()) data = "{}";
  absl::Time time = absl::Now();
  if (event.has_occur_time()) {
    time = FromProtoTime(event.occur_time(), "occur_time").value_or(time);
  }
  return Envelope(event.event_id(), source, CloudEventType(event.type()), time, data);
}

std::string PingBody(const std::string& event_id, const std::string& subscription_id,
                     absl::Time time, const std::string& source) {
  return Envelope(event_id, source, kPingType, time,
                  absl::StrCat("{\"subscriptionId\":", JsonString(subscription_id),
                               ",\"message\":\"Test event from Bulletin: your webhook is "
                               "reachable.\"}"));
}

absl::StatusOr<std::string> SignWebhook(const std::string& secret, const std::string& id,
                                        int64_t timestamp, const std::string& body) {
  std::string key;
  if (secret.rfind(kSecretPrefix, 0) != 0 ||
      !absl::Base64Unescape(absl::string_view(secret).substr(sizeof(kSecretPrefix) - 1), &key) ||
      key.empty()) {
    return absl::InvalidArgumentError("signing secret: not a \"whsec_<base64>\" secret");
  }
  return absl::StrCat(
      "v1,", absl::Base64Escape(HmacSha256(key, absl::StrCat(id, ".", timestamp, ".", body))));
}

absl::StatusOr<std::vector<std::string>> WebhookHeaders(const SigningSecrets& secrets,
                                                        const std::string& id, absl::Time now,
                                                        const std::string& body) {
  const int64_t timestamp = absl::ToUnixSeconds(now);
  std::vector<std::string> signatures;
  ASSIGN_OR_RETURN(std::string current, SignWebhook(secrets.current, id, timestamp, body));
  signatures.push_back(std::move(current));
  if (!secrets.previous.empty() && secrets.previous_expire_time > now) {
    absl::StatusOr<std::string> previous = SignWebhook(secrets.previous, id, timestamp, body);
    if (previous.ok()) signatures.push_back(*previous);
  }
  return std::vector<std::string>{
      "content-type: application/cloudevents+json",
      absl::StrCat("webhook-id: ", id),
      absl::StrCat("webhook-timestamp: ", timestamp),
      absl::StrCat("webhook-signature: ", absl::StrJoin(signatures, " ")),
      "user-agent: bulletin-notifications/1",
  };
}

}  // namespace bulletin::notify
