// MediaFiles: the files under --media-dir served at /media/... (cover images and pictures
// in article bodies, which content stores as site-relative URLs such as
// /media/2018/02/cover.jpg). Only plain names ([A-Za-z0-9._-], not starting with '.') of
// known image types are served; every directory below the root is opened with O_NOFOLLOW
// from the root's descriptor, so neither "..", nor a symlink, nor a path checked and then
// swapped can reach a file outside the root. Files are read per request (the OS page cache
// keeps them); validators come from size and mtime. Thread-safe (immutable after Open).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bulletin::web {

struct MediaFile {
  std::string content_type;
  std::string body;
  std::string etag;  // quoted, from size and modification time
  absl::Time last_modified;
};

class MediaFiles {
 public:
  static constexpr size_t kMaxFileBytes = 16 << 20;
  static constexpr size_t kMaxSegments = 8;

  // The directory `root` (must exist). InvalidArgument naming --media-dir otherwise.
  static absl::StatusOr<std::unique_ptr<MediaFiles>> Open(const std::string& root);
  ~MediaFiles();
  MediaFiles(const MediaFiles&) = delete;
  MediaFiles& operator=(const MediaFiles&) = delete;

  // The file at root/segments[0]/.../segments[n-1]. NotFound for a name that is not allowed,
  // an unknown type, a missing file, a symlink or a non-regular file; ResourceExhausted
  // past kMaxFileBytes.
  absl::StatusOr<MediaFile> Read(const std::vector<std::string>& segments) const;

  // The Content-Type served for a file name by its extension ("" when not served).
  static std::string ContentTypeOf(const std::string& name);

 private:
  explicit MediaFiles(int root_fd) : root_fd_(root_fd) {}
  const int root_fd_;
};

}  // namespace bulletin::web
