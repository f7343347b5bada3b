// What a webhook POST carries: a CloudEvents 1.0 structured-mode JSON envelope around the
// ArticleEvent (protobuf JSON mapping), signed the way the Standard Webhooks specification
// says. Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/events/v1/events.pb.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify {

inline constexpr char kPingType[] = "org.bulletin.ping";

// "org.bulletin.article.published" etc.; "org.bulletin.article.unspecified" otherwise.
std::string CloudEventType(EventType type);

// The envelope of an article event: {"specversion":"1.0","id":<event_id>,"source":<source>,
// "type":"org.bulletin.article.<published|updated|unpublished|deleted>","time":<RFC 3339>,
// "datacontenttype":"application/json","data":<ArticleEvent JSON>}.
std::string ArticleEventBody(const events::v1::ArticleEvent& event, const std::string& source);

// The envelope of a SendTestEvent ping: type org.bulletin.ping, data
// {"subscriptionId": ..., "message": ...}.
std::string PingBody(const std::string& event_id, const std::string& subscription_id,
                     absl::Time time, const std::string& source);

// "v1,<base64 signature>" of one message with one "whsec_" secret. InvalidArgument when
// the secret is malformed.
absl::StatusOr<std::string> SignWebhook(const std::string& secret, const std::string& id,
                                        int64_t timestamp, const std::string& body);

// The request headers ("name: value") of a webhook: content-type
// application/cloudevents+json, webhook-id = `id`, webhook-timestamp = Unix seconds,
// webhook-signature = space-separated "v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>"
// for the current secret and, while it is valid at `now`, the previous one (key = the
// base64-decoded part of the "whsec_" secret).
absl::StatusOr<std::vector<std::string>> WebhookHeaders(const SigningSecrets& secrets,
                                                        const std::string& id, absl::Time now,
                                                        const std::string& body);

}  // namespace bulletin::notify
