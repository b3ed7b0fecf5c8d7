#include "library_file.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "fovea/runtime.hpp"

namespace fovea::rt {
namespace {

#if defined(__x86_64__)
constexpr uint16_t kMachine = EM_X86_64;
constexpr const char* kMachineName = "x86-64";
#elif defined(__aarch64__)
constexpr uint16_t kMachine = EM_AARCH64;
constexpr const char* kMachineName = "arm64";
#else
#error "add this machine's ELF e_machine"
#endif

bool readAt(int fd, void* out, size_t bytes, off_t at) {
  auto* p = static_cast<char*>(out);
  while (bytes > 0) {
    ssize_t n = ::pread(fd, p, bytes, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    at += n;
    bytes -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void checkLibraryFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot be opened: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw Error(path + ": is not a regular file");
  uint64_t size = static_cast<uint64_t>(st.st_size);
  std::string damaged = path + ": is damaged (truncated or overwritten): ";
  Elf64_Ehdr h{};
  if (size < SELFMAG || !readAt(fd, &h, SELFMAG, 0) || std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0) {
    throw Error(path + ": is not a shared library (not an ELF file)");
  }
  if (size < sizeof h || !readAt(fd, &h, sizeof h, 0)) throw Error(damaged + "it is too short to be a shared library");
  if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_ident[EI_DATA] != ELFDATA2LSB || h.e_machine != kMachine) {
    throw Error(path + ": is a library for another kind of machine (this runtime runs on 64-bit " + kMachineName + ")");
  }
  if (h.e_type != ET_DYN) throw Error(path + ": is not a shared library");
  if (h.e_phentsize != sizeof(Elf64_Phdr) || h.e_phoff == 0 || h.e_phoff + uint64_t{h.e_phnum} * sizeof(Elf64_Phdr) > size) {
    throw Error(damaged + "its program headers are missing");
  }
  std::vector<Elf64_Phdr> segments(h.e_phnum);
  if (!readAt(fd, segments.data(), segments.size() * sizeof(Elf64_Phdr), static_cast<off_t>(h.e_phoff))) throw Error(damaged + "cannot read it");
  for (const Elf64_Phdr& s : segments) {
    if (s.p_type != PT_NULL && (s.p_offset > size || s.p_filesz > size - s.p_offset)) {
      throw Error(damaged + "a segment reaches byte " + std::to_string(s.p_offset + s.p_filesz) + " of a file of " + std::to_string(size) + " bytes");
    }
  }
  if (h.e_shoff != 0 && h.e_shoff + uint64_t{h.e_shnum} * h.e_shentsize > size) throw Error(damaged + "its section table is cut off");
}

}  // namespace fovea::rt
