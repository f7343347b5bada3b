// Command-line flags with BULLETIN_* environment equivalents (12-factor configuration).
//
// A FlagSet binds flag names to variables owned by the caller. Parse() reads the
// environment first (`--redis-url` <- BULLETIN_REDIS_URL) and then argv, so a flag given
// on the command line wins. Values are checked when parsed; a bad one is an
// InvalidArgument naming the flag. Not thread-safe: configure once, in main.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace bulletin {

class FlagSet {
 public:
  explicit FlagSet(std::string program, std::string summary);

  void String(const std::string& name, std::string* target, const std::string& help);
  void Int(const std::string& name, int64_t* target, const std::string& help);
  void Bool(const std::string& name, bool* target, const std::string& help);
  // Accepts absl duration syntax: "30s", "5m", "1h30m", "250ms".
  void Duration(const std::string& name, absl::Duration* target, const std::string& help);

  // Parses the environment, then argv. Returns:
  //   OkStatus on success;
  //   InvalidArgument naming the flag for an unknown flag or a malformed value.
  // `--help` sets help_requested() and returns OkStatus without parsing further.
  absl::Status Parse(int argc, char** argv);
  // Parses explicit arguments and an explicit environment (for tests).
  absl::Status Parse(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env);

  // main's arguments (without the program name) and the BULLETIN_* variables of the
  // process environment: what Parse(argc, argv) reads.
  static std::vector<std::string> MainArgs(int argc, char** argv);
  static std::map<std::string, std::string> BulletinEnvironment();

  bool help_requested() const { return help_requested_; }
  // Human-readable usage: every flag, its environment variable, default and help.
  std::string Usage() const;
  // The environment variable that feeds `name`: "log-format" -> "BULLETIN_LOG_FORMAT".
  static std::string EnvName(const std::string& name);

 private:
  struct Flag {
    std::string help;
    std::string default_text;
    bool is_bool = false;
    std::function<absl::Status(const std::string&)> set;
  };
  void Add(const std::string& name, Flag flag);
  absl::Status Set(const std::string& name, const std::string& value, const std::string& source);

  std::string program_;
  std::string summary_;
  std::map<std::string, Flag> flags_;
  bool help_requested_ = false;
};

}  // namespace bulletin
