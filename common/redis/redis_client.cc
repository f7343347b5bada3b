#include "common/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <poll.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace bulletin {
namespace {

RedisReply Copy(const redisReply* r) {
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
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Copy(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

timeval MakeTimeval(absl::Duration d) { return absl::ToTimeval(d); }

std::string Sha1Hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(d), sizeof(d)));
}

}  // namespace

absl::Status RedisReply::ToStatus() const {
  if (type != Type::kError) return absl::OkStatus();
  for (const char* transient :
       {"LOADING", "BUSY", "OOM", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY"}) {
    if (str.rfind(transient, 0) == 0) return absl::UnavailableError("redis: " + str);
  }
  return absl::InternalError("redis: " + str);
}

absl::StatusOr<RedisOptions> ParseRedisUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return absl::InvalidArgumentError(
        absl::StrCat("--redis: expected redis://HOST:PORT[/DB], got \"", url, "\""));
  }
  absl::string_view rest = url.substr(kScheme.size());
  RedisOptions o;
  size_t slash = rest.find('/');
  if (slash != absl::string_view::npos) {
    absl::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!absl::SimpleAtoi(db, &o.db) || o.db < 0)) {
      return absl::InvalidArgumentError(absl::StrCat("--redis: bad database \"", db, "\""));
    }
    rest = rest.substr(0, slash);
  }
  size_t colon = rest.rfind(':');
  if (colon == absl::string_view::npos) {
    o.host = std::string(rest);
  } else {
    o.host = std::string(rest.substr(0, colon));
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &o.port) || o.port <= 0 || o.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("--redis: bad port in \"", url, "\""));
    }
  }
  if (o.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--redis: missing host in \"", url, "\""));
  }
  return o;
}

void RedisClient::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {}

RedisClient::~RedisClient() = default;

absl::StatusOr<RedisClient::ContextPtr> RedisClient::Acquire() {
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
  timeval tv = MakeTimeval(options_.connect_timeout);
  ContextPtr c(redisConnectWithTimeout(options_.host.c_str(), options_.port, tv));
  if (!c) return absl::UnavailableError("redis: cannot allocate a context");
  if (c->err) {
    return absl::UnavailableError(
        absl::StrCat("redis ", options_.host, ":", options_.port, ": ", c->errstr));
  }
  if (options_.db != 0) {
    std::string db = absl::StrCat(options_.db);
    const char* argv[] = {"SELECT", db.c_str()};
    size_t lens[] = {6, db.size()};
    auto* r = static_cast<redisReply*>(redisCommandArgv(c.get(), 2, argv, lens));
    bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    if (r) freeReplyObject(r);
    if (!ok) return absl::UnavailableError("redis: SELECT failed");
  }
  return c;
}

void RedisClient::Release(ContextPtr c) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < options_.max_idle) idle_.push_back(std::move(c));
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Run(const std::vector<RedisArgv>& commands,
                                                         absl::Duration timeout) {
  absl::StatusOr<ContextPtr> acquired = Acquire();
  if (!acquired.ok()) return acquired.status();
  ContextPtr c = std::move(*acquired);
  timeval tv = MakeTimeval(timeout);
  redisSetTimeout(c.get(), tv);
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
      return absl::UnavailableError(absl::StrCat("redis: ", c->errstr));
    }
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c.get(), &raw) != REDIS_OK || raw == nullptr) {
      // The context is in an unknown state; dropping it forces a fresh connection.
      return absl::UnavailableError(absl::StrCat("redis: ", c->errstr[0] ? c->errstr : "no reply"));
    }
    auto* r = static_cast<redisReply*>(raw);
    replies.push_back(Copy(r));
    freeReplyObject(r);
  }
  if (timeout != options_.command_timeout) {
    timeval normal = MakeTimeval(options_.command_timeout);
    redisSetTimeout(c.get(), normal);
  }
  Release(std::move(c));
  return replies;
}

absl::StatusOr<RedisReply> RedisClient::Command(const RedisArgv& argv) {
  return BlockingCommand(argv, options_.command_timeout);
}

absl::StatusOr<RedisReply> RedisClient::BlockingCommand(const RedisArgv& argv,
                                                        absl::Duration timeout) {
  absl::StatusOr<std::vector<RedisReply>> replies = Run({argv}, timeout);
  if (!replies.ok()) return replies.status();
  RedisReply& r = replies->front();
  if (r.is_error()) return r.ToStatus();
  return std::move(r);
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<RedisArgv>& commands) {
  if (commands.empty()) return std::vector<RedisReply>();
  return Run(commands, options_.command_timeout);
}

absl::StatusOr<RedisReply> RedisClient::Eval(const std::string& script,
                                             const std::vector<std::string>& keys,
                                             const std::vector<std::string>& args) {
  std::string sha = Sha1Hex(script);
  RedisArgv argv = {"EVALSHA", sha, absl::StrCat(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<RedisReply> r = Command(argv);
  if (!r.ok() && r.status().message().find("NOSCRIPT") != absl::string_view::npos) {
    argv[0] = "EVAL";
    argv[1] = script;
    return Command(argv);
  }
  return r;
}

std::string ScriptSha(const std::string& script) { return Sha1Hex(script); }

std::string DebugString(const RedisReply& r) {
  switch (r.type) {
    case RedisReply::Type::kNil:
      return "(nil)";
    case RedisReply::Type::kInteger:
      return absl::StrCat("(integer) ", r.integer);
    case RedisReply::Type::kError:
      return "(error) " + r.str;
    case RedisReply::Type::kArray: {
      std::vector<std::string> parts;
      for (const auto& e : r.elements) parts.push_back(DebugString(e));
      return "[" + absl::StrJoin(parts, ", ") + "]";
    }
    default:
      return "\"" + r.str + "\"";
  }
}

}  // namespace bulletin
