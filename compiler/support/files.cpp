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

Result<std::string> readTextFile(const std::string& path, uint64_t limit, const char* kind) {
  // Opened without blocking and checked before reading: a named pipe would wait for a writer
  // forever, and /dev/zero never ends.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Failure::input(errno == ENOENT ? "no such file" : std::strerror(errno));
  auto fail = [fd](std::string why) {
    ::close(fd);
    return Failure::input(std::move(why));
  };
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail("is a directory");
  if (!S_ISREG(st.st_mode)) return fail("is not a regular file (a pipe, a socket or a device)");
  if (static_cast<uint64_t>(st.st_size) > limit) {
    return fail(fmt::format("is {:.1f} MB, more than the {} MB {} may have", static_cast<double>(st.st_size) / 1e6, limit >> 20, kind));
  }
  std::string contents;
  contents.reserve(static_cast<size_t>(st.st_size));
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(std::strerror(errno));
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
    if (contents.size() > limit) return fail(fmt::format("is more than the {} MB {} may have", limit >> 20, kind));  // it grew while read
  }
  ::close(fd);
  return contents;
}

Status writeAtomically(const std::string& path, const std::function<Status(const std::string& tmp)>& write) {
  static std::atomic<int> counter{0};
  fs::path target(path);
  // The temporary keeps the extension: writers that pick a format by it (OpenCV) still work.
  fs::path tmp = target.parent_path() / fmt::format(".tmp-{}-{}-{}", ::getpid(), counter++, target.filename().string());
  Status written = Failure::compile("could not be written");
  try {
    written = write(tmp.string());
  } catch (const std::exception& e) {
    written = Failure::compile(e.what());
  }
  std::error_code ec;
  if (!written) {
    fs::remove(tmp, ec);
    return written;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Failure::compile(ec.message());
  }
  return ok();
}

Status writeFileAtomically(const std::string& path, const std::string& contents) {
  return writeAtomically(path, [&](const std::string& tmp) -> Status {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) return Failure::compile(std::strerror(errno));
    bool written = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
    int savedErrno = errno;
    // A full disk shows up when the last buffer is flushed.
    if (std::fclose(f) != 0 && written) {
      written = false;
      savedErrno = errno;
    }
    if (!written) return Failure::compile(savedErrno ? std::strerror(savedErrno) : "write failed");
    return ok();
  });
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
