// Conversions between bulletin.content.v1 messages and the core's domain structs, for
// the gRPC adapter only. No rules here: values are copied as they are (the core
// validates and normalises); enums are mapped value by value, and a value the core does
// not know is INVALID_ARGUMENT naming the field. Times go through common/proto/time.h.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bulletin/content/v1/content.pb.h"
#include "services/content/core/content_core.h"

namespace bulletin::content {

Article FromProto(const v1::Article& in);
Category FromProto(const v1::Category& in);

void ToProto(const Article& in, v1::Article* out);
void ToProto(const ArticleRead& in, v1::Article* out);
void ToProto(const Category& in, v1::Category* out);
void ToProto(const CategoryRead& in, v1::Category* out);
void ToProto(const ArticleRevision& in, v1::ArticleRevision* out);
void ToProto(const SearchResult& in, v1::SearchResult* out);

v1::ArticleState ToProto(ArticleState state);
// A state filter: nullopt for ARTICLE_STATE_UNSPECIFIED; INVALID_ARGUMENT naming `field`
// for a value outside the enum.
absl::StatusOr<std::optional<ArticleState>> StateFilterFromProto(v1::ArticleState state,
                                                                 absl::string_view field);

// Whether `view` leaves bodies out; ARTICLE_VIEW_UNSPECIFIED means `basic_by_default`.
bool IsBasicView(v1::ArticleView view, bool basic_by_default);

}  // namespace bulletin::content
