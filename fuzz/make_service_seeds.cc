// The structured seeds of fuzz_make_seeds: calls of the three service targets, webhook
// URLs and a CloudEvents input, built from real request messages and the demo article.
#include <string>

#include "absl/strings/str_cat.h"
#include "bulletin/analytics/v1/analytics.pb.h"
#include "bulletin/content/v1/content.pb.h"
#include "bulletin/events/v1/events.pb.h"
#include "bulletin/notify/v1/notify.pb.h"
#include "fuzz/make_seeds.h"
#include "services/content/grpc/content_convert.h"

namespace bulletin::fuzz {
namespace {

void NotifySeeds(const content::Article& demo) {
  const std::pair<const char*, std::string> urls[] = {
      {"https", "https://hooks.example.com/bulletin?x=1"}, {"loopback", "http://127.0.0.1:8080/h"},
      {"mapped", "https://[::ffff:127.0.0.1]/h"},          {"hex", "https://0x7f.1/h"},
      {"userinfo", "https://user@hooks.example.com/"},     {"localhost", "https://a.localhost./"}};
  uint8_t opts = 0;
  for (const auto& [name, url] : urls) {
    Write("webhook_url", name,
          Seed()
              .Byte(opts++)
              .Chunk(url)
              .Chunk("Partner hook 一")
              .Chunk("partner:acme")
              .Raw(std::string("\x01\x02\x04", 3) + std::string(1, '\0') + "news" +
                   std::string(2, '\0') + "zh_cn")
              .bytes());
  }
  events::v1::ArticleEvent event;
  event.set_event_id("019035a8-7c8e-7d2b-b0d4-1f2a3b4c5d6e");
  event.set_type(events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  event.mutable_occur_time()->set_seconds(1709294400);
  events::v1::ArticleSnapshot* a = event.mutable_article();
  a->set_id(demo.id);
  a->set_slug(demo.slug);
  a->set_category_id("news");
  a->add_category_ancestor_ids("home");
  a->add_tags("volunteers");
  a->set_default_locale("en");
  for (const char* locale : {"en", "zh-CN"}) {
    events::v1::LocalizedSummary* t = a->add_translations();
    t->set_locale(locale);
    t->set_title(demo.translations.at(locale).title);
    t->set_summary(demo.translations.at(locale).summary);
  }
  a->set_revision(3);
  Write("cloudevents", "published",
        Seed()
            .Byte(7)
            .Chunk("//bulletin/content")
            .Chunk("sub-1")
            .Chunk("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .Chunk("zh-CN")
            .Raw(Encode(event))
            .bytes());

  namespace nv1 = notify::v1;
  nv1::CreateSubscriptionRequest create;
  create.mutable_subscription()->set_display_name("Acme newsroom");
  create.mutable_subscription()->set_webhook_url("https://hooks.example.com/bulletin");
  create.mutable_subscription()->mutable_filter()->add_locales("zh_cn");
  create.mutable_subscription()->mutable_filter()->add_event_types(
      events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  create.set_request_id("req-1");
  nv1::GetSubscriptionRequest get;
  get.set_id("@0");
  nv1::ListSubscriptionsRequest list;
  list.set_page_size(1);
  nv1::UpdateSubscriptionRequest update;
  update.mutable_subscription()->set_id("@0");
  update.mutable_subscription()->set_etag("@");
  update.mutable_subscription()->set_display_name("Acme");
  update.mutable_update_mask()->add_paths("display_name");
  nv1::PauseSubscriptionRequest pause;
  pause.set_id("@0");
  pause.set_reason("maintenance");
  nv1::ResumeSubscriptionRequest resume;
  resume.set_id("@0");
  nv1::RotateSecretRequest rotate;
  rotate.set_id("@0");
  rotate.mutable_previous_secret_ttl()->set_seconds(3600);
  nv1::ListDeliveriesRequest deliveries;
  deliveries.set_subscription_id("@0");
  nv1::RedeliverEventRequest redeliver;
  redeliver.set_subscription_id("@0");
  redeliver.set_event_id("@");
  nv1::SendTestEventRequest test;
  test.set_subscription_id("@0");
  nv1::SubscribeRequest subscribe;
  subscribe.set_subscription_id("@0");
  subscribe.set_resume_token("@");
  nv1::DeleteSubscriptionRequest del;
  del.set_id("@0");
  Write("notify_service", "lifecycle",
        Seed()
            .Byte(0)
            .Call(0, kPartner, create)
            .Call(1, kPartner, get)
            .Call(2, kPartner, list)
            .Call(4, kPartner, update)
            .Call(6, kPartner, pause)
            .Call(7, kPartner, resume)
            .Call(5, kPartner, rotate)
            .Call(12, kPartner, event)
            .Call(8, kPartner, deliveries)
            .Call(9, kPartner, redeliver)
            .Call(10, kPartner, test)
            .Call(11, kPartner, subscribe)
            .Call(1, 5, get)
            .Call(3, kPartner, del)
            .bytes());
  create.mutable_subscription()->set_webhook_url("http://localhost:9000/hook");
  create.mutable_subscription()->set_owner("partner:other");
  Write("notify_service", "admin-private",
        Seed()
            .Byte(1)
            .Call(0, kAdmin, create)
            .Call(0, kAdmin, create)
            .Call(2, kAdmin, list)
            .Call(2, kAdmin, list)
            .bytes());
}

void ContentSeeds(const content::Article& demo) {
  namespace cv1 = content::v1;
  cv1::GetArticleRequest by_slug;
  by_slug.set_slug(demo.slug);
  by_slug.set_locale("zh_cn");
  cv1::SearchArticlesRequest search_zh;
  search_zh.set_query("志愿服务");
  cv1::SearchArticlesRequest search_en;
  search_en.set_query("Volunteer  service");
  search_en.set_locale("en");
  search_en.set_page_size(1);
  cv1::ListArticlesRequest list;
  list.set_page_size(1);
  list.set_locale("zh-CN");
  cv1::ListArticlesRequest next = list;
  next.set_page_token("@");
  cv1::ListCategoriesRequest categories;
  cv1::ListRelatedArticlesRequest related;
  related.set_article_id("@0");
  Write("content_service", "demo-reads",
        Seed()
            .Byte(1)
            .Call(1, kAnonymous, by_slug)
            .Call(10, kAnonymous, search_zh)
            .Call(10, kAnonymous, search_en)
            .Call(8, kFrontend, list)
            .Call(8, kFrontend, next)
            .Call(14, kAnonymous, categories)
            .Call(11, kAnonymous, related)
            .bytes());

  cv1::CreateCategoryRequest category;
  category.mutable_category()->set_slug("news");
  category.mutable_category()->set_default_locale("en");
  (*category.mutable_category()->mutable_translations())["en"].set_name("News");
  cv1::CreateArticleRequest create;
  content::ToProto(demo, create.mutable_article());
  create.mutable_article()->set_slug("");
  create.mutable_article()->set_category_id("@0");
  create.set_request_id("req-1");
  cv1::UpdateArticleRequest update;
  update.mutable_article()->set_id("@0");
  update.mutable_article()->set_etag("@");
  (*update.mutable_article()->mutable_translations())["zh-CN"].set_title("新标题");
  update.mutable_update_mask()->add_paths("translations.`zh-CN`.title");
  update.mutable_update_mask()->add_paths("tags");
  cv1::PublishArticleRequest publish;
  publish.set_id("@0");
  cv1::CreatePreviewTokenRequest preview;
  preview.set_article_id("@0");
  preview.mutable_ttl()->set_seconds(600);
  cv1::GetArticleRequest with_token;
  with_token.set_id("@0");
  with_token.set_preview_token("@");
  cv1::ListArticleRevisionsRequest revisions;
  revisions.set_article_id("@0");
  cv1::DeleteArticleRequest state;
  state.set_id("@0");
  cv1::DeleteCategoryRequest del_category;
  del_category.set_id("@0");
  Write("content_service", "editor-lifecycle",
        Seed()
            .Byte(0)
            .Call(12, kEditor, category)
            .Call(0, kEditor, create)
            .Call(2, kEditor, update)
            .Call(3, kEditor, publish)
            .Call(7, kEditor, preview)
            .Call(1, kAnonymous, with_token)
            .Call(9, kEditor, revisions)
            .Call(4, kEditor, state)
            .Call(5, kEditor, state)
            .Call(6, kEditor, state)
            .Call(16, kAdmin, del_category)
            .bytes());

  cv1::CreateArticleRequest hostile;
  hostile.mutable_article()->set_default_locale("en");
  cv1::ArticleTranslation& t = (*hostile.mutable_article()->mutable_translations())["en"];
  t.set_title("  Nested  ");
  t.set_body(absl::StrCat(Repeat("<b>", 200), "x<script>alert(1)</script>"));
  cv1::PublishArticleRequest later;
  later.set_id("@0");
  later.mutable_publish_time()->set_seconds(1709298000);
  Write("content_service", "hostile-scheduled",
        Seed()
            .Byte(0)
            .Call(0, kAdmin, hostile)
            .Call(3, kAdmin, later)
            .Byte(17)
            .Byte(0)
            .Chunk("\x20")
            .Call(1, kAnonymous, with_token)
            .bytes());
}

void AnalyticsSeeds() {
  namespace av1 = analytics::v1;
  av1::RecordViewRequest view;
  view.set_article_id("a1");
  view.set_client_ip("203.0.113.7");
  view.set_user_agent("Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0");
  view.set_locale("zh_cn");
  view.set_referrer("https://www.google.com/");
  view.set_request_id("r1");
  av1::RecordViewRequest bot = view;
  bot.set_user_agent("Googlebot/2.1 (+http://www.google.com/bot.html)");
  bot.set_client_ip("::ffff:198.51.100.1");
  av1::RecordViewRequest bad = view;
  bad.set_locale("not a locale");
  Seed items;
  items.Chunk(Encode(view)).Chunk(Encode(bot)).Chunk(Encode(bad)).Chunk(Encode(view));
  av1::GetStatsRequest stats;
  stats.add_article_ids("a1");
  stats.add_article_ids("a2");
  stats.set_window_days(7);
  av1::GetTopArticlesRequest top;
  top.set_kind(av1::TOP_KIND_TRENDING);
  top.set_window(av1::TIME_WINDOW_LAST_HOUR);
  av1::GetTimeSeriesRequest series;
  series.set_article_id("a1");
  series.set_granularity(av1::GRANULARITY_HOURLY);
  series.mutable_start_time()->set_seconds(1709290800);
  av1::ImportViewsRequest import;
  av1::ImportedViews* item = import.add_items();
  item->set_article_id("a1");
  item->set_views(1000);
  item->set_unique_visitors(400);
  Write("analytics_service", "record-and-read",
        Seed()
            .Call(0, kFrontend, view)
            .Call(0, kFrontend, bot)
            .Byte(1)
            .Byte(kFrontend)
            .Chunk(items.bytes())
            .Call(2, kAnonymous, stats)
            .Call(3, kAnonymous, top)
            .Call(4, kAnonymous, series)
            .Call(5, kAdmin, import)
            .Call(0, kFrontend, view)
            .bytes());
  Write("analytics_view", "browser",
        Seed()
            .Byte(1)
            .Chunk("a1")
            .Chunk("")
            .Chunk("203.0.113.7")
            .Chunk(view.user_agent())
            .Chunk("zh_cn")
            .Chunk("https://www.google.com/")
            .Chunk("r1")
            .Raw("10.0.0.0/8,192.0.2.7,2001:db8::/32")
            .bytes());
  Write("analytics_view", "v6-bot",
        Seed()
            .Byte(0)
            .Chunk("a-2")
            .Chunk("visitor-1")
            .Chunk("::ffff:10.1.2.3")
            .Chunk(bot.user_agent())
            .Chunk("en")
            .Chunk("")
            .Chunk("")
            .Raw("10.0.0.0/8")
            .bytes());
}

// The index decode_fuzz.cc gives `type`: the methods' request types of the three contracts
// in declaration order, then ArticleEvent.

}  // namespace

void ServiceSeeds(const content::Article& demo) {
  NotifySeeds(demo);
  ContentSeeds(demo);
  AnalyticsSeeds();
}

}  // namespace bulletin::fuzz
