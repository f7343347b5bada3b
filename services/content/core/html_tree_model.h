// Internal to html_nesting.cc: a model of the HTML5 tree builder's stack of open elements
// (below <body>) and list of active formatting elements, fed the tokens of a fragment, that
// records how deep the stack may get. It closes an element only where the tree builder
// surely does and forgets a formatting entry only where it surely does, so its estimate
// (the stack plus the closed entries the builder may reopen) stays at or above the real
// depth but for crafted misnesting. Inside svg, math and frameset, whose rules differ, it
// only opens elements and closes the current one. Not thread-safe; one per scan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace bulletin::content::html_internal {

class HtmlTreeModel {
 public:
  HtmlTreeModel();

  // The deepest the stack got (plus elements closed at once, such as <br>).
  int max_depth() const { return max_depth_; }
  // In svg, math or a frameset (as far as the model knows).
  bool InZone() const { return zones_open_ > 0; }
  // A raw text start tag may be ignored here, its content then markup (foreign content,
  // select, frameset, column groups, templates).
  bool MayBeMarkup() const {
    return zones_open_ > 0 || selects_open_ > 0 || !templates_.empty() || Topmost(colgroup_) >= 0;
  }

  // A start tag (name lower-cased) with its attribute text as written.
  void Start(absl::string_view name, absl::string_view attributes, bool self_closing);
  void End(absl::string_view name);
  // Characters: the builder reopens closed formatting elements.
  void Text() { Reconstruct(); }

  // A span the tokenizer may read as text while the builder could see markup in it:
  // OpaqueSpan() first, then OpaqueStart for every start tag in it (it opens the element,
  // closing nothing) and OpaqueEnd for every end tag (it may make an empty element).
  void OpaqueSpan() { Reconstruct(); }
  void OpaqueStart(absl::string_view name);
  void OpaqueEnd() { Measure(/*leaf=*/1); }

 private:
  struct Entry {
    int name;  // -1: a marker
    size_t key;
    int open;  // its element's index in stack_; -1 when closed (the builder may reopen it)
  };

  int Intern(absl::string_view name);
  int Top() const { return stack_.empty() ? -1 : stack_.back(); }
  bool TopIs(uint32_t kind) const;
  int Topmost(int id) const { return positions_[id].empty() ? -1 : positions_[id].back(); }
  // No barrier above index k (the element at k may be one itself).
  bool InScope(int k) const { return barriers_.empty() || barriers_.back() <= k; }

  void Push(int id);
  void PopTop();
  void PopTo(int k);
  void CloseP();
  void CloseInLoop(int a, int b);
  void StartInBody(int id, uint32_t kind, absl::string_view name, absl::string_view attributes,
                   bool self_closing);
  void EndInBody(int id, uint32_t kind);
  void Reconstruct();
  void AddEntry(int id, const std::string& key_text, bool noahs_ark);
  int RemoveLastEntry(int id);
  void Erase(int i);
  void Measure(int leaf = 0);
  void StartForm();
  void EndForm();

  int max_depth_ = 0;
  std::vector<char> has_entry_;  // by index into stack_: a list entry refers to it
  std::vector<int> stack_;       // interned tag names
  std::vector<int> barriers_, list_barriers_, buttons_, templates_;  // indexes into stack_
  int zones_open_ = 0;    // svg, math, frameset in stack_
  int selects_open_ = 0;  // select in stack_
  // The tree builder's form element pointer: null, set to the form at form_index_ in
  // stack_ (-1: closed), or not known.
  enum class FormPointer { kNull, kSet, kUnknown } form_pointer_ = FormPointer::kNull;
  int form_index_ = -1;
  std::vector<Entry> entries_;
  int closed_entries_ = 0;  // entries_ that are not markers and whose element is closed
  absl::flat_hash_map<std::string, int> ids_;
  std::vector<uint32_t> kinds_;              // by id
  std::vector<std::vector<int>> positions_;  // by id: its indexes in stack_, ascending
  int tbody_, tr_, colgroup_, col_, p_, li_, dd_, dt_, table_, template_, a_, nobr_, address_, div_,
      br_, select_, form_, button_, opaque_;
};

}  // namespace bulletin::content::html_internal
