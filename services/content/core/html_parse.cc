// ParseHtmlBody: gumbo with an arena allocator and a deadline checked from inside it. The
// arena makes abandoning a parse (longjmp out of gumbo's C code) and releasing a deep tree
// both safe and O(1) in stack depth.
#include "services/content/core/html_parse.h"

#include <csetjmp>
#include <cstdlib>
#include <memory>
#include <vector>

namespace bulletin::content {
namespace {

// Gumbo's memory for one parse. Gumbo's frees are no-ops; it grows buffers by doubling,
// so the arena holds at most about twice what gumbo would.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() {
    for (void* block : blocks_) std::free(block);
  }

  void* Take(size_t size) {
    size = (size + kAlign - 1) & ~(kAlign - 1);
    if (size > kBlockBytes / 4) return NewBlock(size);
    if (size > left_) {
      next_ = static_cast<char*>(NewBlock(kBlockBytes));
      left_ = kBlockBytes;
    }
    void* p = next_;
    next_ += size;
    left_ -= size;
    return p;
  }

 private:
  static constexpr size_t kBlockBytes = 64 * 1024;
  static constexpr size_t kAlign = alignof(std::max_align_t);

  void* NewBlock(size_t size) {
    void* block = std::malloc(size);
    if (block == nullptr) std::abort();  // as gumbo's own allocator would fail
    blocks_.push_back(block);
    return block;
  }

  std::vector<void*> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

struct Parse {
  Arena arena;
  absl::Time deadline;
  uint64_t allocations = 0;
  std::jmp_buf abandon;
};

// Gumbo allocates for every token, so checking the clock on every 256th allocation
// notices a parse past its deadline soon. Leaving through longjmp skips only gumbo's C
// frames (no destructors); everything gumbo allocated is in the arena.
void* Allocate(void* userdata, size_t size) {
  auto* parse = static_cast<Parse*>(userdata);
  if ((++parse->allocations & 255) == 0 && absl::Now() > parse->deadline) {
    std::longjmp(parse->abandon, 1);
  }
  return parse->arena.Take(size);
}

void Free(void* /*userdata*/, void* /*ptr*/) {}

}  // namespace

absl::Duration ParseBudget(size_t bytes) {
  return absl::Seconds(1) + absl::Microseconds(static_cast<int64_t>(bytes));
}

absl::Status ParseHtmlBody(absl::string_view html, absl::Duration budget,
                           const std::function<void(const GumboNode* body)>& fn) {
  // On the heap: nothing of this frame changes between setjmp and a longjmp back to it.
  const auto parse = std::make_unique<Parse>();
  parse->deadline = absl::Now() + budget;
  GumboOptions options = kGumboDefaultOptions;
  options.allocator = &Allocate;
  options.deallocator = &Free;
  options.userdata = parse.get();
  options.max_errors = 0;  // errors are not needed; the parse recovers like a browser
  if (setjmp(parse->abandon) != 0) {
    return absl::InvalidArgumentError("HTML too complex to parse");
  }
  const GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  const GumboNode* root = output->root;
  for (unsigned i = 0; i < root->v.element.children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(root->v.element.children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_BODY) fn(child);
  }
  return absl::OkStatus();
}

}  // namespace bulletin::content
