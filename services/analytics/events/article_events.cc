#include "services/analytics/events/article_events.h"

#include <utility>

#include "common/base/log.h"
#include "common/base/status_macros.h"

namespace bulletin::analytics {

namespace events = ::bulletin::events::v1;

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
  if (a.id().empty()) return std::nullopt;
  m.article_id = a.id();
  m.revision = a.revision();
  if (!a.category_id().empty()) m.categories.push_back(a.category_id());
  m.categories.insert(m.categories.end(), a.category_ancestor_ids().begin(),
                      a.category_ancestor_ids().end());
  m.default_locale = a.default_locale();
  for (const events::LocalizedSummary& t : a.translations()) {
    m.translations.push_back({t.locale(), t.title(), t.slug().empty() ? a.slug() : t.slug()});
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
