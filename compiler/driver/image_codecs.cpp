// PNG, JPEG and TIFF through their reference libraries, with every warning turned into an error
// (a decoder that warns has filled something in: a short file, a damaged segment) except the few
// that say nothing about the pixels (libpng doubting a color profile, libtiff meeting a private tag).
#include "driver/image_codecs.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

// clang-format off
#include <png.h>
#include <jpeglib.h>
#include <tiffio.h>
// clang-format on

#include <fmt/format.h>

namespace fovea::driver::codecs {

std::string tooLarge(uint64_t width, uint64_t height, uint64_t channels, uint64_t bytesPerSample, uint64_t maxBytes) {
  if (width == 0 || height == 0) return "its header gives it zero width or height";
  double bytes = static_cast<double>(width) * static_cast<double>(height) * static_cast<double>(channels) * static_cast<double>(bytesPerSample);
  if (bytes <= static_cast<double>(maxBytes)) return "";
  return fmt::format("its header claims {} x {} pixels ({:.1f} GB decoded), more than the {:.1f} GB an input image may take", width, height,
                     bytes / 1e9, static_cast<double>(maxBytes) / 1e9);
}

// ---- PNG ------------------------------------------------------------------------------------

namespace {

struct PngSource {
  const std::string* bytes = nullptr;
  size_t at = 0;
  std::string problem;  ///< the first error or meaningful warning
};

void pngError(png_structp png, png_const_charp message) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  if (src->problem.empty()) src->problem = message;
  std::longjmp(png_jmpbuf(png), 1);
}

void pngWarning(png_structp png, png_const_charp message) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  // Doubts about color-management chunks (a well-known one: "iCCP: known incorrect sRGB profile")
  // leave the pixels as they are; a CRC failure in such a chunk is an error (set_crc_action below).
  for (const char* benign : {"iCCP:", "sRGB:", "cHRM:", "gAMA:"}) {
    if (std::strncmp(message, benign, std::strlen(benign)) == 0) return;
  }
  if (src->problem.empty()) src->problem = message;
}

void pngRead(png_structp png, png_bytep data, size_t length) {
  auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > src->bytes->size() - src->at) png_error(png, "the file ends before the image does (truncated)");
  std::memcpy(data, src->bytes->data() + src->at, length);
  src->at += length;
}

/// The part of decodePng that may be left by longjmp: only C objects and what the caller owns.
bool readPng(png_structp png, png_infop info, PngSource& src, uint64_t maxBytes, cv::Mat& out, std::vector<png_bytep>& rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, &src, pngRead);
  png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int depth = 0, color = 0;
  png_get_IHDR(png, info, &width, &height, &depth, &color, nullptr, nullptr, nullptr);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);  // gray + alpha is given as RGBA
  if (depth == 16) png_set_swap(png);                               // PNG is big-endian
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  int channels = png_get_channels(png, info);
  int bytes = png_get_bit_depth(png, info) == 16 ? 2 : 1;
  if (std::string why = tooLarge(width, height, static_cast<uint64_t>(channels), static_cast<uint64_t>(bytes), maxBytes); !why.empty()) {
    src.problem = why;
    return false;
  }
  out.create(static_cast<int>(height), static_cast<int>(width), CV_MAKETYPE(bytes == 2 ? CV_16U : CV_8U, channels));
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = out.ptr<png_byte>(static_cast<int>(y));
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);  // the chunks after the pixels, up to IEND, checksums included
  return true;
}

}  // namespace

bool decodePng(const std::string& bytes, uint64_t maxBytes, cv::Mat& out, std::string& error) {
  PngSource src;
  src.bytes = &bytes;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, pngError, pngWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_read_struct(png ? &png : nullptr, nullptr, nullptr);
    error = "libpng could not start";
    return false;
  }
  std::vector<png_bytep> rows;
  bool ok = readPng(png, info, src, maxBytes, out, rows);
  png_destroy_read_struct(&png, &info, nullptr);
  if (ok && src.problem.empty()) return true;
  error = "damaged PNG: " + (src.problem.empty() ? std::string("unknown error") : src.problem);
  if (src.problem.rfind("its header", 0) == 0) error = src.problem;
  out.release();
  return false;
}

// ---- JPEG -----------------------------------------------------------------------------------

namespace {

struct JpegErrors {
  jpeg_error_mgr mgr;  // first: libjpeg sees a jpeg_error_mgr*
  std::jmp_buf jump;
  std::string problem;
};

void jpegError(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  if (e->problem.empty()) e->problem = text;
  std::longjmp(e->jump, 1);
}

/// Level -1 is a warning: corrupt data that libjpeg skipped or filled in. Other levels are traces.
void jpegMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  auto* e = reinterpret_cast<JpegErrors*>(cinfo->err);
  if (!e->problem.empty()) return;
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  e->problem = text;
}

