#include "common/testing/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace bulletin::testing {
namespace {

constexpr char kDefaultBin[] = "/usr/lib/postgresql/15/bin";

// Who runs initdb and postgres: this process's user, or `postgres` when this is root.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

absl::StatusOr<RunAs> TargetUser() {
  RunAs as;
  if (geteuid() != 0) return as;
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    return absl::FailedPreconditionError(
        "running as root, and there is no `postgres` user to run initdb and postgres as "
        "(it comes with Debian's postgresql-15 package; scripts/test installs it)");
  }
  as.drop = true;
  as.uid = pw->pw_uid;
  as.gid = pw->pw_gid;
  return as;
}

// Starts `path` with `args` as `as`, stdout and stderr appended to `log`. -1 on failure.
pid_t Spawn(const std::string& path, const std::vector<std::string>& args, const RunAs& as,
            const std::string& log) {
  std::vector<std::string> argv_s = {path};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // Child: only async-signal-safe calls from here to exec.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  const int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  if (as.drop && (setgroups(0, nullptr) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0)) {
    _exit(126);
  }
  // A test that crashes leaves no server behind (set after setuid, which clears it).
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  execv(path.c_str(), argv.data());
  _exit(127);
}

// Waits for `pid` up to `timeout`; the wait status, or -1 while it still runs.
int WaitFor(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    if (absl::Now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ConnInfo(int port, const std::string& database) {
  return absl::StrCat("host=127.0.0.1 port=", port, " user=", PostgresServer::kUser,
                      " dbname=", database, " connect_timeout=2");
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  const char* bin = std::getenv("BULLETIN_POSTGRES_BIN");
  server->bin_ = bin != nullptr ? bin : kDefaultBin;
  for (const char* program : {"initdb", "postgres"}) {
    const std::string path = absl::StrCat(server->bin_, "/", program);
    if (access(path.c_str(), X_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "PostgreSQL 15 is not installed: ", path,
          " is missing (Debian package postgresql-15; scripts/test installs it, or set "
          "BULLETIN_POSTGRES_BIN to the directory holding initdb and postgres)"));
    }
  }
  const std::string& dir = server->dir_.path();
  if (dir.empty()) return absl::InternalError("cannot create a temporary directory");
  absl::StatusOr<RunAs> as = TargetUser();
  if (!as.ok()) return as.status();
  if (as->drop && chown(dir.c_str(), as->uid, as->gid) != 0) {
    return absl::InternalError(absl::StrCat("cannot give ", dir, " to the postgres user"));
  }
  const std::string log = dir + "/initdb.log";
  const pid_t initdb = Spawn(absl::StrCat(server->bin_, "/initdb"),
                             {"-D", dir + "/data", "-U", kUser, "--auth=trust", "-E", "UTF8",
                              "--locale=C", "--no-sync", "--no-instructions"},
                             *as, log);
  if (initdb < 0) return absl::InternalError("fork failed");
  const int status = WaitFor(initdb, absl::Seconds(120));
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (status == -1) {
      kill(initdb, SIGKILL);
      waitpid(initdb, nullptr, 0);
    }
    return absl::UnavailableError(absl::StrCat("initdb failed; see ", log));
  }
  // A port taken between FreePort() and the server's bind: try another one.
  absl::Status launched;
  for (int attempt = 0; attempt < 3; ++attempt) {
    server->port_ = FreePort();
    launched = server->Launch();
    if (launched.ok()) return server;
  }
  return launched;
}

PostgresServer::~PostgresServer() { Stop(); }

std::string PostgresServer::Uri(const std::string& database) const {
  return absl::StrCat("postgres://", kUser, "@127.0.0.1:", port_, "/", database);
}

absl::Status PostgresServer::Launch() {
  absl::StatusOr<RunAs> as = TargetUser();
  if (!as.ok()) return as.status();
  const std::string& dir = dir_.path();
  pid_ = Spawn(absl::StrCat(bin_, "/postgres"),
               {"-D", dir + "/data", "-p", absl::StrCat(port_), "-k", dir, "-c",
                "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=200"},
               *as, log_path());
  if (pid_ < 0) return absl::InternalError("fork failed");
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  const std::string conninfo = ConnInfo(port_, "postgres");
  while (absl::Now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat("postgres exited at start (port ", port_, "); see ", log_path()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Stop();
  return absl::UnavailableError(absl::StrCat("postgres did not accept connections on port ", port_,
                                             " within 30 s; see ", log_path()));
}

void PostgresServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGINT);
  if (WaitFor(pid_, absl::Seconds(10)) == -1) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

absl::Status PostgresServer::Restart() {
  Stop();
  return Launch();
}

absl::StatusOr<std::string> PostgresServer::CreateDatabase(const std::string& name) {
  if (name.empty() ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("bad database name \"", name, "\""));
  }
  PGconn* conn = PQconnectdb(ConnInfo(port_, "postgres").c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, absl::StrCat("CREATE DATABASE ", name).c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty()) {
    return absl::UnavailableError(absl::StrCat("CREATE DATABASE ", name, ": ", error));
  }
  return Uri(name);
}

}  // namespace bulletin::testing
