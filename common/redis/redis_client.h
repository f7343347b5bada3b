// The one wrapper around hiredis: a pool of connections, argv commands, owned replies.
//
// Contract (STYLE.md): commands are argv vectors (never printf-formatted user data);
// replies are copied into RedisReply values, so no hiredis memory escapes; a context is
// used by one thread at a time; any connection error (c->err) discards that context and
// returns UNAVAILABLE, and the next call connects afresh, which is how the client
// survives a Redis restart; an idle connection the server closed is dropped before use.
// RedisClient is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;

namespace bulletin {

struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // The error reply as a Status: UNAVAILABLE for LOADING/BUSY/OOM/TRYAGAIN/CLUSTERDOWN/
  // MASTERDOWN (the caller may retry), INTERNAL otherwise. OK for a non-error reply.
  absl::Status ToStatus() const;
};

using RedisArgv = std::vector<std::string>;

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  absl::Duration connect_timeout = absl::Seconds(1);
  absl::Duration command_timeout = absl::Seconds(2);
  // Idle connections kept for reuse; more are opened under load and closed after.
  int max_idle = 16;
};

// Parses "redis://HOST:PORT[/DB]". InvalidArgument naming --redis when malformed.
absl::StatusOr<RedisOptions> ParseRedisUrl(absl::string_view url);

class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command. Returns the reply; an error reply becomes its ToStatus(); a
  // connection failure or timeout is UNAVAILABLE.
  absl::StatusOr<RedisReply> Command(const RedisArgv& argv);

  // Like Command, with a read timeout for blocking commands (XREAD BLOCK, ...). Use a
  // timeout longer than the BLOCK argument.
  absl::StatusOr<RedisReply> BlockingCommand(const RedisArgv& argv, absl::Duration timeout);

  // Sends all commands in one round trip. Error replies stay in place (is_error()), so
  // the caller sees which command failed; a connection failure is UNAVAILABLE for all.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<RedisArgv>& commands);

  // Runs a Lua script by SHA (EVALSHA), loading it on NOSCRIPT (e.g. after a restart).
  absl::StatusOr<RedisReply> Eval(const std::string& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

  const RedisOptions& options() const { return options_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

  absl::StatusOr<ContextPtr> Acquire();
  void Release(ContextPtr c);
  absl::StatusOr<std::vector<RedisReply>> Run(const std::vector<RedisArgv>& commands,
                                              absl::Duration timeout);

  const RedisOptions options_;
  absl::Mutex mu_;
  std::vector<ContextPtr> idle_ ABSL_GUARDED_BY(mu_);
};

// The SHA-1 of a Lua script, hex: the name EVALSHA and SCRIPT LOAD use for it.
std::string ScriptSha(const std::string& script);

// The text of a reply for logs and test messages.
std::string DebugString(const RedisReply& reply);

}  // namespace bulletin