void jpegSilent(j_common_ptr) {}

bool readJpeg(jpeg_decompress_struct& cinfo, JpegErrors& errors, const std::string& bytes, uint64_t maxBytes, cv::Mat& out) {
  if (setjmp(errors.jump)) return false;
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    errors.problem = "CMYK JPEGs are not supported: convert it to RGB";
    return false;
  }
  cinfo.out_color_space = cinfo.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
  int channels = cinfo.out_color_space == JCS_GRAYSCALE ? 1 : 3;
  if (std::string why = tooLarge(cinfo.image_width, cinfo.image_height, static_cast<uint64_t>(channels), 1, maxBytes); !why.empty()) {
    errors.problem = why;
    return false;
  }
  jpeg_start_decompress(&cinfo);
  out.create(static_cast<int>(cinfo.output_height), static_cast<int>(cinfo.output_width), CV_MAKETYPE(CV_8U, static_cast<int>(cinfo.output_components)));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.ptr<JSAMPLE>(static_cast<int>(cinfo.output_scanline));
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
      errors.problem = "the data ends before the last row";
      return false;
    }
  }
  jpeg_finish_decompress(&cinfo);
  return true;
}

}  // namespace

bool decodeJpeg(const std::string& bytes, uint64_t maxBytes, cv::Mat& out, std::string& error) {
  jpeg_decompress_struct cinfo{};
  JpegErrors errors{};
  cinfo.err = jpeg_std_error(&errors.mgr);
  errors.mgr.error_exit = jpegError;
  errors.mgr.emit_message = jpegMessage;
  errors.mgr.output_message = jpegSilent;
  bool ok = readJpeg(cinfo, errors, bytes, maxBytes, out);
  jpeg_destroy_decompress(&cinfo);
  if (ok && errors.problem.empty()) return true;
  error = errors.problem.rfind("its header", 0) == 0 || errors.problem.rfind("CMYK", 0) == 0 ? errors.problem : "damaged JPEG: " + errors.problem;
  out.release();
  return false;
}

// ---- TIFF -----------------------------------------------------------------------------------

namespace {

struct TiffSource {
  const std::string* bytes = nullptr;
  toff_t at = 0;
  std::string problem;
};

tsize_t tiffRead(thandle_t h, tdata_t buf, tsize_t size) {
  auto* src = static_cast<TiffSource*>(h);
  toff_t left = src->at < src->bytes->size() ? src->bytes->size() - src->at : 0;
  tsize_t n = static_cast<tsize_t>(std::min<toff_t>(left, static_cast<toff_t>(size)));
  std::memcpy(buf, src->bytes->data() + src->at, static_cast<size_t>(n));
  src->at += static_cast<toff_t>(n);
  return n;
}
tsize_t tiffWrite(thandle_t, tdata_t, tsize_t) { return -1; }
toff_t tiffSeek(thandle_t h, toff_t offset, int whence) {
  auto* src = static_cast<TiffSource*>(h);
  if (whence == SEEK_SET) src->at = offset;
  else if (whence == SEEK_CUR) src->at += offset;
  else if (whence == SEEK_END) src->at = src->bytes->size() + offset;
  return src->at;
}
int tiffClose(thandle_t) { return 0; }
toff_t tiffSize(thandle_t h) { return static_cast<TiffSource*>(h)->bytes->size(); }
int tiffMap(thandle_t, tdata_t*, toff_t*) { return 0; }
void tiffUnmap(thandle_t, tdata_t, toff_t) {}

void recordTiffProblem(void* user, const char* module, const char* text) {
  auto* src = static_cast<TiffSource*>(user);
  if (src->problem.empty()) src->problem = module && *module ? fmt::format("{}: {}", module, text) : text;
}

int tiffError(TIFF*, void* user, const char* module, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  recordTiffProblem(user, module, text);
  return 1;  // handled: libtiff's global handlers (which print) are not called
}

int tiffWarning(TIFF*, void* user, const char* module, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  // Private tags of cameras and editors are common and say nothing about the pixels.
  if (!std::strstr(text, "nknown field with tag") && !std::strstr(text, "unknown tag")) recordTiffProblem(user, module, text);
  return 1;
}

/// The first image directory must be whole, up to its pointer to the next one: libtiff reads a
/// directory cut inside that pointer without a word (all tags present, "no next directory").
std::string tiffDirectoryProblem(const std::string& b) {
  if (b.size() < 8) return "the file ends inside its header (truncated)";
  bool little = b[0] == 'I';
  auto get = [&](uint64_t at, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) {
      uint64_t byte = static_cast<unsigned char>(b[at + (little ? i : n - 1 - i)]);
      v |= byte << (8 * i);
    }
    return v;
  };
  bool big = get(2, 2) == 43;  // BigTIFF: 8-byte offsets and counts, 20-byte entries
  if (big && b.size() < 16) return "the file ends inside its header (truncated)";
  uint64_t dir = big ? get(8, 8) : get(4, 4);
  uint64_t countBytes = big ? 8 : 2, entryBytes = big ? 20 : 12, nextBytes = big ? 8 : 4;
  if (dir > b.size() || b.size() - dir < countBytes) return fmt::format("its first directory is at byte {}, but the file has {} bytes (truncated?)", dir, b.size());
  uint64_t entries = get(dir, static_cast<int>(countBytes));
  if (entries > (b.size() - dir - countBytes) / entryBytes || b.size() - dir - countBytes - entries * entryBytes < nextBytes) {
    return fmt::format("the file ends inside its first directory ({} entries at byte {}; the file has {} bytes; truncated?)", entries, dir, b.size());
  }
  return "";
}

}  // namespace

