#include "common/base/flags.h"

#include <cstdlib>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace bulletin {

FlagSet::FlagSet(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void FlagSet::Add(const std::string& name, Flag flag) { flags_[name] = std::move(flag); }

void FlagSet::String(const std::string& name, std::string* target, const std::string& help) {
  Add(name, {help, *target, false, [target](const std::string& v) {
               *target = v;
               return absl::OkStatus();
             }});
}

void FlagSet::Int(const std::string& name, int64_t* target, const std::string& help) {
  Add(name, {help, absl::StrCat(*target), false, [target, name](const std::string& v) {
               int64_t parsed;
               if (!absl::SimpleAtoi(v, &parsed)) {
                 return absl::InvalidArgumentError(
                     absl::StrCat("--", name, ": not an integer: \"", v, "\""));
               }
               *target = parsed;
               return absl::OkStatus();
             }});
}

void FlagSet::Bool(const std::string& name, bool* target, const std::string& help) {
  Add(name, {help, *target ? "true" : "false", true, [target, name](const std::string& v) {
               std::string s = absl::AsciiStrToLower(v);
               if (s == "" || s == "1" || s == "true" || s == "yes" || s == "on") {
                 *target = true;
               } else if (s == "0" || s == "false" || s == "no" || s == "off") {
                 *target = false;
               } else {
                 return absl::InvalidArgumentError(
                     absl::StrCat("--", name, ": not a boolean: \"", v, "\""));
               }
               return absl::OkStatus();
             }});
}

void FlagSet::Duration(const std::string& name, absl::Duration* target, const std::string& help) {
  Add(name, {help, absl::FormatDuration(*target), false, [target, name](const std::string& v) {
               absl::Duration d;
               if (!absl::ParseDuration(v, &d) || d < absl::ZeroDuration()) {
                 return absl::InvalidArgumentError(absl::StrCat(
                     "--", name, ": not a duration (e.g. 30s, 5m, 250ms): \"", v, "\""));
               }
               *target = d;
               return absl::OkStatus();
             }});
}

std::string FlagSet::EnvName(const std::string& name) {
  return "BULLETIN_" + absl::AsciiStrToUpper(absl::StrReplaceAll(name, {{"-", "_"}}));
}

absl::Status FlagSet::Set(const std::string& name, const std::string& value,
                          const std::string& source) {
  auto it = flags_.find(name);
  if (it == flags_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown flag --", name, " (from ", source, "); see --help"));
  }
  return it->second.set(value);
}

std::vector<std::string> FlagSet::MainArgs(int argc, char** argv) {
  return std::vector<std::string>(argv + 1, argv + argc);
}

std::map<std::string, std::string> FlagSet::BulletinEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos && kv.rfind("BULLETIN_", 0) == 0) {
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  return env;
}

absl::Status FlagSet::Parse(int argc, char** argv) {
  return Parse(MainArgs(argc, argv), BulletinEnvironment());
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env) {
  for (const auto& [name, flag] : flags_) {
    auto it = env.find(EnvName(name));
    if (it != env.end()) {
      if (absl::Status s = flag.set(it->second); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(it->first, ": ", s.message()));
      }
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      return absl::OkStatus();
    }
    if (arg.rfind("--", 0) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", arg, "\""));
    }
    std::string body = arg.substr(2);
    size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, "; see --help"));
    }
    std::string value;
    if (eq != std::string::npos) {
      value = body.substr(eq + 1);
    } else if (it->second.is_bool) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
    }
    if (absl::Status s = it->second.set(value); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

std::string FlagSet::Usage() const {
  std::ostringstream out;
  out << "Usage: " << program_ << " [--flag=value ...]\n" << summary_ << "\n\nFlags:\n";
  for (const auto& [name, flag] : flags_) {
    out << "  --" << name << " (env " << EnvName(name) << ", default \"" << flag.default_text
        << "\")\n      " << flag.help << "\n";
  }
  return out.str();
}

}  // namespace bulletin
