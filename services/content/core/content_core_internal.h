// Internal to content_core*.cc: small rules shared by the core's files (roles, etags, the
// locale a read returns, page sizes, page tokens of the lists). Not part of the API.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/auth.h"
#include "services/content/core/content_requests.h"
#include "services/content/core/content_types.h"

namespace bulletin::content::internal {

bool IsEditor(const Caller& caller);
std::string NewEtag();
// "editor", "admin", ... for a revision's author.
std::string AuthorOf(const Caller& caller);

// The locale a read in `wanted` returns: exact, else the same primary language (the
// default locale first), else the default locale.
std::string PickLocale(const Article& a, const std::string& wanted);

// The read of `a` in `locale` (empty: all translations), with its published locales.
ArticleRead MakeRead(Article a, const std::string& locale, bool basic_view,
                     const std::string& site_base_url);

// A page size: 0 -> default, clamped to max; INVALID_ARGUMENT when negative.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

// INVALID_ARGUMENT naming page_token.
absl::Status BadPageToken(const std::string& why);

}  // namespace bulletin::content::internal
