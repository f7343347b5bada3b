// The one wrapper around hiredis: pools of connections, argv commands, owned replies, to
// one Redis node (redis://) or to a Redis Cluster (redis-cluster://), the same interface
// for both, so services do not know which they run on.
//
// Contract (STYLE.md): commands are argv vectors (never printf-formatted user data);
// replies are copied into RedisReply values, so no hiredis memory escapes; a context is
// used by one thread at a time; any connection error (c->err) discards that context and
// returns UNAVAILABLE, and the next call connects afresh, which is how the client
// survives a Redis restart; an idle connection the server closed is dropped before use.
// On a cluster every command goes to the master of its keys' slot (redis_cluster.h); a
// command whose keys span slots is answered CROSSSLOT without being sent. RedisClient is
// thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bulletin {

class RedisNodePool;
class RedisCluster;

struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // The error reply as a Status: UNAVAILABLE for LOADING/BUSY/OOM/TRYAGAIN/CLUSTERDOWN/
  // MASTERDOWN/READONLY (the caller may retry), INTERNAL otherwise; the message is
  // "redis: CODE ..." with only Redis' error code (the full text is logged, not returned,
  // since a status can reach a client). OK for a non-error reply.
  absl::Status ToStatus() const;
};

using RedisArgv = std::vector<std::string>;

struct RedisEndpoint {
  std::string host;
  int port = 6379;
};

struct RedisOptions {
  std::string host = "127.0.0.1";  // one node (cluster == false)
  int port = 6379;
  int db = 0;
  // Redis ACL: AUTH user password (user empty: AUTH password) on every new connection.
  std::string user;
  std::string password;
  // A Redis Cluster, found through `seeds` (any of its nodes); database 0 only.
  bool cluster = false;
  std::vector<RedisEndpoint> seeds;
  // How long a cluster command is resent after MOVED, TRYAGAIN, CLUSTERDOWN or a node
  // that refuses connections (a failover): beyond it, the last answer stands.
  absl::Duration cluster_retry = absl::Seconds(4);
  absl::Duration connect_timeout = absl::Seconds(1);
  absl::Duration command_timeout = absl::Seconds(2);
  // Idle connections kept for reuse; more are opened under load and closed after.
  int max_idle = 16;
};

// Parses "redis://[USER:PASSWORD@]HOST:PORT[/DB]" or
// "redis-cluster://[USER:PASSWORD@]HOST:PORT[,HOST:PORT...]" (seed nodes). InvalidArgument
// naming --redis when malformed (the password is never quoted back).
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

  // Runs a command without keys (INFO, WAIT, ...) where `key` lives: on a cluster, on the
  // master of key's slot (e.g. INFO replication of the node holding the event stream); on
  // one node, the same as Command.
  absl::StatusOr<RedisReply> CommandWhere(const std::string& key, const RedisArgv& argv);

  // Runs a Lua script by SHA (EVALSHA), loading it on NOSCRIPT (e.g. after a restart).
  absl::StatusOr<RedisReply> Eval(const std::string& script, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args);

  const RedisOptions& options() const { return options_; }
  bool cluster() const { return options_.cluster; }

 private:
  absl::StatusOr<std::vector<RedisReply>> Run(const std::vector<RedisArgv>& commands,
                                              absl::Duration timeout, int keyless_slot = -1);

  const RedisOptions options_;
  std::unique_ptr<RedisNodePool> node_;    // one node
  std::unique_ptr<RedisCluster> cluster_;  // or a cluster
};

// The SHA-1 of a Lua script, hex: the name EVALSHA and SCRIPT LOAD use for it.
std::string ScriptSha(const std::string& script);

// The text of a reply for logs and test messages.
std::string DebugString(const RedisReply& reply);

}  // namespace bulletin
