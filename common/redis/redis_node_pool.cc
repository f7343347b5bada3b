#include "common/redis/redis_node_pool.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include "absl/strings/str_cat.h"

namespace bulletin {

RedisReply CopyReply(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(CopyReply(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

void RedisNodePool::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

RedisNodePool::RedisNodePool(std::string host, int port, const RedisOptions& options)
    : host_(std::move(host)),
      port_(port),
      name_(absl::StrCat(host_, ":", port_)),
      options_(options) {}

RedisNodePool::~RedisNodePool() = default;

absl::Status RedisNodePool::Setup(redisContext* c) {
  std::vector<std::vector<std::string>> setup;
  if (!options_.password.empty()) {
    if (options_.user.empty()) {
      setup.push_back({"AUTH", options_.password});
    } else {
      setup.push_back({"AUTH", options_.user, options_.password});
    }
  }
  if (options_.db != 0) setup.push_back({"SELECT", absl::StrCat(options_.db)});
  for (const std::vector<std::string>& argv : setup) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const std::string& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
    const bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    // The reply to AUTH names no secret; it says why (WRONGPASS, NOAUTH, ...).
    std::string why = r == nullptr ? std::string(c->errstr)
                      : ok         ? std::string()
                                   : std::string(r->str, std::min<size_t>(r->len, 80));
    if (r) freeReplyObject(r);
    if (!ok)
      return absl::UnavailableError(absl::StrCat("redis ", name_, ": ", argv[0], " failed: ", why));
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisNodePool::ContextPtr> RedisNodePool::Acquire() {
  for (;;) {
    ContextPtr c;
    {
      absl::MutexLock lock(&mu_);
      if (idle_.empty()) break;
      c = std::move(idle_.back());
      idle_.pop_back();
    }
    // An idle connection never has anything to read: if it is readable or broken, the
    // server closed it (a restart); drop it rather than fail the caller's command on it.
    pollfd p{c->fd, POLLIN, 0};
    if (poll(&p, 1, 0) == 0) return c;
  }
  timeval tv = absl::ToTimeval(options_.connect_timeout);
  ContextPtr c(redisConnectWithTimeout(host_.c_str(), port_, tv));
  if (!c) return absl::UnavailableError("redis: cannot allocate a context");
  if (c->err) return absl::UnavailableError(absl::StrCat("redis ", name_, ": ", c->errstr));
  if (absl::Status s = Setup(c.get()); !s.ok()) return s;
  return c;
}

void RedisNodePool::Release(ContextPtr c) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < options_.max_idle) idle_.push_back(std::move(c));
}

absl::StatusOr<std::vector<RedisReply>> RedisNodePool::Run(const std::vector<RedisArgv>& commands,
                                                           absl::Duration timeout, bool* not_sent) {
  if (not_sent) *not_sent = true;
  absl::StatusOr<ContextPtr> acquired = Acquire();
  if (!acquired.ok()) return acquired.status();
  if (not_sent) *not_sent = false;
  ContextPtr c = std::move(*acquired);
  redisSetTimeout(c.get(), absl::ToTimeval(timeout));
  for (const RedisArgv& argv : commands) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    ptrs.reserve(argv.size());
    lens.reserve(argv.size());
    for (const std::string& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c.get(), static_cast<int>(argv.size()), ptrs.data(), lens.data()) !=
        REDIS_OK) {
      return absl::UnavailableError(absl::StrCat("redis ", name_, ": ", c->errstr));
    }
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c.get(), &raw) != REDIS_OK || raw == nullptr) {
      // The context is in an unknown state; dropping it forces a fresh connection.
      return absl::UnavailableError(
          absl::StrCat("redis ", name_, ": ", c->errstr[0] ? c->errstr : "no reply"));
    }
    auto* r = static_cast<redisReply*>(raw);
    replies.push_back(CopyReply(r));
    freeReplyObject(r);
  }
  if (timeout != options_.command_timeout) {
    redisSetTimeout(c.get(), absl::ToTimeval(options_.command_timeout));
  }
  Release(std::move(c));
  return replies;
}

}  // namespace bulletin
