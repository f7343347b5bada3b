#include "services/analytics/events/article_events.h"

#include <utility>

#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"

namespace bulletin::analytics {

namespace events = ::bulletin::events::v1;

namespace {

// What a title or slug may be when analytics stores it and serves it in top lists: the
// shared free-text rule, bounded. Content enforces its own (stricter) rules; this guards
// the top lists against an event from an older or foreign writer.
constexpr size_t kMaxStoredTitle = 1000;
constexpr size_t kMaxStoredSlug = 200;

std::string Sanitised(const std::string& text, size_t max_code_points) {
  return CheckText(text, "text", {false, max_code_points, false}).ok() ? text : std::string();
}

}  // namespace

std::optional<ArticleMeta> ArticleMetaOf(const events::ArticleEvent& e) {
  ArticleMeta m;
  switch (e.type()) {
    case events::ARTICLE_EVENT_TYPE_PUBLISHED:
    case events::ARTICLE_EVENT_TYPE_UPDATED:
      m.published = true;
      break;
    case events::ARTICLE_EVENT_TYPE_UNPUBLISHED:
    case events::ARTICLE_EVENT_TYPE_DELETED:
      m.published = false;
      break;
    default:
      return std::nullopt;
  }
  const events::ArticleSnapshot& a = e.article();
  // The id is a Redis key and a top-list member: only a valid id is stored.
  if (!IsValidId(a.id())) return std::nullopt;
  m.article_id = a.id();
  m.revision = a.revision();
  if (IsValidId(a.category_id())) m.categories.push_back(a.category_id());
  for (const std::string& c : a.category_ancestor_ids()) {
    if (IsValidId(c)) m.categories.push_back(c);
  }
  if (std::optional<std::string> locale = NormalizeLocale(a.default_locale())) {
    m.default_locale = *locale;
  }
  for (const events::LocalizedSummary& t : a.translations()) {
    std::optional<std::string> locale = NormalizeLocale(t.locale());
    if (!locale) continue;  // a locale is a filter-set key: a malformed one is dropped
    m.translations.push_back({*locale, Sanitised(t.title(), kMaxStoredTitle),
                              Sanitised(t.slug().empty() ? a.slug() : t.slug(), kMaxStoredSlug)});
  }
  if (m.default_locale.empty() && !m.translations.empty()) {
    m.default_locale = m.translations[0].locale;
  }
  return m;
}

absl::Status ApplyArticleEvents(ViewStore& store, const std::vector<StreamEntry>& batch) {
  for (const StreamEntry& entry : batch) {
    if (!entry.event) continue;  // undecodable: the reader logged it
    std::optional<ArticleMeta> meta = ArticleMetaOf(*entry.event);
    if (!meta) {
      Logger()->warn("event stream entry {}: no article event analytics can use; skipped",
                     entry.id.ToString());
      continue;
    }
    RETURN_IF_ERROR(store.ApplyArticle(*meta));
  }
  return absl::OkStatus();
}

ConsumerGroupOptions ArticleEventsReaderOptions(std::string consumer) {
  ConsumerGroupOptions options;
  options.group = kConsumerGroup;
  options.consumer = std::move(consumer);
  options.block = absl::Seconds(1);
  options.claim_idle = absl::Seconds(60);
  options.batch = 100;
  return options;
}

ConsumerGroupReader::Handler ArticleEventsHandler(ViewStore& store) {
  return
      [&store](const std::vector<StreamEntry>& batch) { return ApplyArticleEvents(store, batch); };
}

}  // namespace bulletin::analytics
