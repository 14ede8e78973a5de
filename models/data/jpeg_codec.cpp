// libjpeg glue: error manager that longjmps instead of exit(), memory source/destination.
#include "models/data/jpeg_codec.hpp"

// clang-format off
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE and size_t declared first
#include <jpeglib.h>
// clang-format on

#include <cassert>
#include <cstdlib>

#include "harness/util/atomic_file.hpp"
#include "harness/util/error.hpp"
#include "models/data/image_limits.hpp"

namespace repro {
namespace {

// libjpeg calls error_exit on fatal errors and emit_message for warnings; both jump
// back to the setjmp point of the decoder with the formatted message.
struct JpegErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

extern "C" void on_jpeg_error(j_common_ptr cinfo) {
  auto* manager = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, manager->message);
  std::longjmp(manager->jump, 1);
}

extern "C" void on_jpeg_message(j_common_ptr cinfo, int msg_level) {
  // msg_level -1 is a warning about damaged data (truncation, bad Huffman code):
  // libjpeg would carry on with made-up pixels, so it is an error for us.
  if (msg_level < 0) {
    on_jpeg_error(cinfo);
  }
}

// The decoder's state lives behind a pointer, so nothing the jump could clobber sits
// in a register, and no destructor is skipped (every member is trivially destructible).
struct DecodeState {
  jpeg_decompress_struct cinfo;
  JpegErrorManager errors;
  std::uint8_t* row = nullptr;  // one scanline of decoder output (malloc)
};

// Writes why a width x height image is refused into `message`; false when it is within the
// limits. The text never outlives this call, so no longjmp can skip its destructor.
bool size_problem(std::uint64_t width, std::uint64_t height, char* message, size_t capacity) {
  const std::string problem = image_size_problem(width, height);
  if (problem.empty()) {
    return false;
  }
  std::snprintf(message, capacity, "%s", problem.c_str());
  return true;
}

bool decode_into(const std::uint8_t* data, size_t size, Image* out, DecodeState* state) {
  jpeg_decompress_struct* cinfo = &state->cinfo;
  cinfo->err = jpeg_std_error(&state->errors.base);
  state->errors.base.error_exit = on_jpeg_error;
  state->errors.base.emit_message = on_jpeg_message;
  jpeg_create_decompress(cinfo);
  if (setjmp(state->errors.jump) != 0) {
    std::free(state->row);
    jpeg_destroy_decompress(cinfo);
    return false;
  }
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  // Bounded before anything is decoded: the header's claimed size, then libjpeg's own
  // allocations (a progressive file buffers every coefficient of the image).
  cinfo->mem->max_memory_to_use = k_max_jpeg_decoder_bytes;
  jpeg_read_header(cinfo, TRUE);
  if (size_problem(cinfo->image_width, cinfo->image_height, state->errors.message,
                   sizeof state->errors.message)) {
    jpeg_destroy_decompress(cinfo);
    return false;
  }
  const bool cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
  cinfo->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  cinfo->dct_method = JDCT_ISLOW;  // the exact integer IDCT: same pixels on every CPU
  jpeg_start_decompress(cinfo);
  const int components = cinfo->output_components;
  *out = Image::blank(static_cast<int>(cinfo->output_width), static_cast<int>(cinfo->output_height),
                      3);
  state->row = static_cast<std::uint8_t*>(
      std::malloc(static_cast<size_t>(cinfo->output_width) * components));
  if (state->row == nullptr) {
    std::snprintf(state->errors.message, sizeof state->errors.message, "out of memory");
    jpeg_destroy_decompress(cinfo);
    return false;
  }
  while (cinfo->output_scanline < cinfo->output_height) {
    const int y = static_cast<int>(cinfo->output_scanline);
    JSAMPROW rows[1] = {state->row};
    jpeg_read_scanlines(cinfo, rows, 1);
    for (int x = 0; x < out->width; ++x) {
      const std::uint8_t* p = state->row + static_cast<size_t>(x) * components;
      for (int c = 0; c < 3; ++c) {
        // Adobe writes inverted CMYK (stored value = 255 - ink), so RGB = C * K / 255.
        out->at(x, y, c) = cmyk ? static_cast<std::uint8_t>((p[c] * p[3] + 127) / 255) : p[c];
      }
    }
  }
  jpeg_finish_decompress(cinfo);
  std::free(state->row);
  state->row = nullptr;
  jpeg_destroy_decompress(cinfo);
  return true;
}

struct EncodeState {
  jpeg_compress_struct cinfo;
  JpegErrorManager errors;
  unsigned char* buffer = nullptr;  // jpeg_mem_dest output (malloc)
  unsigned long size = 0;
};

bool encode_into(const Image* image, int quality, EncodeState* state) {
  jpeg_compress_struct* cinfo = &state->cinfo;
  cinfo->err = jpeg_std_error(&state->errors.base);
  state->errors.base.error_exit = on_jpeg_error;
  jpeg_create_compress(cinfo);
  if (setjmp(state->errors.jump) != 0) {
    jpeg_destroy_compress(cinfo);
    return false;
  }
  jpeg_mem_dest(cinfo, &state->buffer, &state->size);
  cinfo->image_width = static_cast<JDIMENSION>(image->width);
  cinfo->image_height = static_cast<JDIMENSION>(image->height);
  cinfo->input_components = image->channels;
  cinfo->in_color_space = image->channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, quality, TRUE);
  jpeg_start_compress(cinfo, TRUE);
  const size_t stride = static_cast<size_t>(image->width) * image->channels;
  while (cinfo->next_scanline < cinfo->image_height) {
    // libjpeg's API takes non-const rows but only reads them.
    JSAMPROW rows[1] = {
        const_cast<std::uint8_t*>(image->pixels.data() + cinfo->next_scanline * stride)};
    jpeg_write_scanlines(cinfo, rows, 1);
  }
  jpeg_finish_compress(cinfo);
  jpeg_destroy_compress(cinfo);
  return true;
}

}  // namespace

Image decode_jpeg(std::span<const std::uint8_t> data, const std::string& source) {
  if (data.empty()) {
    throw Error(source, "", "not a JPEG file: empty");
  }
  DecodeState state{};
  Image image;
  if (!decode_into(data.data(), data.size(), &image, &state)) {
    throw Error(source, "", std::string("corrupt JPEG: ") + state.errors.message);
  }
  return image;
}

Image read_jpeg(const std::filesystem::path& path) {
  const std::string bytes = read_file(path, k_max_image_file_bytes);
  return decode_jpeg(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                     path.string());
}

std::string encode_jpeg(const Image& image, int quality) {
  assert(image.channels == 1 || image.channels == 3);
  assert(image.pixels.size() == static_cast<size_t>(image.width) * image.height * image.channels);
  EncodeState state{};
  const bool ok = encode_into(&image, quality, &state);
  std::string out;
  if (ok) {
    out.assign(reinterpret_cast<const char*>(state.buffer), state.size);
  }
  std::free(state.buffer);
  if (!ok) {
    throw Error("", "", std::string("JPEG encoding failed: ") + state.errors.message);
  }
  return out;
}

void write_jpeg(const std::filesystem::path& path, const Image& image, int quality) {
  try {
    write_file_atomic(path, encode_jpeg(image, quality));
  } catch (const Error& e) {
    if (!e.file().empty()) {
      throw;
    }
    throw Error(path.string(), "", e.message());
  }
}

}  // namespace repro