bool decodeTiff(const std::string& bytes, uint64_t maxBytes, cv::Mat& out, std::string& error) {
  if (std::string why = tiffDirectoryProblem(bytes); !why.empty()) return error = "damaged TIFF: " + why, false;
  TiffSource src;
  src.bytes = &bytes;
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, tiffError, &src);
  TIFFOpenOptionsSetWarningHandlerExtR(options, tiffWarning, &src);
  TIFFOpenOptionsSetMaxSingleMemAlloc(options, static_cast<tmsize_t>(std::min<uint64_t>(maxBytes, INT64_MAX)));
  TIFF* tif = TIFFClientOpenExt("image", "rm", &src, tiffRead, tiffWrite, tiffSeek, tiffClose, tiffSize, tiffMap, tiffUnmap, options);
  TIFFOpenOptionsFree(options);
  auto fail = [&](const std::string& why) {
    if (tif) TIFFClose(tif);
    out.release();
    error = why;
    return false;
  };
  if (!tif) return fail("damaged TIFF: " + (src.problem.empty() ? std::string("cannot read its header") : src.problem));
  uint32_t width = 0, height = 0;
  uint16_t spp = 1, bps = 1, format = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG, photometric = 0, compression = COMPRESSION_NONE;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric)) return fail("damaged TIFF: it does not say how its samples are colors (no Photometric tag)");
  if (!src.problem.empty()) return fail("damaged TIFF: " + src.problem);
  int depth = bps == 8 && format == SAMPLEFORMAT_UINT ? CV_8U : bps == 16 && format == SAMPLEFORMAT_UINT ? CV_16U
            : bps == 32 && format == SAMPLEFORMAT_IEEEFP ? CV_32F : -1;
  if (depth < 0) {
    const char* kind = format == SAMPLEFORMAT_IEEEFP ? "float" : format == SAMPLEFORMAT_INT ? "signed" : "unsigned";
    return fail(fmt::format("TIFFs of {}-bit {} samples are not supported (8- and 16-bit unsigned and 32-bit float are)", bps, kind));
  }
  if (photometric == PHOTOMETRIC_YCBCR && compression == COMPRESSION_JPEG) {
    TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    photometric = PHOTOMETRIC_RGB;
  }
  bool gray = photometric == PHOTOMETRIC_MINISBLACK && spp == 1;
  bool color = photometric == PHOTOMETRIC_RGB && (spp == 3 || spp == 4);
  if (!gray && !color) {
    return fail(fmt::format("TIFFs with photometric interpretation {} and {} samples per pixel are not supported (gray, RGB and RGBA are)",
                            photometric, spp));
  }
  size_t sampleBytes = static_cast<size_t>(bps / 8);
  if (std::string why = tooLarge(width, height, spp, sampleBytes, maxBytes); !why.empty()) return fail(why);
  out.create(static_cast<int>(height), static_cast<int>(width), CV_MAKETYPE(depth, spp));
  int planes = planar == PLANARCONFIG_SEPARATE ? spp : 1;
  size_t samplesPerBlockPixel = planar == PLANARCONFIG_SEPARATE ? 1 : spp;
  // Copies a decoded block (a strip or a tile of `bw` x `bh` pixels at x0, y0) into the image.
  auto place = [&](const uint8_t* block, uint32_t x0, uint32_t y0, uint32_t bw, uint32_t bh, int plane) {
    for (uint32_t y = y0; y < std::min(height, y0 + bh); ++y) {
      const uint8_t* row = block + static_cast<size_t>(y - y0) * bw * samplesPerBlockPixel * sampleBytes;
      uint8_t* dst = out.ptr<uint8_t>(static_cast<int>(y));
      for (uint32_t x = x0; x < std::min(width, x0 + bw); ++x) {
        const uint8_t* px = row + static_cast<size_t>(x - x0) * samplesPerBlockPixel * sampleBytes;
        if (planes == 1) {
          std::memcpy(dst + static_cast<size_t>(x) * spp * sampleBytes, px, spp * sampleBytes);
        } else {
          std::memcpy(dst + (static_cast<size_t>(x) * spp + static_cast<size_t>(plane)) * sampleBytes, px, sampleBytes);
        }
      }
    }
  };
  if (TIFFIsTiled(tif)) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    tmsize_t tileBytes = TIFFTileSize(tif);
    if (tw == 0 || th == 0 || tileBytes <= 0) return fail("damaged TIFF: its tiles have no size");
    std::vector<uint8_t> buffer(static_cast<size_t>(tileBytes));
    for (int plane = 0; plane < planes; ++plane) {
      for (uint32_t y = 0; y < height; y += th) {
        for (uint32_t x = 0; x < width; x += tw) {
          ttile_t tile = TIFFComputeTile(tif, x, y, 0, static_cast<uint16_t>(plane));
          if (TIFFReadEncodedTile(tif, tile, buffer.data(), tileBytes) != tileBytes || !src.problem.empty()) {
            return fail(fmt::format("damaged TIFF: tile {} cannot be read{}", tile, src.problem.empty() ? "" : ": " + src.problem));
          }
          place(buffer.data(), x, y, tw, th, plane);
        }
      }
    }
  } else {
    uint32_t rowsPerStrip = height;
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rowsPerStrip);
    rowsPerStrip = std::max<uint32_t>(1, std::min(rowsPerStrip, height));
    size_t rowBytes = static_cast<size_t>(width) * samplesPerBlockPixel * sampleBytes;
    std::vector<uint8_t> buffer(rowBytes * rowsPerStrip);
    for (int plane = 0; plane < planes; ++plane) {
      for (uint32_t y = 0; y < height; y += rowsPerStrip) {
        uint32_t rows = std::min(rowsPerStrip, height - y);
        tstrip_t strip = TIFFComputeStrip(tif, y, static_cast<uint16_t>(plane));
        tmsize_t want = static_cast<tmsize_t>(rowBytes * rows);
        if (TIFFReadEncodedStrip(tif, strip, buffer.data(), want) != want || !src.problem.empty()) {
          return fail(fmt::format("damaged TIFF: strip {} (rows {} to {}) cannot be read whole{}", strip, y, y + rows - 1,
                                  src.problem.empty() ? "" : ": " + src.problem));
        }
        place(buffer.data(), 0, y, width, rows, plane);
      }
    }
  }
  TIFFClose(tif);
  if (!src.problem.empty()) {
    out.release();
    error = "damaged TIFF: " + src.problem;
    return false;
  }
  return true;
}

