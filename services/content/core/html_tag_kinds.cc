// The HTML5 tree builder's element categories as name sets, folded into Kind flags by
// TagKind. The sets follow the HTML Standard's "Parsing HTML documents" section.
#include "services/content/core/html_tag_kinds.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_split.h"

namespace bulletin::content::html_internal {
namespace {

using Names = absl::flat_hash_set<absl::string_view>;

// The set of the space-separated names in `list` (a literal: the views stay valid).
const Names* SplitNames(absl::string_view list) {
  return new Names(absl::StrSplit(list, ' ', absl::SkipEmpty()));
}

const Names& VoidNames() {
  static const Names* names = SplitNames(
      "area base basefont bgsound br col embed frame hr image img input keygen link meta "
      "param source track wbr ");
  return *names;
}

const Names& FormattingNames() {
  static const Names* names = SplitNames("a b big code em font i nobr s small strike strong tt u ");
  return *names;
}

const Names& BarrierNames() {
  static const Names* names = SplitNames(
      "applet caption html marquee object table td th template select svg math frameset ");
  return *names;
}

const Names& ClosesPNames() {
  static const Names* names = SplitNames(
      "address article aside blockquote center details dialog dir div dl fieldset "
      "figcaption figure footer header hgroup main menu nav ol p section summary ul pre "
      "listing xmp plaintext h1 h2 h3 h4 h5 h6 li dd dt ");
  return *names;
}

const Names& ScopeCloserNames() {
  static const Names* names = SplitNames(
      "address article aside blockquote button center details dialog dir div dl fieldset "
      "figcaption figure footer header hgroup listing main menu nav ol pre section summary "
      "ul dd dt h1 h2 h3 h4 h5 h6 applet marquee object ");
  return *names;
}

const Names& SpecialNames() {
  static const Names* names = SplitNames(
      "address applet area article aside base basefont bgsound blockquote body br button "
      "caption center col colgroup dd details dir div dl dt embed fieldset figcaption "
      "figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html "
      "iframe img input keygen li link listing main marquee menu meta nav noembed noframes "
      "noscript object ol p param plaintext pre script section select source style summary "
      "table tbody td template textarea tfoot th thead title tr track ul wbr xmp ");
  return *names;
}

// Start tags the tree builder handles without first reconstructing the active formatting
// elements (every other start tag, and text, reconstructs them).
const Names& KeepsListNames() {
  static const Names* names = SplitNames(
      "table hr textarea iframe noembed rb rtc rp rt param source track template script "
      "style base basefont bgsound link meta noframes title caption col colgroup frame "
      "tbody td tfoot th thead tr frameset ");
  return *names;
}

// Start tags that leave foreign content (svg, math) for HTML.
const Names& BreakoutNames() {
  static const Names* names = SplitNames(
      "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head "
      "hr i img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup "
      "table tt u ul var font ");
  return *names;
}

}  // namespace

uint32_t TagKind(absl::string_view name) {
  uint32_t kind = 0;
  if (VoidNames().contains(name)) kind |= kVoid;
  if (FormattingNames().contains(name)) kind |= kFormatting;
  if (name == "applet" || name == "marquee" || name == "object" || name == "template" ||
      name == "td" || name == "th" || name == "caption") {
    kind |= kMarker;
  }
  if (BarrierNames().contains(name)) kind |= kBarrier;
  if (ClosesPNames().contains(name)) kind |= kClosesP;
  if (ScopeCloserNames().contains(name)) kind |= kScopeCloser;
  if (SpecialNames().contains(name)) kind |= kSpecial;
  if (name == "ol" || name == "ul") kind |= kListBarrier;
  if (name == "td" || name == "th") kind |= kCell;
  if (name == "tbody" || name == "thead" || name == "tfoot") kind |= kSection;
  if (name == "html" || name == "head" || name == "body") kind |= kIgnored;
  if (name == "svg" || name == "math" || name == "frameset") kind |= kZone;
  if ((kind & (kClosesP | kIgnored)) || KeepsListNames().contains(name)) kind |= kKeepsList;
  if (BreakoutNames().contains(name)) kind |= kBreakout;
  return kind;
}

}  // namespace bulletin::content::html_internal
