#include "services/content/grpc/reply_cache.h"

#include <utility>

namespace bulletin::content {

class ReplyCache::Method final : public ReplyReuse {
 public:
  Method(ReplyCache& cache, char id, Cacheable cacheable, absl::Duration ttl)
      : cache_(cache), id_(id), cacheable_(std::move(cacheable)), ttl_(ttl) {}

  bool Lookup(const Caller& caller, const grpc::ByteBuffer& in, grpc::ByteBuffer* out) override {
    return cache_.Lookup(id_, caller, in, out);
  }
  uint64_t Ticket() override { return cache_.options_.generation(); }
  void Store(uint64_t ticket, const Caller& caller, const grpc::ByteBuffer& in,
             const google::protobuf::Message& request, const grpc::ByteBuffer& out) override {
    if (cacheable_(request)) cache_.Store(id_, ticket, ttl_, caller, in, out);
  }

 private:
  ReplyCache& cache_;
  const char id_;
  const Cacheable cacheable_;
  const absl::Duration ttl_;
};

ReplyCache::ReplyCache(ReplyCacheOptions options) : options_(std::move(options)) {}
ReplyCache::~ReplyCache() = default;

ReplyReuse* ReplyCache::ForMethod(Cacheable cacheable, std::optional<absl::Duration> ttl) {
  const char id = static_cast<char>(methods_.size());
  methods_.push_back(
      std::make_unique<Method>(*this, id, std::move(cacheable), ttl.value_or(options_.ttl)));
  return methods_.back().get();
}

bool ReplyCache::PublicCaller(const Caller& caller) {
  return !caller || (caller->role != Role::kEditor && caller->role != Role::kAdmin);
}

std::string ReplyCache::Key(char method, const grpc::ByteBuffer& in) {
  std::string key(1, method);
  std::vector<grpc::Slice> slices;
  if (!in.Dump(&slices).ok()) return "";
  for (const grpc::Slice& s : slices) {
    key.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return key;
}

bool ReplyCache::Lookup(char method, const Caller& caller, const grpc::ByteBuffer& in,
                        grpc::ByteBuffer* out) {
  if (!PublicCaller(caller)) return false;
  const std::string key = Key(method, in);
  if (key.empty()) return false;
  const uint64_t generation = options_.generation();
  const absl::Time now = options_.clock();
  absl::ReaderMutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation || now >= it->second.expire) {
    return false;
  }
  *out = it->second.reply;  // shares the encoded slices
  return true;
}

void ReplyCache::Store(char method, uint64_t generation, absl::Duration ttl, const Caller& caller,
                       const grpc::ByteBuffer& in, const grpc::ByteBuffer& out) {
  if (!PublicCaller(caller) || options_.max_entries == 0) return;
  const size_t bytes = out.Length();
  if (bytes > options_.max_bytes / 8) return;  // one reply never fills the cache
  std::string key = Key(method, in);
  if (key.empty()) return;
  const absl::Time expire = options_.clock() + ttl;
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (!inserted) bytes_ -= e.bytes;
  e.reply = out;
  e.generation = generation;
  e.expire = expire;
  e.bytes = bytes + key.size();
  e.seq = next_seq_++;
  bytes_ += e.bytes;
  order_.emplace_back(std::move(key), e.seq);
  EvictLocked();
}

void ReplyCache::EvictLocked() {
  while (!order_.empty() &&
         (entries_.size() > options_.max_entries || bytes_ > options_.max_bytes ||
          order_.size() > 2 * options_.max_entries)) {
    auto [key, seq] = std::move(order_.front());
    order_.pop_front();
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.seq != seq) continue;  // replaced since
    bytes_ -= it->second.bytes;
    entries_.erase(it);
  }
}

size_t ReplyCache::size() {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace bulletin::content
