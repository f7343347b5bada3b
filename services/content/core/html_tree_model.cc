// HtmlTreeModel: the subset of the HTML5 tree-construction rules that decide how deep the
// stack of open elements gets, each written to close no more than the tree builder does.
#include "services/content/core/html_tree_model.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "services/content/core/html_tag_kinds.h"

namespace bulletin::content::html_internal {

HtmlTreeModel::HtmlTreeModel() {
  tbody_ = Intern("tbody");
  tr_ = Intern("tr");
  colgroup_ = Intern("colgroup");
  col_ = Intern("col");
  p_ = Intern("p");
  li_ = Intern("li");
  dd_ = Intern("dd");
  dt_ = Intern("dt");
  table_ = Intern("table");
  template_ = Intern("template");
  a_ = Intern("a");
  nobr_ = Intern("nobr");
  address_ = Intern("address");
  div_ = Intern("div");
  br_ = Intern("br");
  select_ = Intern("select");
  form_ = Intern("form");
  button_ = Intern("button");
  opaque_ = Intern("#opaque");
  kinds_[opaque_] = kBarrier | kSpecial;
}

int HtmlTreeModel::Intern(absl::string_view name) {
  auto [it, added] = ids_.try_emplace(name, static_cast<int>(kinds_.size()));
  if (added) {
    kinds_.push_back(TagKind(name));
    positions_.emplace_back();
  }
  return it->second;
}

bool HtmlTreeModel::TopIs(uint32_t kind) const {
  return !stack_.empty() && (kinds_[stack_.back()] & kind);
}

void HtmlTreeModel::Start(absl::string_view name, absl::string_view attributes, bool self_closing) {
  const int id = Intern(name);
  const uint32_t kind = kinds_[id];
  if (kind & kIgnored) return;
  if (zones_open_ == 0) {
    StartInBody(id, kind, name, attributes, self_closing);
    return;
  }
  // Foreign content (or a frameset): a foreign element with the self-closing flag, or an
  // HTML void element, closes at once; anything else may open.
  if ((self_closing && !(kind & kBreakout)) || ((kind & kVoid) && (kind & kBreakout))) {
    Measure(/*leaf=*/1);
    return;
  }
  Push(id);
  if (kind & kFormatting) AddEntry(id, "", /*noahs_ark=*/false);
}

void HtmlTreeModel::StartInBody(int id, uint32_t kind, absl::string_view name,
                                absl::string_view attributes, bool self_closing) {
  if (id == li_) {
    CloseInLoop(li_, li_);
  } else if (id == dd_ || id == dt_) {
    CloseInLoop(dd_, dt_);
  }
  if (kind & kClosesP) CloseP();
  if (id == form_) {
    StartForm();
    return;
  }
  if (id == button_) {
    const int k = Topmost(button_);
    if (k >= 0 && InScope(k)) PopTo(k);  // a button in scope is closed first
  }
  if (kind & kCell) {
    if (TopIs(kCell)) PopTop();
    if (Top() != tr_) {
      if (!TopIs(kSection)) Push(tbody_);
      Push(tr_);
    }
  } else if (id == tr_) {
    if (TopIs(kCell)) PopTop();
    if (Top() == tr_) PopTop();
    if (!TopIs(kSection)) Push(tbody_);
  } else if (kind & kSection) {
    while (TopIs(kCell | kSection) || Top() == tr_) PopTop();
  } else if (id == col_) {
    if (Top() != colgroup_) Push(colgroup_);
  } else if (id == a_ || id == nobr_) {
    // A second <a> (or <nobr>) first closes the one still active.
    const int open = RemoveLastEntry(id);
    if (open >= 0 && open == static_cast<int>(stack_.size()) - 1) PopTop();
  }
  if (!(kind & kKeepsList)) Reconstruct();
  if (kind & kVoid) {
    Measure(/*leaf=*/1);
    return;
  }
  if ((kind & kZone) && self_closing && name != "frameset") {
    Measure(/*leaf=*/1);  // <svg/>, <math/>
    return;
  }
  Push(id);
  if (kind & kFormatting) {
    AddEntry(id, absl::StrCat(name, "\x1f", attributes), /*noahs_ark=*/true);
  }
  if (kind & kMarker) entries_.push_back(Entry{-1, 0, -1});
}

void HtmlTreeModel::OpaqueStart(absl::string_view name) {
  const int id = Intern(name);
  const uint32_t kind = kinds_[id];
  if (kind & kIgnored) return;
  if ((kind & kVoid) && !MayBeMarkup()) {
    Measure(/*leaf=*/1);
    return;
  }
  // Pushed as "#opaque", which no end tag closes: were it a tag the parser never saw, an
  // end tag closing it would close real elements above it. A barrier and special, so that
  // nothing is closed across it either.
  Push(opaque_);
  if (kind & kFormatting) AddEntry(id, "", /*noahs_ark=*/false);
}

void HtmlTreeModel::End(absl::string_view name) {
  const int id = Intern(name);
  const uint32_t kind = kinds_[id];
  if (kind & kIgnored) return;
  if (zones_open_ > 0) {
    if (Top() == id) {
      PopTop();
    } else if (id == p_ || id == br_) {
      Measure(/*leaf=*/1);  // may make an empty element
    }
    return;
  }
  EndInBody(id, kind);
}

void HtmlTreeModel::EndInBody(int id, uint32_t kind) {
  if (id == br_) {  // </br> acts as <br>
    Reconstruct();
    Measure(/*leaf=*/1);
  } else if (kind & kFormatting) {
    if (Top() == id) {
      PopTop();
      RemoveLastEntry(id);
    }
  } else if (id == p_ || id == li_ || (kind & kScopeCloser)) {
    const int k = Topmost(id);
    const bool list_scope = id != li_ || list_barriers_.empty() || list_barriers_.back() < k;
    const bool button_scope = id != p_ || buttons_.empty() || buttons_.back() < k;
    if (k >= 0 && InScope(k) && list_scope && button_scope) {
      PopTo(k);
    } else if (id == p_) {
      Measure(/*leaf=*/1);  // </p> without an open <p> makes an empty one
    }
  } else if (id == form_) {
    EndForm();
  } else if (id == template_) {
    const int k = Topmost(id);
    if (k >= 0) PopTo(k);
  } else if (id == table_) {
    const int k = Topmost(id);
    if (k >= 0 && (templates_.empty() || templates_.back() < k)) PopTo(k);
  } else if (kind & kSection) {
    if (TopIs(kCell)) PopTop();
    if (Top() == tr_) PopTop();
    if (Top() == id) PopTop();
  } else if (id == tr_) {
    if (TopIs(kCell)) PopTop();
    if (Top() == tr_) PopTop();
  } else if (Top() == id) {
    PopTop();
  }
}

void HtmlTreeModel::Push(int id) {
  const int index = static_cast<int>(stack_.size());
  stack_.push_back(id);
  has_entry_.push_back(false);
  positions_[id].push_back(index);
  const uint32_t kind = kinds_[id];
  if (kind & kBarrier) barriers_.push_back(index);
  if (kind & kListBarrier) list_barriers_.push_back(index);
  if (id == button_) buttons_.push_back(index);
  if (id == template_) templates_.push_back(index);
  if (kind & kZone) ++zones_open_;
  if (id == select_) ++selects_open_;
  Measure();
}

void HtmlTreeModel::PopTop() {
  const int index = static_cast<int>(stack_.size()) - 1;
  const int id = stack_.back();
  const uint32_t kind = kinds_[id];
  positions_[id].pop_back();
  if (!barriers_.empty() && barriers_.back() == index) barriers_.pop_back();
  if (!list_barriers_.empty() && list_barriers_.back() == index) list_barriers_.pop_back();
  if (!buttons_.empty() && buttons_.back() == index) buttons_.pop_back();
  if (!templates_.empty() && templates_.back() == index) templates_.pop_back();
  if (kind & kZone) --zones_open_;
  if (id == select_) --selects_open_;
  if (index == form_index_) form_index_ = -1;
  if (has_entry_.back()) {
    for (Entry& e : entries_) {
      if (e.open == index) {
        e.open = -1;
        ++closed_entries_;
      }
    }
  }
  stack_.pop_back();
  has_entry_.pop_back();
}

void HtmlTreeModel::PopTo(int k) {
  while (static_cast<int>(stack_.size()) > k) PopTop();
}

// A <form> closes a <p> and opens only while the form element pointer is null; else it is
// ignored. In a select or a template the model cannot tell, and opens "#opaque".
void HtmlTreeModel::StartForm() {
  const bool surely_in_body = selects_open_ == 0 && templates_.empty();
  if (surely_in_body && form_pointer_ == FormPointer::kSet) return;
  if (surely_in_body && form_pointer_ == FormPointer::kNull) {
    CloseP();
    Reconstruct();
    Push(form_);
    form_pointer_ = FormPointer::kSet;
    form_index_ = static_cast<int>(stack_.size()) - 1;
    return;
  }
  Push(opaque_);
  form_pointer_ = FormPointer::kUnknown;
}

// </form> clears the pointer; when its form is in scope, closes the elements with implied
// end tags above it and removes the form from the stack (the model pops it when on top).
void HtmlTreeModel::EndForm() {
  const bool surely_in_body = selects_open_ == 0;
  if (form_pointer_ == FormPointer::kSet && form_index_ >= 0 && InScope(form_index_)) {
    while (Top() == p_ || Top() == li_ || Top() == dd_ || Top() == dt_) PopTop();
    if (static_cast<int>(stack_.size()) - 1 == form_index_) PopTop();
  }
  if (form_pointer_ == FormPointer::kSet || surely_in_body) {
    form_pointer_ = surely_in_body ? FormPointer::kNull : FormPointer::kUnknown;
  }
  form_index_ = -1;
}

// "Close a p element" when a p is in button scope.
void HtmlTreeModel::CloseP() {
  const int k = Topmost(p_);
  if (k >= 0 && InScope(k) && (buttons_.empty() || buttons_.back() < k)) PopTo(k);
}

// The loop of an <li> (<dd>, <dt>) start tag: from the current node down, close the nearest
// `a` or `b` unless a special element other than address, div and p comes first.
void HtmlTreeModel::CloseInLoop(int a, int b) {
  for (int i = static_cast<int>(stack_.size()) - 1; i >= 0; --i) {
    const int id = stack_[i];
    if (id == a || id == b) {
      PopTo(i);
      return;
    }
    if ((kinds_[id] & kSpecial) && id != address_ && id != div_ && id != p_) return;
  }
}

// Reopens, in list order, every entry after the last marker whose element is closed.
void HtmlTreeModel::Reconstruct() {
  if (closed_entries_ == 0) return;
  size_t first = entries_.size();
  while (first > 0 && entries_[first - 1].name >= 0) --first;
  for (size_t i = first; i < entries_.size(); ++i) {
    if (entries_[i].open >= 0) continue;
    Push(entries_[i].name);
    entries_[i].open = static_cast<int>(stack_.size()) - 1;
    has_entry_.back() = true;
    --closed_entries_;
  }
}

// Adds the entry of the element just pushed; with `noahs_ark`, the earliest of three
// identical entries after the last marker gives way (identical: the same tag and attribute
// text, where the builder compares parsed attributes: it may forget more, never less).
void HtmlTreeModel::AddEntry(int id, const std::string& key_text, bool noahs_ark) {
  const size_t key = std::hash<std::string>()(key_text);
  if (noahs_ark) {
    int same = 0, earliest = -1;
    for (int i = static_cast<int>(entries_.size()) - 1; i >= 0 && entries_[i].name >= 0; --i) {
      if (entries_[i].name == id && entries_[i].key == key) {
        ++same;
        earliest = i;
      }
    }
    if (same >= 3) Erase(earliest);
  }
  entries_.push_back(Entry{id, key, static_cast<int>(stack_.size()) - 1});
  has_entry_.back() = true;
}

// Forgets the last entry for `id` after the last marker; returns the index its element has
// in stack_ (-1: closed), or -2 when there is no such entry.
int HtmlTreeModel::RemoveLastEntry(int id) {
  for (int i = static_cast<int>(entries_.size()) - 1; i >= 0 && entries_[i].name >= 0; --i) {
    if (entries_[i].name == id) {
      const int open = entries_[i].open;
      Erase(i);
      return open;
    }
  }
  return -2;
}

void HtmlTreeModel::Erase(int i) {
  if (entries_[i].open < 0) --closed_entries_;
  entries_.erase(entries_.begin() + i);
}

// Records the depth of the open elements, plus `leaf` for an element closed at once.
void HtmlTreeModel::Measure(int leaf) {
  const int depth = static_cast<int>(stack_.size()) + closed_entries_ + leaf;
  if (depth > max_depth_) max_depth_ = depth;
}

}  // namespace bulletin::content::html_internal
