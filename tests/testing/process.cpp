#include "testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

extern char** environ;

namespace fovea::test {

ProcessOutcome runProcess(const std::vector<std::string>& argv, double limitSeconds, const std::string& workingDir) {
  ProcessOutcome out;
  std::FILE* capture = std::tmpfile();
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fileno(capture), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fileno(capture), STDERR_FILENO);
  std::string previous;
  if (!workingDir.empty()) {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd)) previous = cwd;
    if (::chdir(workingDir.c_str()) != 0) previous.clear();
  }
  pid_t pid = -1;
  auto start = std::chrono::steady_clock::now();
  int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  if (!previous.empty() && ::chdir(previous.c_str()) != 0) {
    // stays where it is; the caller's paths are absolute
  }
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    out.output = std::string("cannot start ") + argv[0] + ": " + std::strerror(spawned);
    std::fclose(capture);
    return out;
  }
  int status = 0;
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > limitSeconds) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      out.timedOut = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(elapsed < 1 ? 2 : 20));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) out.status = WEXITSTATUS(status);
  if (WIFSIGNALED(status) && !out.timedOut) out.signal = WTERMSIG(status);
  std::rewind(capture);
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, capture)) out.output.append(buffer, n);
  std::fclose(capture);
  return out;
}

}  // namespace fovea::test
