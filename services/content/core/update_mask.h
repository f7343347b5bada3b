// update_mask paths of UpdateArticle and UpdateCategory, split into segments:
// "translations.`zh-CN`.title" and "translations.zh-CN.title" both give
// {"translations", "zh-CN", "title"}. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bulletin::content {

// The segments of `path`; nullopt when it is empty, has an empty segment or an unclosed
// backtick.
std::optional<std::vector<std::string>> SplitMaskPath(absl::string_view path);

}  // namespace bulletin::content
