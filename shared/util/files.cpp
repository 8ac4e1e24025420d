#include "shared/util/files.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace openmps::util {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error(path.string() + ": " + what + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

std::string readFile(const std::filesystem::path& path, std::size_t maxBytes) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail(path, "cannot open");
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot read");
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > maxBytes) {
      throw std::runtime_error(path.string() + ": larger than " + std::to_string(maxBytes) +
                               " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

void writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                         unsigned mode) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode)));
  if (fd.get() < 0) fail(tmp, "cannot create");
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) fail(tmp, "cannot set mode");
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(tmp, "cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail(tmp, "cannot sync");
  if (::close(fd.release()) != 0) fail(tmp, "cannot close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail(path, "cannot replace");
  // The rename is durable only once the directory entry is on disk.
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const Fd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dirFd.get() >= 0) ::fsync(dirFd.get());
}

Secret readSecretFile(const std::filesystem::path& path, std::size_t maxBytes) {
  std::string content = readFile(path, maxBytes);
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
    content.pop_back();
  }
  if (content.empty()) throw std::runtime_error(path.string() + " is empty");
  return Secret(std::move(content));
}

}  // namespace openmps::util
