#include "support/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace fovea {
namespace fs = std::filesystem;

bool readTextFile(const std::string& path, std::string& contents, std::string& error, uint64_t limit, const char* kind) {
  // Opened without blocking and checked before reading: a named pipe would wait for a writer
  // forever, and /dev/zero never ends.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = errno == ENOENT ? "no such file" : std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (S_ISDIR(st.st_mode)) error = "is a directory";
  else if (!S_ISREG(st.st_mode)) error = "is not a regular file (a pipe, a socket or a device)";
  else if (static_cast<uint64_t>(st.st_size) > limit) {
    error = fmt::format("is {:.1f} MB, more than the {} MB {} may have", static_cast<double>(st.st_size) / 1e6, limit >> 20, kind);
  }
  if (!error.empty()) {
    ::close(fd);
    return false;
  }
  contents.clear();
  contents.reserve(static_cast<size_t>(st.st_size));
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
    if (contents.size() > limit) {  // the file grew while being read
      error = fmt::format("is more than the {} MB {} may have", limit >> 20, kind);
      ::close(fd);
      return false;
    }
  }
  ::close(fd);
  return true;
}

bool writeAtomically(const std::string& path, const std::function<bool(const std::string&)>& write, std::string& error) {
  static std::atomic<int> counter{0};
  fs::path target(path);
  // The temporary keeps the extension: writers that pick a format by it (OpenCV) still work.
  fs::path tmp = target.parent_path() / fmt::format(".tmp-{}-{}-{}", ::getpid(), counter++, target.filename().string());
  bool ok = false;
  try {
    ok = write(tmp.string());
  } catch (const std::exception& e) {
    error = e.what();
    ok = false;
  }
  std::error_code ec;
  if (!ok) {
    fs::remove(tmp, ec);
    if (error.empty()) error = "could not be written";
    return false;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    error = ec.message();
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

bool writeFileAtomically(const std::string& path, const std::string& contents, std::string& error) {
  return writeAtomically(path, [&](const std::string& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) {
      error = std::strerror(errno);
      return false;
    }
    bool ok = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
    int savedErrno = errno;
    // A full disk shows up when the last buffer is flushed.
    if (std::fclose(f) != 0 && ok) {
      ok = false;
      savedErrno = errno;
    }
    if (!ok) error = savedErrno ? std::strerror(savedErrno) : "write failed";
    return ok;
  }, error);
}

std::string whyNotWritableDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return "does not exist";
  if (!fs::is_directory(dir, ec)) return "is not a directory";
  fs::path probe = fs::path(dir) / fmt::format(".fovea-probe-{}", ::getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fmt::format("does not accept new files ({})", std::strerror(errno));
  ::close(fd);
  fs::remove(probe, ec);
  return "";
}

}  // namespace fovea
