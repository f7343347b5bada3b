// Test helpers for real processes: free loopback ports, child processes stopped by PID,
// and polling with a deadline instead of fixed sleeps.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace bulletin::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read, close).
int FreePort();

// Polls `done` every few milliseconds until it returns true or `timeout` passes.
bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout);

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A child process started with fork/exec, stopped by its PID. The destructor kills it
// (SIGKILL) if it is still running, so a failing test leaves nothing behind.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `path` with `args`; `env` entries are added to the current environment.
  // stdout and stderr go to `log_path` when given (appended).
  absl::Status Start(const std::string& path, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {},
                     const std::string& log_path = "");
  // Sends `sig` and waits up to `timeout` for the exit; SIGKILL after that.
  // Returns the exit status as from waitpid.
  int Stop(int sig, absl::Duration timeout = absl::Seconds(10));
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// The directory holding this project's binaries (bulletin-content, ...): $BULLETIN_BIN_DIR,
// else the directory of the running test binary.
std::string BinDir();

}  // namespace bulletin::testing
