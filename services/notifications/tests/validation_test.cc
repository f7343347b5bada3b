// Pure checks: field validation, webhook URL rules and the event filter.
#include "services/notifications/core/subscriptions/validation.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/testing/status_matchers.h"
#include "services/notifications/core/subscriptions/event_filter.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;
using events::v1::ArticleEvent;

TEST(NotifyValidationTest, FilterLocalesAreNormalisedLikeContentDoes) {
  // The one locale rule of common/base/text_rules.h: "zh_cn" is "zh-CN" here as in
  // content, so a filter matches the locales content writes into events.
  const std::vector<std::pair<std::string, std::string>> normalised = {
      {"en", "en"},       {"zh-CN", "zh-CN"},    {"zh-Hans-CN", "zh-Hans-CN"}, {"es-419", "es-419"},
      {"fil", "fil"},     {"EN", "en"},          {"zh-cn", "zh-CN"},           {"zh_CN", "zh-CN"},
      {"zh_cn", "zh-CN"}, {"zh-hans", "zh-Hans"}};
  for (const auto& [given, want] : normalised) {
    SubscriptionFilter f;
    f.locales = {given};
    ASSERT_OK(CheckFilter(&f, "subscription.filter")) << given;
    EXPECT_EQ(f.locales, std::vector<std::string>{want}) << given;
  }
  for (const char* bad : {"", "e", "en-", "-en", "zh cn", "en--US", "123"}) {
    SubscriptionFilter f;
    f.locales = {"en", bad};
    EXPECT_THAT(CheckFilter(&f, "subscription.filter"),
                StatusIs(absl::StatusCode::kInvalidArgument, "subscription.filter.locales[1]: "))
        << bad;
  }
}

TEST(NotifyValidationTest, IdsAndDisplayNames) {
  const absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_OK(CheckId("0190a1b2-c3d4_x", "id"));
  EXPECT_THAT(CheckId("", "id"), StatusIs(kInvalid, "id: required"));
  EXPECT_THAT(CheckId("a/b", "id"), StatusIs(kInvalid, "id: "));
  EXPECT_THAT(CheckId(std::string(65, 'a'), "id"), StatusIs(kInvalid, "id: "));
  EXPECT_OK(CheckDisplayName("新闻订阅 News", "n"));
  EXPECT_OK(CheckDisplayName(std::string(100, 'x'), "n"));
  std::string hundred_chinese;
  for (int i = 0; i < 100; ++i) hundred_chinese += "新";
  EXPECT_OK(CheckDisplayName(hundred_chinese, "n"));
  EXPECT_THAT(CheckDisplayName(hundred_chinese + "x", "n"), StatusIs(kInvalid, "n: "));
  EXPECT_THAT(CheckDisplayName("  ", "n"), StatusIs(kInvalid, "n: "));
  EXPECT_THAT(CheckDisplayName("a\nb", "n"), StatusIs(kInvalid, "n: "));
}

TEST(NotifyValidationTest, FilterBoundsAndCanonicalForm) {
  SubscriptionFilter f;
  f.event_types = {events::v1::ARTICLE_EVENT_TYPE_UPDATED, events::v1::ARTICLE_EVENT_TYPE_PUBLISHED,
                   events::v1::ARTICLE_EVENT_TYPE_UPDATED};
  ASSERT_OK(CheckFilter(&f, "subscription.filter"));
  EXPECT_EQ(f.event_types.size(), 2u);
  EXPECT_EQ(f.event_types[0], events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  f.event_types = {events::v1::ARTICLE_EVENT_TYPE_UNSPECIFIED};
  absl::Status s = CheckFilter(&f, "subscription.filter");
  EXPECT_EQ(s.message().find("subscription.filter.event_types[0]"), 0u) << s;
  f.event_types = {static_cast<EventType>(42)};
  EXPECT_THAT(CheckFilter(&f, "subscription.filter"),
              StatusIs(absl::StatusCode::kInvalidArgument, "subscription.filter.event_types[0]"));
  f.event_types.clear();
  f.category_ids.assign(51, "c");
  s = CheckFilter(&f, "subscription.filter");
  EXPECT_EQ(s.message().find("subscription.filter.category_ids"), 0u) << s;
  f.category_ids = {"ok", "not ok"};
  s = CheckFilter(&f, "subscription.filter");
  EXPECT_EQ(s.message().find("subscription.filter.category_ids[1]"), 0u) << s;
}

TEST(NotifyValidationTest, WebhookUrls) {
  const char* field = "subscription.webhook_url";
  EXPECT_OK(CheckWebhookUrl("https://partner.example.org/hooks?x=1", false, field));
  EXPECT_OK(CheckWebhookUrl("https://93.184.216.34:8443/h", false, field));
  for (const char* bad :
       {"http://partner.example.org/h", "ftp://x.org/", "https://", "https://u:p@x.org/",
        "https://x.org:99999/", "https://x .org/", "partner.example.org"}) {
    absl::Status s = CheckWebhookUrl(bad, true, field);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
    EXPECT_EQ(s.message().find("subscription.webhook_url: "), 0u) << s;
  }
  // Loopback and private literals: refused unless the operator allows them.
  for (const char* priv :
       {"https://127.0.0.1/h", "https://127.1/h", "https://0x7f000001/h", "https://10.1.2.3/",
        "https://192.168.1.1/", "https://172.16.0.1/", "https://169.254.169.254/latest",
        "https://[::1]:8080/", "https://[fd00::1]/", "https://[::ffff:10.0.0.1]/",
        "https://localhost/", "https://0.0.0.0/", "http://127.0.0.1:9000/hook"}) {
    EXPECT_THAT(CheckWebhookUrl(priv, false, field), StatusIs(absl::StatusCode::kInvalidArgument))
        << priv;
    EXPECT_OK(CheckWebhookUrl(priv, true, field)) << priv;
  }
  EXPECT_THAT(CheckWebhookUrl("https://x.org/" + std::string(2040, 'a'), false, field),
              StatusIs(absl::StatusCode::kInvalidArgument, field));
}

ArticleEvent MakeEvent(events::v1::ArticleEventType type, const std::string& category,
                       std::vector<std::string> ancestors, std::vector<std::string> locales) {
  ArticleEvent e;
  e.set_event_id("e1");
  e.set_type(type);
  e.mutable_article()->set_category_id(category);
  for (const std::string& a : ancestors) e.mutable_article()->add_category_ancestor_ids(a);
  for (const std::string& l : locales) e.mutable_article()->add_translations()->set_locale(l);
  return e;
}

TEST(NotifyEventFilterTest, EveryNonEmptyListMustMatch) {
  ArticleEvent e = MakeEvent(events::v1::ARTICLE_EVENT_TYPE_PUBLISHED, "content", {"home", "news"},
                             {"en", "zh-CN"});
  SubscriptionFilter f;
  EXPECT_TRUE(Matches(f, e));
  f.event_types = {events::v1::ARTICLE_EVENT_TYPE_UPDATED};
  EXPECT_FALSE(Matches(f, e));
  f.event_types = {events::v1::ARTICLE_EVENT_TYPE_PUBLISHED};
  f.category_ids = {"news"};
  EXPECT_FALSE(Matches(f, e));
  f.include_subcategories = true;
  EXPECT_TRUE(Matches(f, e));
  f.locales = {"fr"};
  EXPECT_FALSE(Matches(f, e));
  f.locales = {"fr", "zh-CN"};
  EXPECT_TRUE(Matches(f, e));
}

}  // namespace
}  // namespace bulletin::notify