Status encodeTiff(const cv::Mat& image, const std::string& path) {
  TiffSource problems;  // only its `problem` is used
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, tiffError, &problems);
  TIFFOpenOptionsSetWarningHandlerExtR(options, tiffWarning, &problems);
  TIFF* tif = TIFFOpenExt(path.c_str(), "w", options);
  TIFFOpenOptionsFree(options);
  if (!tif) return Failure::compile(problems.problem.empty() ? "cannot create the file" : problems.problem);
  int channels = image.channels();
  int depth = image.depth();
  uint16_t bits = depth == CV_8U ? 8 : depth == CV_16U ? 16 : 32;
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(image.cols));
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(image.rows));
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, static_cast<uint16_t>(channels));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, depth == CV_32F ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, channels >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
  if (channels == 4) {
    uint16_t extra = EXTRASAMPLE_UNASSALPHA;
    TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, &extra);
  }
  TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0));
  bool ok = true;
  for (int y = 0; ok && y < image.rows; ++y) {
    ok = TIFFWriteScanline(tif, const_cast<uint8_t*>(image.ptr<uint8_t>(y)), static_cast<uint32_t>(y), 0) == 1;
  }
  ok = ok && TIFFWriteDirectory(tif) == 1;
  TIFFClose(tif);
  if (!ok || !problems.problem.empty()) return Failure::compile(problems.problem.empty() ? "libtiff could not write it (is the disk full?)" : problems.problem);
  return fovea::ok();
}

}  // namespace fovea::driver::codecs
